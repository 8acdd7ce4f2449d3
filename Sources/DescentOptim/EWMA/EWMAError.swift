import Foundation

/// Why an exponentially weighted moving average could not be set up.
public enum EWMAError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// The smoothing factor lies outside [0, 1).
  case betaOutOfRange(Double)

  /// What was wrong, naming the option.
  public var description: String {
    switch self {
    case .betaOutOfRange(let beta):
      return "EWMA: beta must be in [0, 1), got \(beta)"
    }
  }

  /// Same as `description`, for Foundation's error reporting.
  public var errorDescription: String? { description }
}

/// Checks the smoothing factor of an exponentially weighted moving average.
func validatedEWMABeta(_ beta: Double) throws -> Double {
  guard beta >= 0, beta < 1 else { throw EWMAError.betaOutOfRange(beta) }
  return beta
}
