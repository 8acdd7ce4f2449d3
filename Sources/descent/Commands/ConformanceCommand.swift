import ArgumentParser
import DescentOptim
import Foundation

/// `descent conformance DIR`: checks Descent against PyTorch's reference fixtures.
struct ConformanceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "conformance",
    abstract: "Run every PyTorch fixture (*.json) in folders and report the ones that fail.",
    discussion: """
      Fixture kinds: optimizer, trajectory, lbfgs, scheduler, ewma, layer, loss, training (see \
      FORMAT.md beside the fixtures). Prints one \
      line per failing case with its worst deviation, then 'N passed, M failed'; exits 1 when any \
      failed.
      """)

  @Argument(help: "Folders of fixture files, or single fixture files.")
  var paths: [String]

  @Flag(help: "Also print a line for each passing case.")
  var verbose = false

  @Flag(
    name: .customLong("scalar-path"),
    help: "Run element-wise optimizers on the scalar reference path.")
  var scalarPath = false

  func run() throws {
    let report = check(try fixtureFiles())
    for line in report.lines { print(line) }
    print("\(report.passed) passed, \(report.failed) failed")
    if report.failed > 0 { throw ExitCode(1) }
  }

  /// Checks every fixture in `files`: the lines to print (a failing fixture's, and with
  /// `--verbose` a passing one's) and the counts. A fixture that cannot be run (unreadable,
  /// malformed, an input its module does not take) fails alone; the others still run.
  func check(_ files: [URL]) -> (lines: [String], passed: Int, failed: Int) {
    let registry = ConformanceRegistry.standard
    let options = ConformanceOptions(kernelPath: scalarPath ? .scalar : .vectorized)
    var lines: [String] = []
    var passed = 0
    var failed = 0
    for file in files {
      let result: ConformanceResult
      do {
        result = try registry.run(fixtureAt: file, options: options)
      } catch {
        failed += 1
        lines.append("FAIL \(file.lastPathComponent): \(error.localizedDescription)")
        continue
      }
      if result.passed {
        passed += 1
        if verbose { lines.append("ok   \(result)") }
      } else {
        failed += 1
        lines.append("FAIL \(file.lastPathComponent): \(result)")
      }
    }
    return (lines, passed, failed)
  }

  /// The fixture files the arguments name: `*.json` in folders, files as given.
  func fixtureFiles() throws -> [URL] {
    guard !paths.isEmpty else { throw ValidationError("give at least one folder or fixture file") }
    return try paths.flatMap(fixtureFiles(in:))
  }

  private func fixtureFiles(in directory: String) throws -> [URL] {
    let url = URL(fileURLWithPath: directory)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
      throw ValidationError("no such file or folder: \(directory)")
    }
    guard isDirectory.boolValue else { return [url] }
    let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
    let files = names.filter { $0.hasSuffix(".json") }.sorted().map {
      url.appendingPathComponent($0)
    }
    guard !files.isEmpty else { throw ValidationError("no *.json fixture files in \(directory)") }
    return files
  }
}
