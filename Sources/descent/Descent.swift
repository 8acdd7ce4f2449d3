import ArgumentParser
import DescentTensor
import Foundation

/// The `descent` command: training with the classic optimization methods, PyTorch's numbers.
@main
struct Descent: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "descent",
    abstract: "Train with the classic optimization methods of deep learning, as torch.optim does.",
    discussion: """
      An error is one line on standard error; the exit status says its kind: 64 for a wrong \
      argument or option value, 65 for an input file (CSV, checkpoint, fixture) that cannot be \
      read or is invalid, 1 for a run that failed (training diverged, a file could not be \
      written). DESCENT_THREADS sets the worker threads, at most 4 per processor and 256 in all.
      """,
    version: "0.1.0",
    subcommands: [
      TrainCommand.self, ShowCommand.self, ConformanceCommand.self,
      EWMACommand.self, PathsCommand.self, CompareCommand.self, ScheduleCommand.self,
      BenchCommand.self, ServeCommand.self,
    ])

  /// Parses the arguments and runs the command; an error ends the process through
  /// ``ErrorReport``: one line, and an exit status by kind.
  static func main() {
    warnAboutThreadSetting()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      ErrorReport.exit(with: error)
    }
  }

  /// Warns on standard error when `DESCENT_THREADS` is not used as given: not a positive
  /// integer, or above the cap (4 threads per processor, 256 in all).
  static func warnAboutThreadSetting() {
    guard let text = ProcessInfo.processInfo.environment["DESCENT_THREADS"] else { return }
    let used = WorkerPool.defaultThreadCount
    let warning: String
    if let count = Int(text.trimmingCharacters(in: .whitespaces)), count > 0 {
      guard count > used else { return }
      warning =
        "DESCENT_THREADS=\(text) is above the limit (4 per processor, at most 256): using \(used)"
    } else {
      warning =
        "DESCENT_THREADS=\(text) is not a positive integer: using \(used) (one per processor)"
    }
    FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
  }
}
