import Foundation

/// Why weight averaging could not be set up or restored.
public enum AveragingError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// An option (`decay`, a warm-up constant) outside its allowed range.
  case invalidOption(name: String, value: Double, requirement: String)
  /// Two parameters were given the same name.
  case duplicateName(String)
  /// A saved averaging state does not fit the averaged model; nothing was changed.
  case stateMismatch(reason: String)

  /// What was wrong and where.
  public var description: String {
    switch self {
    case .invalidOption(let name, let value, let requirement):
      return "weight averaging: \(name) = \(value) is invalid: it must be \(requirement)"
    case .duplicateName(let name):
      return "weight averaging: two parameters are named '\(name)'"
    case .stateMismatch(let reason):
      return "weight averaging: cannot load state: \(reason)"
    }
  }

  /// Same as `description`, for Foundation's error reporting.
  public var errorDescription: String? { description }
}
