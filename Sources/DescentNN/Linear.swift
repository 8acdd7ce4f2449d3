/// A fully connected layer, `y = x W^T + b`, like `torch.nn.Linear`.
///
/// The weight has shape `[outFeatures, inFeatures]`. Both weight and bias start uniform in
/// `±1/sqrt(inFeatures)`, PyTorch's default (Kaiming-uniform with `a = sqrt(5)`).
public final class Linear<Scalar: TensorScalar>: Module {
  /// The number of input features.
  public let inFeatures: Int
  /// The number of output features.
  public let outFeatures: Int
  /// The weight, `[outFeatures, inFeatures]`.
  public let weight: Parameter<Scalar>
  /// The bias, `[outFeatures]`, or `nil` when built with `bias: false`.
  public let bias: Parameter<Scalar>?

  /// A layer initialised from `generator`.
  public init(
    _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: inout SeededGenerator
  ) {
    precondition(inFeatures > 0 && outFeatures > 0, "Linear(\(inFeatures), \(outFeatures))")
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    let bound = 1 / Scalar(inFeatures).squareRoot()
    weight = Parameter(
      Tensor(uniform: [outFeatures, inFeatures], low: -bound, high: bound, generator: &generator))
    self.bias =
      bias
      ? Parameter(Tensor(uniform: [outFeatures], low: -bound, high: bound, generator: &generator))
      : nil
  }

  /// A layer initialised from the global generator (see ``GlobalGenerator/manualSeed(_:)``).
  public convenience init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
    var generator = GlobalGenerator.state
    self.init(inFeatures, outFeatures, bias: bias, generator: &generator)
    GlobalGenerator.state = generator
  }

  /// `input` of shape `[..., inFeatures]` times the transposed weight, plus the bias: one fused
  /// ``Tensor/linear(weight:bias:)``.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    input.linear(weight: weight.value, bias: bias?.value)
  }

  /// `in_features=…, out_features=…, bias=True`, exactly as PyTorch prints it.
  public var extraDescription: String {
    "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias != nil ? "True" : "False")"
  }
}
