import DescentTraining
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

  /// A user's move: the learning-rate slider of SGD is focused and moved with the arrow keys
  /// (real key presses through the DevTools protocol, which fire the slider's own input
  /// events); the page redraws SGD's path with exactly the points `/api/paths` gives for the
  /// rate it now shows, and Momentum's path is unchanged.
  @Test func movingTheSliderRedrawsThePath() async throws {
    let server = try ServedExplorer()
    let browser = try DevToolsPipe()
    try browser.open(server.url("/", query: "function=quadratic&optimizers=sgd,momentum"))
    try browser.wait(until: "document.body.dataset.loaded === 'yes'")
    let drawn = "document.querySelector('path[data-optimizer=%@]').getAttribute('d')"
    let sgdBefore = try #require(try browser.evaluate(String(format: drawn, "sgd")) as? String)
    let momentumBefore = try browser.evaluate(String(format: drawn, "momentum")) as? String
    try browser.evaluate("document.getElementById('lr-sgd').focus()")
    for _ in 0..<8 { try browser.press("ArrowLeft", keyCode: 37) }
    try browser.wait(until: "document.body.dataset.paths === 'drawn'")
    let shown = try #require(
      try browser.evaluate("document.getElementById('lr-sgd-value').textContent") as? String)
    let lr = try #require(Double(shown))
    #expect(lr < PathLesson.quadraticLR / 2, "8 steps of 0.05 decades down from 0.075")
    let query = "function=quadratic&optimizers=sgd,momentum&lr_sgd=\(shown)"
    let (_, body) = try await server.get("/api/paths", query: query)
    let response = try JSONDecoder().decode(PathsResponse.self, from: body)
    let sgdAfter = try #require(try browser.evaluate(String(format: drawn, "sgd")) as? String)
    #expect(sgdAfter != sgdBefore)
    #expect(DrawnSVG.points(sgdAfter) == response.paths[0].points)
    #expect(try browser.evaluate(String(format: drawn, "momentum")) as? String == momentumBefore)
    let inURL = "new URLSearchParams(location.search).get('lr_sgd')"
    #expect(try browser.evaluate(inURL) as? String == shown, "the URL keeps the moved value")
  }

  /// Picking another function with the keyboard, then clicking the landscape: the page draws
  /// that function's lesson from the clicked start, the paths `/api/paths` gives for them.
  @Test func pickingAFunctionAndClickingAStartRedraws() async throws {
    let server = try ServedExplorer()
    let browser = try DevToolsPipe()
    try browser.open(server.url("/", query: "function=rosenbrock&optimizers=adam"))
    try browser.wait(until: "document.body.dataset.loaded === 'yes'")
    try browser.evaluate("document.getElementById('function').focus()")
    try browser.press("ArrowDown", keyCode: 40)
    try browser.wait(until: "document.body.dataset.paths === 'drawn'")
    #expect(try browser.evaluate("document.getElementById('function').value") as? String == "beale")
    // The centre of the plotted frame (44 + 486/2, 8 + 390/2 in the SVG's own units).
    let centre = """
      (() => { const r = document.getElementById('paths').getBoundingClientRect(), s = r.width / 540;
        return [r.left + 287 * s, r.top + 203 * s]; })()
      """
    let point = try #require(try browser.evaluate(centre) as? [Double])
    try browser.click(x: point[0], y: point[1])
    try browser.wait(until: "new URLSearchParams(location.search).has('x')")
    try browser.wait(until: "document.body.dataset.paths === 'drawn'")
    let x = try #require(
      try browser.evaluate("new URLSearchParams(location.search).get('x')") as? String)
    let y = try #require(
      try browser.evaluate("new URLSearchParams(location.search).get('y')") as? String)
    // Beale's region is -0.5...4.5 by -1...2.5: its centre is (2, 0.75), to a pixel or so.
    #expect(abs(Double(x)! - 2) < 0.05 && abs(Double(y)! - 0.75) < 0.05, "(\(x), \(y))")
    let (_, body) = try await server.get(
      "/api/paths", query: "function=beale&optimizers=adam&x=\(x)&y=\(y)")
    let response = try JSONDecoder().decode(PathsResponse.self, from: body)
    let drawn = try #require(
      try browser.evaluate("document.querySelector('path[data-optimizer=adam]').getAttribute('d')")
        as? String)
    #expect(DrawnSVG.points(drawn) == response.paths[0].points)
    #expect(response.paths[0].points[0] == [Double(x)!, Double(y)!])
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
      found[name] = points(d)
    }
    return found
  }

  /// The points of path data `M x y L x y ...`, as `[x, y]`.
  static func points(_ d: String) -> [[Double]] {
    let numbers = d.split(whereSeparator: { "ML ".contains($0) }).compactMap { Double($0) }
    return stride(from: 0, to: numbers.count - 1, by: 2).map { [numbers[$0], numbers[$0 + 1]] }
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
