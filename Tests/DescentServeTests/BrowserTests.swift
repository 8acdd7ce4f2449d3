import Foundation
import Testing

@testable import DescentExplorer

/// The explorer in a real browser: headless Chromium (Debian's `chromium`, which
/// scripts/setup.sh installs) loads the page from `descent-serve`, the page asks the server for
/// the numbers and draws them, and the test reads the drawn SVG back from the DOM.
@Suite(.serialized) struct BrowserTests {
  /// Moving the SGD learning rate (the page reads its controls from the URL) redraws SGD's path
  /// with exactly the points `/api/paths` gives for the new rate, and leaves Momentum's alone.
  @Test func movingTheLearningRateRedrawsThePath() async throws {
    let server = try ServedExplorer()
    let base = "function=quadratic&optimizers=sgd,momentum&steps=30"
    var drawn: [String: [[Double]]] = [:]
    for lr in ["0.05", "0.02"] {
      let page = try Chromium.dumpDOM(server.url("/", query: base + "&lr_sgd=\(lr)"))
      #expect(page.contains("data-loaded=\"yes\""), "the page did not finish loading")
      let paths = DrawnSVG.paths(in: page, attribute: "data-optimizer")
      let (status, body) = try await server.get("/api/paths", query: base + "&lr_sgd=\(lr)")
      #expect(status == 200)
      let response = try JSONDecoder().decode(PathsResponse.self, from: body)
      for path in response.paths {
        let points = try #require(paths[path.name], "no path drawn for \(path.name)")
        #expect(points == path.points, "\(path.name) at lr \(lr)")
      }
      drawn[lr] = paths["sgd"]
    }
    #expect(drawn["0.05"] != drawn["0.02"])
    #expect(drawn["0.05"]?.count == 31)
  }

  /// A hostile value in the URL reaches the server, which refuses it; the page shows the
  /// server's sentence instead of drawing.
  @Test func refusedValueIsShownOnThePage() throws {
    let server = try ServedExplorer()
    let page = try Chromium.dumpDOM(server.url("/", query: "lr_sgd=nan&optimizers=sgd"))
    #expect(page.contains("class=\"error\""))
    #expect(page.contains("lr_sgd must be a finite number, got 'nan'"))
    #expect(DrawnSVG.paths(in: page, attribute: "data-optimizer").isEmpty)
  }

  /// Hostile requests over HTTP get a 400 and the server keeps serving.
  @Test func hostileRequestsGetBadRequest() async throws {
    let server = try ServedExplorer()
    for query in ["steps=1e12", "lr_sgd=-inf", "function=../../etc", "momentum=NaN"] {
      let (status, body) = try await server.get("/api/paths", query: query)
      #expect(status == 400, "\(query)")
      #expect(String(decoding: body, as: UTF8.self).contains("\"error\""))
    }
    #expect(try await server.get("/api/ewma", query: "days=10").status == 200)
  }
}

/// Headless Chromium, run for one page.
enum Chromium {
  /// The DOM of `url` once its scripts have run (virtual time lets the page's fetches finish),
  /// as Chromium serializes it.
  ///
  /// - Throws: when `chromium` is not installed (run scripts/setup.sh), does not finish within
  ///   two minutes, or fails.
  static func dumpDOM(_ url: URL) throws -> String {
    try run([
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
      "--run-all-compositor-stages-before-draw", "--virtual-time-budget=15000", "--dump-dom",
      url.absoluteString,
    ])
  }

  /// Chromium's standard output for `arguments`, with a fresh profile folder.
  static func run(_ arguments: [String]) throws -> String {
    let executable = try installed()
    let profile = FileManager.default.temporaryDirectory
      .appendingPathComponent("descent-chromium-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: profile) }
    let process = Process()
    process.executableURL = executable
    process.arguments = ["--user-data-dir=\(profile.path)"] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let timer = DispatchWorkItem { process.terminate() }
    DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: timer)
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    timer.cancel()
    guard process.terminationStatus == 0 else {
      throw ServeTestError(
        "chromium exited with status \(process.terminationStatus) (killed after 120 s?)")
    }
    return String(decoding: data, as: UTF8.self)
  }

  /// The `chromium` on PATH.
  static func installed() throws -> URL {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
    for folder in path.split(separator: ":") {
      let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("chromium")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw ServeTestError(
      "chromium is not installed: run scripts/setup.sh (apt-get install chromium)")
  }
}

/// Paths read back from serialized SVG.
enum DrawnSVG {
  /// The points of each `<path>` carrying `attribute`, by that attribute's value; `d` is
  /// `M x y L x y ...` in the server's coordinates.
  static func paths(in html: String, attribute: String) -> [String: [[Double]]] {
    var found: [String: [[Double]]] = [:]
    var rest = html[...]
    while let open = rest.range(of: "<path ") {
      let tagEnd = rest[open.upperBound...].firstIndex(of: ">") ?? rest.endIndex
      let tag = rest[open.upperBound..<tagEnd]
      rest = rest[tagEnd...]
      guard let name = value(of: attribute, in: tag), let d = value(of: "d", in: tag) else {
        continue
      }
      let numbers = d.split(whereSeparator: { "ML ".contains($0) }).compactMap { Double($0) }
      found[name] = stride(from: 0, to: numbers.count - 1, by: 2).map {
        [numbers[$0], numbers[$0 + 1]]
      }
    }
    return found
  }

  /// The value of `name="..."` in `tag` (the attributes of one element).
  private static func value(of name: String, in tag: Substring) -> String? {
    let attributes = " " + tag
    guard let start = attributes.range(of: " \(name)=\"") else { return nil }
    let after = attributes[start.upperBound...]
    guard let close = after.firstIndex(of: "\"") else { return nil }
    return String(after[..<close])
  }
}
