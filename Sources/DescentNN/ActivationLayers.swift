/// The Gaussian error linear unit as a module, like `torch.nn.GELU`: exact (through `erf`) or by
/// the tanh approximation.
public final class GELU<Scalar: TensorScalar>: Module {
  /// Which form is computed (PyTorch's `approximate`: `'none'` or `'tanh'`).
  public let approximate: GELUApproximation

  /// A GELU layer, exact unless `approximate` is `.tanh`.
  public init(approximate: GELUApproximation = .none) { self.approximate = approximate }

  /// `input.gelu(approximate:)`.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    input.gelu(approximate: approximate)
  }

  /// PyTorch's `approximate='none'`.
  public var extraDescription: String { "approximate='\(approximate.rawValue)'" }
}

/// The sigmoid-weighted linear unit (swish) as a module, `x σ(x)`, like `torch.nn.SiLU`.
public final class SiLU<Scalar: TensorScalar>: Module {
  /// PyTorch's `inplace` flag, kept for the printed form (the result is the same either way).
  public let inplace: Bool

  /// A SiLU layer.
  public init(inplace: Bool = false) { self.inplace = inplace }

  /// `input.silu()`.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input.silu() }

  /// Empty, or `inplace=True`, as PyTorch prints it.
  public var extraDescription: String { inplace ? "inplace=True" : "" }
}

/// The leaky rectified linear unit as a module, like `torch.nn.LeakyReLU`: `x` where positive,
/// `negativeSlope * x` elsewhere.
public final class LeakyReLU<Scalar: TensorScalar>: Module {
  /// The slope for negative inputs.
  public let negativeSlope: Double
  /// PyTorch's `inplace` flag, kept for the printed form (the result is the same either way).
  public let inplace: Bool

  /// A leaky ReLU layer.
  ///
  /// - Precondition: `negativeSlope` is finite.
  public init(negativeSlope: Double = 0.01, inplace: Bool = false) {
    precondition(
      negativeSlope.isFinite, "LeakyReLU: negative_slope must be finite, not \(negativeSlope)")
    self.negativeSlope = negativeSlope
    self.inplace = inplace
  }

  /// `input.leakyRelu(negativeSlope:)`.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    input.leakyRelu(negativeSlope: Scalar(negativeSlope))
  }

  /// PyTorch's `negative_slope=0.01` (with `, inplace=True` when set).
  public var extraDescription: String {
    "negative_slope=\(negativeSlope)" + (inplace ? ", inplace=True" : "")
  }
}

/// The softmax along one axis as a module, like `torch.nn.Softmax`.
public final class Softmax<Scalar: TensorScalar>: Module {
  /// The axis (negative counts from the end), or `nil` for PyTorch's legacy choice: axis 0 for
  /// inputs of 0, 1 or 3 axes, else axis 1.
  public let dim: Int?

  /// A softmax layer along `dim`.
  public init(dim: Int?) { self.dim = dim }

  /// The softmax of `input` along ``dim``.
  ///
  /// - Precondition: the input has the axis ``dim``.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    SoftmaxAxis.apply(dim, to: input, layer: "Softmax") { $0.softmax(axis: $1) }
  }

  /// PyTorch's `dim=-1` (or `dim=None`).
  public var extraDescription: String { "dim=\(dim.map(String.init) ?? "None")" }
}

/// The logarithm of the softmax along one axis as a module, like `torch.nn.LogSoftmax`.
public final class LogSoftmax<Scalar: TensorScalar>: Module {
  /// The axis (negative counts from the end), or `nil` for PyTorch's legacy choice: axis 0 for
  /// inputs of 0, 1 or 3 axes, else axis 1.
  public let dim: Int?

  /// A log-softmax layer along `dim`.
  public init(dim: Int?) { self.dim = dim }

  /// The log-softmax of `input` along ``dim``.
  ///
  /// - Precondition: the input has the axis ``dim``.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    SoftmaxAxis.apply(dim, to: input, layer: "LogSoftmax") { $0.logSoftmax(axis: $1) }
  }

  /// PyTorch's `dim=1` (or `dim=None`).
  public var extraDescription: String { "dim=\(dim.map(String.init) ?? "None")" }
}

/// The axis handling Softmax and LogSoftmax share.
enum SoftmaxAxis {
  /// `function(input, axis)` for the axis `dim` names (PyTorch's legacy choice when `nil`); a
  /// scalar input is treated as one element.
  static func apply<Scalar>(
    _ dim: Int?, to input: Tensor<Scalar>, layer: String,
    _ function: (Tensor<Scalar>, Int) -> Tensor<Scalar>
  ) -> Tensor<Scalar> {
    if input.rank == 0 {
      precondition(
        dim == nil || dim == 0 || dim == -1,
        "\(layer)(dim=\(dim ?? 0)): expected an input with that axis, got shape []")
      return function(input.reshaped([1]), 0).reshaped([])
    }
    let axis = dim ?? ([1, 3].contains(input.rank) ? 0 : 1)
    precondition(
      axis >= -input.rank && axis < input.rank,
      "\(layer)(dim=\(axis)): expected an input with axis \(axis), got shape \(input.shape)")
    return function(input, axis)
  }
}
