import ArgumentParser
import DescentData
import DescentDistributed
import DescentOptim
import DescentPlot
import DescentTraining
import Foundation

/// How `descent` reports an error: one line on standard error, and an exit status that depends
/// only on the kind of error (the same kind always gives the same status).
struct ErrorReport: Equatable {
  /// What went wrong, on one line.
  let message: String
  /// The exit status.
  let status: Int32

  /// A command-line argument or option value is wrong (EX_USAGE).
  static let usageStatus: Int32 = 64
  /// An input file (a CSV, a checkpoint, a fixture) is unreadable or invalid (EX_DATAERR).
  static let dataStatus: Int32 = 65
  /// The run failed: training diverged, a file could not be written, MPI failed.
  static let failureStatus: Int32 = 1

  /// The report of `error`, thrown while parsing or running `command`.
  init(_ error: any Error, command: any ParsableCommand.Type = Descent.self) {
    let status: Int32
    switch error {
    case let error as DataError:
      if case .batchSize = error { status = Self.usageStatus } else { status = Self.dataStatus }
    case let error as OptimizerError:
      if case .stateDictMismatch = error {
        status = Self.dataStatus
      } else {
        status = Self.usageStatus
      }
    case let error as SchedulerError:
      if case .stateMismatch = error { status = Self.dataStatus } else { status = Self.usageStatus }
    case let error as AveragingError:
      if case .stateMismatch = error { status = Self.dataStatus } else { status = Self.usageStatus }
    case let error as ClippingError:
      if case .nonfiniteNorm = error {
        status = Self.failureStatus
      } else {
        status = Self.usageStatus
      }
    case let error as TrainingError:
      if case .diverged = error { status = Self.failureStatus } else { status = Self.usageStatus }
    case let error as PlotError:
      switch error {
      case .unsupportedFormat, .directoryNotFound, .notADirectory, .directoryNotWritable,
        .notARegularFile:
        status = Self.usageStatus
      default: status = Self.failureStatus
      }
    case let error as CheckpointError:
      // A file that cannot be read is bad input; one that cannot be written, a failed run.
      if case .io(_, let action, _) = error, !action.hasPrefix("read") {
        status = Self.failureStatus
      } else {
        status = Self.dataStatus
      }
    case let error as ModelStateError:
      if case .io(_, let action, _) = error, !action.hasPrefix("read") {
        status = Self.failureStatus
      } else {
        status = Self.dataStatus
      }
    case is ConformanceError: status = Self.dataStatus
    case is CommandError, is RecipeError, is EWMAError, is ValidationError:
      status = Self.usageStatus
    case is DistributedError: status = Self.failureStatus
    default:
      // ArgumentParser's own errors (a missing value, an unknown option) are usage errors.
      status = command.exitCode(for: error) == .validationFailure ? Self.usageStatus : 1
    }
    self.status = status
    self.message = Self.oneLine(Self.text(of: error, command: command))
  }

  /// The error's own sentence: ArgumentParser's message for its errors, else the error's
  /// `LocalizedError` description, else its `description`.
  private static func text(of error: any Error, command: any ParsableCommand.Type) -> String {
    if let error = error as? ValidationError { return error.message }
    if String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
      return command.message(for: error)
    }
    if let error = error as? LocalizedError, let text = error.errorDescription { return text }
    return String(describing: error)
  }

  /// The first non-empty line of `text`.
  private static func oneLine(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "unknown error"
  }

  /// Prints `Error: message` on standard error and exits with the status; help, `--version` and
  /// thrown `ExitCode`s (whose command has printed what it had to say) exit as ArgumentParser
  /// does.
  static func exit(with error: any Error, command: any ParsableCommand.Type = Descent.self)
    -> Never
  {
    if error is ExitCode || command.exitCode(for: error) == .success {
      command.exit(withError: error)
    }
    let report = ErrorReport(error, command: command)
    FileHandle.standardError.write(Data("Error: \(report.message)\n".utf8))
    Foundation.exit(report.status)
  }
}
