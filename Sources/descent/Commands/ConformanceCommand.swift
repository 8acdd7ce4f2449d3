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
    let files = try fixtureFiles()
    let registry = ConformanceRegistry.standard
    let options = ConformanceOptions(kernelPath: scalarPath ? .scalar : .vectorized)
    var passed = 0
    var failed = 0
    for file in files {
      let result: ConformanceResult
      do {
        result = try registry.run(fixtureAt: file, options: options)
      } catch {
        failed += 1
        print("FAIL \(file.lastPathComponent): \(error)")
        continue
      }
      if result.passed {
        passed += 1
        if verbose { print("ok   \(result)") }
      } else {
        failed += 1
        print("FAIL \(file.lastPathComponent): \(result)")
      }
    }
    print("\(passed) passed, \(failed) failed")
    if failed > 0 { throw ExitCode(1) }
  }

  private func fixtureFiles() throws -> [URL] {
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
