import Foundation

/// An invalid training option, naming the option and the value; training that diverged; or a
/// benchmark baseline that failed.
public enum TrainingError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// `option` cannot take `value`.
  case invalidOption(String, String)
  /// Training produced a value that is not finite (`what`, e.g. `the loss is nan`) at `step`
  /// (counted from 1 within `epoch`, counted from 1); nothing after it was kept.
  case diverged(epoch: Int, step: Int, what: String)
  /// The benchmark's outside baseline `label` failed as `reason` says.
  case baselineFailed(String, String)

  /// `invalid --option value`, or where training diverged.
  public var description: String {
    switch self {
    case .invalidOption(let option, let value): "invalid --\(option) \(value)"
    case .diverged(let epoch, let step, let what):
      "training diverged at epoch \(epoch), step \(step): \(what); "
        + "try a smaller learning rate (or a larger eps, or --clip-norm)"
    case .baselineFailed(let label, let reason): "the \(label) baseline failed: \(reason)"
    }
  }

  /// Same as `description`, for Foundation's error reporting.
  public var errorDescription: String? { description }
}
