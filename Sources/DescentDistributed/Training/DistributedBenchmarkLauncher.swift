import DescentTensor
import Foundation

extension DistributedBenchmark {
  /// The worker side of a benchmark under `mpirun`: starts MPI, measures on every rank
  /// (``measure(over:steps:)``), and returns the report as one line of
  /// JSON on rank 0 (`nil` on the others) for the command to print. Finalizes MPI.
  ///
  /// - Throws: ``DistributedError`` outside `mpirun` or without Open MPI, or an MPI call error.
  public static func runWorker(steps: Int = 10) throws -> String? {
    let communicator = try MPICommunicator()
    let report = try measure(over: communicator, steps: steps)
    try communicator.finalize()
    guard communicator.isRoot else { return nil }
    return String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
  }

  /// Runs `mpirun --oversubscribe -np ranks executable arguments` (a command that calls
  /// ``runWorker(steps:)`` and prints its line), and decodes the report from its output.
  ///
  /// - Throws: ``DistributedError/libraryMissing(library:reason:)`` when `mpirun` is not on the
  ///   PATH, ``DistributedError/call(function:code:message:)`` when the run fails or prints no
  ///   report.
  public static func launch(ranks: Int, executable: URL, arguments: [String]) throws
    -> DistributedBenchReport
  {
    let environment = ProcessInfo.processInfo.environment
    let folders = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    guard
      let mpirun = folders.map({ URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
      )
      .first(where: { FileManager.default.isExecutableFile(atPath: $0.path) })
    else {
      throw DistributedError.libraryMissing(library: "mpirun", reason: "not found on PATH")
    }
    let process = Process()
    process.executableURL = mpirun
    process.arguments =
      ["--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)", executable.path] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: output, as: UTF8.self)
    for line in text.split(separator: "\n") where line.hasPrefix("{") {
      if let report = try? JSONDecoder().decode(
        DistributedBenchReport.self, from: Data(line.utf8))
      {
        return report
      }
    }
    throw DistributedError.call(
      function: "mpirun -np \(ranks) \(executable.lastPathComponent)",
      code: process.terminationStatus, message: "no benchmark report in its output")
  }
}
