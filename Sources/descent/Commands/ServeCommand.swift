import ArgumentParser
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `descent serve`: runs the interactive explorer, `descent-serve`, built beside this binary.
/// The explorer is its own executable so that neither the library nor this tool depends on its
/// web server (Hummingbird); this command only hands over to it.
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Start the interactive explorer: a local web page of optimizers' paths and averages.",
    discussion: """
      Runs descent-serve from the same build folder (build it with `swift build --product \
      descent-serve`, or run `swift run descent-serve` directly). The page lets you pick a test \
      function and optimizers, move the learning rates, momentum, Adam's betas and an EWMA's \
      beta, and see Descent's own numbers redrawn.
      """)

  @Argument(
    parsing: .captureForPassthrough,
    help: "descent-serve's options: --host ADDRESS (default 127.0.0.1), --port N (default 8080).")
  var options: [String] = []

  func run() throws {
    let executable = Self.explorerExecutable()
    guard FileManager.default.isExecutableFile(atPath: executable.path) else {
      throw ServeError(path: executable.path)
    }
    var pointers = ([executable.path] + options).map { strdup($0) } + [nil]
    execv(executable.path, &pointers)
    throw ServeError(path: executable.path, reason: String(cString: strerror(errno)))
  }

  /// `descent-serve` in the folder of the running `descent`.
  static func explorerExecutable() -> URL {
    let this = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    return this.resolvingSymlinksInPath().deletingLastPathComponent()
      .appendingPathComponent("descent-serve")
  }
}

/// `descent-serve` could not be started.
struct ServeError: Error, CustomStringConvertible, LocalizedError {
  /// Where it was looked for.
  var path: String
  /// Why it did not start, when it exists.
  var reason: String?

  /// A sentence saying what to do.
  var description: String {
    if let reason { return "cannot start \(path): \(reason)" }
    return "\(path) is not built: run `swift build --product descent-serve` "
      + "(or `swift run descent-serve`)"
  }

  /// Same as `description`, for Foundation's error reporting.
  var errorDescription: String? { description }
}
