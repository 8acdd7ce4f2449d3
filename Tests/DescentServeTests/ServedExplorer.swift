import Foundation
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A `descent-serve` process on a free port of 127.0.0.1, stopped when the value goes away.
final class ServedExplorer {
  /// The server's address, e.g. `http://127.0.0.1:41234/`.
  let address: URL
  private let process: Process

  /// Starts the built `executable` (`descent-serve`, or `descent` with `serve` in `arguments`)
  /// with `--port 0` and waits (at most a minute) for the address it prints.
  init(_ executable: String = "descent-serve", arguments: [String] = []) throws {
    let binary = try Self.builtExecutable(executable)
    process = Process()
    process.executableURL = binary
    process.arguments = arguments + ["--port", "0"]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let firstLine = try Self.firstLine(of: output.fileHandleForReading, within: 60)
    guard let range = firstLine.range(of: "http://"),
      let url = URL(string: String(firstLine[range.lowerBound...]))
    else {
      process.terminate()
      throw ServeTestError("descent-serve printed no address: '\(firstLine)'")
    }
    address = url
  }

  deinit {
    process.terminate()
    process.waitUntilExit()
  }

  /// The URL of `path` with `query` on this server.
  func url(_ path: String, query: String = "") -> URL {
    URL(string: address.absoluteString.dropLast() + path + (query.isEmpty ? "" : "?" + query))!
  }

  /// The status and body of `GET path?query`.
  func get(_ path: String, query: String = "") async throws -> (status: Int, body: Data) {
    let (data, response) = try await URLSession.shared.data(from: url(path, query: query))
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
  }

  /// The first line `handle` gives, read on another thread so a silent process cannot hang the
  /// test past `seconds`.
  private static func firstLine(of handle: FileHandle, within seconds: Double) throws -> String {
    let line = LineBox()
    let done = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
      var bytes = Data()
      while !bytes.contains(UInt8(ascii: "\n")) {
        let chunk = handle.availableData
        if chunk.isEmpty { break }
        bytes.append(chunk)
      }
      line.set(String(decoding: bytes, as: UTF8.self))
      done.signal()
    }
    guard done.wait(timeout: .now() + seconds) == .success else {
      throw ServeTestError("descent-serve printed nothing within \(Int(seconds)) s")
    }
    return line.get().split(separator: "\n").first.map(String.init) ?? ""
  }

  /// The executable `name` built beside these tests (SwiftPM puts products and the test bundle
  /// in one folder, `.build/<triple>/<configuration>`).
  static func builtExecutable(_ name: String) throws -> URL {
    var folders: [URL] = []
    if let bundle = Bundle.allBundles.first(where: { $0.bundleURL.pathExtension == "xctest" }) {
      folders.append(bundle.bundleURL.deletingLastPathComponent())
    }
    if let main = Bundle.main.executableURL { folders.append(main.deletingLastPathComponent()) }
    let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    folders.append(package.appendingPathComponent(".build/debug"))
    for folder in folders {
      let candidate = folder.appendingPathComponent(name)
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw ServeTestError("no \(name) built in \(folders.map(\.path)); run swift build first")
  }
}

/// A string handed from one thread to another.
private final class LineBox: @unchecked Sendable {
  private let lock = NSLock()
  private var text = ""
  func set(_ value: String) { lock.withLock { text = value } }
  func get() -> String { lock.withLock { text } }
}

/// A failure of the test set-up, with what to do about it.
struct ServeTestError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
