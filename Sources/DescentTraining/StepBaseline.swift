import Foundation

/// A program outside Descent that times optimizer steps on request, so that `descent bench` can
/// set each of its figures beside a baseline taken in the same minutes: the plain C loops of
/// `scripts/reference/steps.c`, or PyTorch through `scripts/reference/torch-steps.py`.
///
/// The program reads lines `NAME TENSORS SIZE REPEATS` and answers each with one line: the
/// seconds that `REPEATS` steps of optimizer `NAME` over `TENSORS` float32 tensors of `SIZE`
/// elements took, optionally followed by a label of its implementation, or `unsupported ...`.
public final class StepBaseline {
  /// What the baseline is, as the table names it (`C`, `PyTorch`).
  public let label: String
  /// The command line it runs.
  public let command: [String]
  private let process = Process()
  private let requests: FileHandle
  private let answers: FileHandle
  private var buffered = Data()

  /// The longest a request may take before the baseline is given up as hung (120 s unless
  /// given: a step of 50M parameters in PyTorch's slowest implementation takes about a second).
  public let timeoutSeconds: Double

  /// Starts `command` (an executable and its arguments; the executable is looked up on `PATH`
  /// unless it holds a `/`) with `environment` added to this process's environment.
  ///
  /// - Throws: ``TrainingError/baselineFailed(_:_:)`` when the program cannot be started.
  public init(
    label: String, command: [String], environment: [String: String] = [:],
    timeoutSeconds: Double = 120
  ) throws {
    self.timeoutSeconds = timeoutSeconds
    guard let executable = command.first, !executable.isEmpty else {
      throw TrainingError.baselineFailed(label, "no command given")
    }
    self.label = label
    self.command = command
    // A baseline that exits makes writing to it fail with EPIPE instead of killing this process.
    signal(SIGPIPE, SIG_IGN)
    if executable.contains("/") {
      guard FileManager.default.isExecutableFile(atPath: executable),
        (try? URL(fileURLWithPath: executable).resolvingSymlinksInPath().resourceValues(
          forKeys: [.isRegularFileKey]))?.isRegularFile == true
      else {
        throw TrainingError.baselineFailed(label, "\(executable) is not an executable file")
      }
      process.executableURL = URL(fileURLWithPath: executable)
      process.arguments = Array(command.dropFirst())
    } else {
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments = command
    }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let (input, output) = (Pipe(), Pipe())
    process.standardInput = input
    process.standardOutput = output
    requests = input.fileHandleForWriting
    answers = output.fileHandleForReading
    do {
      try process.run()
    } catch {
      throw TrainingError.baselineFailed(
        label, "cannot start \(command.joined(separator: " ")): \(error.localizedDescription)")
    }
  }

  /// Stops the program: its input closes (a baseline reading requests ends there), and one that
  /// is still running a second later (blocked in a step, or hung) is terminated, then killed.
  deinit {
    try? requests.close()
    for signal in [SIGTERM, SIGKILL] where !exited(within: 1) {
      // Its process group too, when it leads one (children it started die with it).
      kill(-process.processIdentifier, signal)
      kill(process.processIdentifier, signal)
    }
    if exited(within: 1) { process.waitUntilExit() }
  }

  /// Whether the program has exited, after waiting up to `seconds` for it.
  private func exited(within seconds: Double) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    return !process.isRunning
  }

  /// The baseline's answer to one request: its seconds and the label of its implementation
  /// (empty when it gives none).
  public struct Answer: Sendable, Equatable {
    /// The seconds the steps took.
    public var seconds: Double
    /// How the baseline ran them (`fused`, `foreach`, ...), or empty.
    public var implementation: String
  }

  /// The seconds `repeats` steps of optimizer `name` over `layout` take in the baseline, or
  /// `nil` when it does not have that optimizer.
  ///
  /// - Throws: ``TrainingError/baselineFailed(_:_:)`` when the program exits, hangs or answers
  ///   something other than seconds.
  public func time(_ name: String, layout: BenchLayout, repeats: Int) throws -> Answer? {
    let request = "\(name) \(layout.tensorCount) \(layout.tensorSize) \(repeats)\n"
    do {
      try requests.write(contentsOf: Data(request.utf8))
    } catch {
      throw TrainingError.baselineFailed(label, "it exited before reading the request for \(name)")
    }
    let line = try readLine()
    if line.hasPrefix("unsupported") { return nil }
    let fields = line.split(separator: " ", maxSplits: 1)
    guard let first = fields.first, let seconds = Double(first), seconds.isFinite, seconds >= 0
    else {
      throw TrainingError.baselineFailed(label, "answered '\(line.prefix(200))' to '\(name)'")
    }
    return Answer(seconds: seconds, implementation: fields.count > 1 ? String(fields[1]) : "")
  }

  /// The next line the program writes, without its newline.
  private func readLine() throws -> String {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while true {
      if let end = buffered.firstIndex(of: UInt8(ascii: "\n")) {
        let line = String(decoding: buffered[..<end], as: UTF8.self)
        buffered.removeSubrange(...end)
        return line
      }
      guard buffered.count < 1 << 16 else {
        throw TrainingError.baselineFailed(label, "wrote a line longer than 64 KiB")
      }
      let remaining = deadline.timeIntervalSinceNow
      guard remaining > 0 else {
        throw TrainingError.baselineFailed(
          label, "gave no answer within \(Int(timeoutSeconds)) s")
      }
      var ready = pollfd(fd: answers.fileDescriptor, events: Int16(POLLIN), revents: 0)
      if poll(&ready, 1, Int32(min(remaining, 1) * 1000)) <= 0 { continue }
      let chunk = answers.availableData
      guard !chunk.isEmpty else {
        throw TrainingError.baselineFailed(label, "exited without answering")
      }
      buffered.append(chunk)
    }
  }
}
