import Foundation

/// Why a learning-rate scheduler could not be built, stepped or restored.
public enum SchedulerError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// An option holds a value outside its allowed range.
  case invalidOption(scheduler: String, option: String, value: String, requirement: String)
  /// A string option names no known choice (`mode`, `threshold_mode`, `anneal_strategy`, ...).
  case unknownChoice(scheduler: String, option: String, value: String, allowed: [String])
  /// A required option is absent (OneCycleLR's total steps, ...).
  case missingOption(scheduler: String, option: String)
  /// A per-group option lists a different number of values than the optimizer has groups.
  case groupCountMismatch(scheduler: String, option: String, expected: Int, got: Int)
  /// The optimizer has no momentum-like hyperparameter to cycle.
  case momentumUnsupported(scheduler: String)
  /// A composite scheduler was given schedulers of another optimizer, or none.
  case invalidComposition(scheduler: String, reason: String)
  /// A saved state does not fit the scheduler it is loaded into.
  case stateMismatch(scheduler: String, reason: String)
  /// A scheduler name that Descent does not provide.
  case unknownScheduler(String)
  /// A scheduler with a fixed length stepped past its end (OneCycleLR past `total_steps`).
  case steppedPastEnd(scheduler: String, steps: Int, totalSteps: Int)

  /// What was wrong and where.
  public var description: String {
    switch self {
    case .invalidOption(let scheduler, let option, let value, let requirement):
      return "\(scheduler): option \(option) = \(value) is invalid: \(requirement)"
    case .unknownChoice(let scheduler, let option, let value, let allowed):
      return "\(scheduler): option \(option) = '\(value)' is unknown; expected one of "
        + allowed.map { "'\($0)'" }.joined(separator: ", ")
    case .missingOption(let scheduler, let option):
      return "\(scheduler): option \(option) is required"
    case .groupCountMismatch(let scheduler, let option, let expected, let got):
      return
        "\(scheduler): option \(option) has \(got) values, but the optimizer has \(expected) parameter groups"
    case .momentumUnsupported(let scheduler):
      return
        "\(scheduler): the optimizer has no momentum or beta1 to cycle (pass cycleMomentum: false)"
    case .invalidComposition(let scheduler, let reason):
      return "\(scheduler): \(reason)"
    case .stateMismatch(let scheduler, let reason):
      return "\(scheduler): cannot load state: \(reason)"
    case .unknownScheduler(let name):
      return "unknown scheduler '\(name)'"
    case .steppedPastEnd(let scheduler, let steps, let totalSteps):
      return
        "\(scheduler): tried to step \(steps) times; the specified number of total steps "
        + "(total_steps) is \(totalSteps)"
    }
  }

  /// Same as `description`, for Foundation's error reporting.
  public var errorDescription: String? { description }
}

extension SchedulerError {
  /// Throws ``invalidOption(scheduler:option:value:requirement:)`` unless `condition` holds.
  static func require(
    _ condition: Bool, _ scheduler: String, _ option: String, _ value: Any, _ requirement: String
  ) throws {
    guard condition else {
      throw SchedulerError.invalidOption(
        scheduler: scheduler, option: option, value: "\(value)", requirement: requirement)
    }
  }
}
