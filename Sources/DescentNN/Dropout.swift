/// Dropout, like `torch.nn.Dropout`: in training mode each element is zeroed with probability
/// ``p`` and the others are scaled by `1 / (1 - p)`; in evaluation mode the input passes
/// unchanged.
///
/// The mask is drawn from the global generator, so a run repeats after
/// ``GlobalGenerator/manualSeed(_:)``.
public final class Dropout<Scalar: TensorScalar>: Module, ModeDependent {
  /// The probability of zeroing an element.
  public let p: Double
  /// PyTorch's `inplace` flag, kept for the printed form (tensors are values here, so the result
  /// is the same either way).
  public let inplace: Bool
  /// `true` in training mode (the default), `false` after `eval()`.
  public var isTraining = true

  /// A dropout layer zeroing elements with probability `p`.
  ///
  /// - Precondition: `0 <= p <= 1`.
  public init(p: Double = 0.5, inplace: Bool = false) {
    precondition(p >= 0 && p <= 1, "Dropout: p must be between 0 and 1, not \(p)")
    self.p = p
    self.inplace = inplace
  }

  /// The input with dropout applied in training mode; the input itself in evaluation mode.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    isTraining ? input.dropout(p: p) : input
  }

  /// PyTorch's `p=0.5, inplace=False`.
  public var extraDescription: String { "p=\(p), inplace=\(PythonLiteral.bool(inplace))" }
}
