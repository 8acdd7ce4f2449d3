import Foundation
import Testing

/// Runs the built `descent` binary, alone or under `mpirun`, for the tests.
enum MPILauncher {
  /// What a run printed and how it ended.
  struct Outcome {
    var status: Int32
    var output: String
  }

  /// An error that fails the test with instructions instead of skipping it.
  struct Missing: Error, CustomStringConvertible {
    var description: String
  }

  /// `mpirun` on the PATH; throws when Open MPI is not installed (CI installs it with
  /// scripts/setup.sh), so that the distributed tests fail loudly rather than pass silently.
  static func mpirun() throws -> URL {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for folder in path.split(separator: ":") {
      let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("mpirun")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw Missing(
      description:
        "mpirun not found on PATH: install Open MPI (scripts/setup.sh installs openmpi-bin and "
        + "libopenmpi-dev) to run the distributed tests")
  }

  /// The `descent` binary built next to the test bundle (in .build/<config>/).
  static func descent() throws -> URL { try binary("descent") }

  /// The executable `name` of this package, built next to the test bundle (in .build/<config>/).
  static func binary(_ name: String) throws -> URL {
    var folders: [URL] = []
    if let executable = Bundle.main.executableURL {
      folders.append(executable.deletingLastPathComponent())
    }
    let bundle = Bundle.allBundles.map(\.bundleURL).filter { $0.pathExtension == "xctest" }
    folders += bundle.map { $0.deletingLastPathComponent() }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    folders += ["debug", "release"].map { root.appendingPathComponent(".build/\($0)") }
    for folder in folders {
      let candidate = folder.appendingPathComponent(name)
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw Missing(
      description: "the \(name) binary was not found next to the tests in \(folders.map(\.path))")
  }

  /// Runs `executable` with `arguments`, killing it after `timeout` seconds (a hang fails).
  static func run(_ executable: URL, _ arguments: [String], timeout: TimeInterval = 300) throws
    -> Outcome
  {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    for key in environment.keys where key.hasPrefix("OMPI_") || key.hasPrefix("PMIX_") {
      environment[key] = nil
    }
    // Containers often forbid the cross-memory attach Open MPI's shared-memory transport uses.
    environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    var data = Data()
    let reader = pipe.fileHandleForReading
    let group = DispatchGroup()
    let box = DataBox()
    group.enter()
    DispatchQueue.global().async {
      box.data = reader.readDataToEndOfFile()
      group.leave()
    }
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    if process.isRunning {
      process.terminate()
      Issue.record("\(executable.lastPathComponent) \(arguments) did not finish in \(timeout) s")
    }
    process.waitUntilExit()
    group.wait()
    data = box.data
    return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
  }

  /// `mpirun --allow-run-as-root --oversubscribe -np ranks descent arguments`.
  static func descent(ranks: Int, _ arguments: [String]) throws -> Outcome {
    try run(
      try mpirun(),
      ["--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)", try descent().path] + arguments)
  }

  /// scripts/two-hosts/mpirun.sh, which runs `mpirun -np 2` with each rank on its own "host": a
  /// network namespace, the two joined by a veth pair that all of Open MPI's traffic crosses.
  static func twoHostsScript() throws -> URL {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let script = root.appendingPathComponent("scripts/two-hosts/mpirun.sh")
    guard FileManager.default.isExecutableFile(atPath: script.path) else {
      throw Missing(description: "\(script.path) is missing or not executable")
    }
    return script
  }

  /// `descent arguments` on two ranks, one per network namespace, through
  /// scripts/two-hosts/mpirun.sh (which needs root), stopped after `timeout` seconds. The output
  /// ends with the veth byte counters of both hosts.
  static func descentOnTwoHosts(_ arguments: [String], timeout: Int = 120) throws -> Outcome {
    try run(
      try twoHostsScript(), ["--timeout", "\(timeout)", try descent().path] + arguments,
      timeout: TimeInterval(timeout + 30))
  }

  /// Two ranks started with different `descent` arguments (MPMD launch).
  static func descent(rank0: [String], rank1: [String]) throws -> Outcome {
    let binary = try descent().path
    return try run(
      try mpirun(),
      ["--allow-run-as-root", "--oversubscribe", "-np", "1", binary] + rank0 + [
        ":", "-np", "1", binary,
      ]
        + rank1)
  }
}

/// Holds the bytes read on another thread.
private final class DataBox: @unchecked Sendable {
  var data = Data()
}
