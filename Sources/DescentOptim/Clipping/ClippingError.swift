import Foundation

/// Why gradients could not be clipped: an invalid option, or a non-finite total norm when asked
/// to throw on one.
public enum ClippingError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// `maxNorm`, `normType` or `clipValue` outside its allowed range.
  case invalidOption(name: String, value: Double, requirement: String)
  /// The total gradient norm is NaN or infinite (the gradients were left unchanged).
  case nonfiniteNorm(normType: Double, norm: Double)

  /// What was wrong.
  public var description: String {
    switch self {
    case .invalidOption(let name, let value, let requirement):
      return "gradient clipping: \(name) = \(value) is invalid: it must be \(requirement)"
    case .nonfiniteNorm(let normType, let norm):
      return
        "gradient clipping: the total \(normType)-norm of the gradients is \(norm); the gradients were left unchanged"
    }
  }

  /// Same as `description`, for Foundation's error reporting.
  public var errorDescription: String? { description }
}
