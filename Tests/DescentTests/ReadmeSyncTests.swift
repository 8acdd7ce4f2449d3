import Foundation
import Testing

/// Keeps the README's Swift snippets and their tests together: every ```swift block of README.md
/// must have a twin, a test under `Tests/` that holds the block's code lines in the same order
/// (other lines may come between them: set-up before, checks after). A test is one `@Test` of a
/// file, up to the next, after the file's lines before its first `@Test` (imports, types,
/// helpers). Lines are compared trimmed, without end-of-line comments; blank and comment-only
/// lines do not count.
///
/// A block that cannot be a test (manifest code) is preceded by the line
/// `<!-- snippet-check: skip (REASON) -->`, with the reason said.
@Suite("README snippets have twins")
struct ReadmeSyncTests {
  /// A ```swift block of the README.
  struct Snippet {
    /// The README's line number of the first line inside the block.
    let line: Int
    /// The block's code lines (``codeLine(_:)``) with their README line numbers.
    let code: [(line: Int, text: String)]
    /// Whether the block is marked to be skipped (with a reason).
    let skipped: Bool
  }

  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// The line's code, trimmed and without an end-of-line comment, or nil for a blank or
  /// comment-only line. A `//` inside a string literal is code.
  static func codeLine(_ line: some StringProtocol) -> String? {
    var inString = false
    var previous: Character = " "
    var end = line.endIndex
    for index in line.indices {
      let character = line[index]
      if character == "\"" && previous != "\\" { inString.toggle() }
      if !inString && character == "/" && previous == "/" {
        end = line.index(before: index)
        break
      }
      previous = character
    }
    let code = line[..<end].trimmingCharacters(in: .whitespaces)
    return code.isEmpty ? nil : code
  }

  /// The ```swift blocks of a Markdown text.
  static func snippets(of markdown: String) throws -> [Snippet] {
    let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
    var snippets: [Snippet] = []
    var index = 0
    while index < lines.count {
      defer { index += 1 }
      guard lines[index].trimmingCharacters(in: .whitespaces) == "```swift" else { continue }
      let marker = index > 0 ? lines[index - 1] : ""
      let (opening, closing) = ("<!-- snippet-check: skip (", ") -->")
      let skipped =
        marker.hasPrefix(opening) && marker.hasSuffix(closing)
        && marker.count > opening.count + closing.count
      let start = index + 2
      var code: [(line: Int, text: String)] = []
      index += 1
      while index < lines.count, !lines[index].hasPrefix("```") {
        if let text = codeLine(lines[index]) { code.append((index + 1, text)) }
        index += 1
      }
      try #require(index < lines.count, "the block at README line \(start) never ends")
      snippets.append(Snippet(line: start, code: code, skipped: skipped))
    }
    return snippets
  }

  /// How many of `code`'s lines, from the first, occur in order among `lines`.
  static func matchedPrefix(_ code: [String], in lines: [String]) -> Int {
    var matched = 0
    for line in lines where matched < code.count && line == code[matched] { matched += 1 }
    return matched
  }

  /// The tests of a file of code lines named `path`: for each `@Test`, the file's lines before
  /// its first `@Test` and the test's lines up to the next one, named by the path and the
  /// `@Test` line; a file without tests is one whole.
  static func tests(in lines: [String], path: String) -> [(name: String, lines: [String])] {
    let starts = lines.indices.filter { lines[$0].hasPrefix("@Test") }
    guard let first = starts.first else { return [(path, lines)] }
    return starts.indices.map { index in
      let end = index + 1 < starts.count ? starts[index + 1] : lines.count
      return (
        "\(path), `\(lines[starts[index]])`", Array(lines[..<first] + lines[starts[index]..<end])
      )
    }
  }

  /// The tests of every Swift file under `Tests/` (``tests(in:path:)``), as code lines.
  static func testSources() throws -> [(name: String, lines: [String])] {
    let folder = root.appendingPathComponent("Tests")
    let enumerator = try #require(FileManager.default.enumerator(atPath: folder.path))
    return try enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted()
      .flatMap { path in
        let text = try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
        return tests(in: text.split(separator: "\n").compactMap(codeLine), path: "Tests/\(path)")
      }
  }

  /// Why `snippet` has no twin among `tests` (nil when it has one): the README line and text
  /// of the snippet's first code line, the test that comes closest and the first line it lacks.
  static func missingTwin(_ snippet: Snippet, among tests: [(name: String, lines: [String])])
    -> String?
  {
    let code = snippet.code.map(\.text)
    let matches = tests.map { (name: $0.name, count: matchedPrefix(code, in: $0.lines)) }
    let best = matches.max { $0.count < $1.count } ?? (name: "none", count: 0)
    guard best.count < code.count else { return nil }
    let (first, lacking) = (snippet.code[0], snippet.code[best.count])
    return "README.md line \(first.line) (`\(first.text)`): no test under Tests/ holds "
      + "this snippet's code in order; closest is \(best.name), which lacks README line "
      + "\(lacking.line) `\(lacking.text)` (code line \(best.count + 1) of \(code.count))"
  }

  @Test func everySwiftSnippetHasATwinTest() throws {
    let readme = try String(
      contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
    let snippets = try Self.snippets(of: readme)
    let sources = try Self.testSources()
    #expect(snippets.filter { !$0.skipped }.count >= 10, "the README's snippets were not found")
    for snippet in snippets where !snippet.skipped {
      #expect(!snippet.code.isEmpty, "README.md line \(snippet.line): an empty snippet")
      if let problem = Self.missingTwin(snippet, among: sources) {
        Issue.record(Comment(rawValue: problem))
      }
    }
  }

  /// The check itself: a changed line, a line the test lacks or lines out of order are found;
  /// comments, blank lines and indentation are not compared; a skipped block is recognized.
  @Test func theCheckFindsWhatDiffers() throws {
    let markdown = """
      text
      ```swift
      let a = 1  // one
        // a comment
      print("https://example.com")

      let b = a + 1
      ```
      <!-- snippet-check: skip (manifest code) -->
      ```swift
      .package(path: "../descent"),
      ```
      """
    let snippets = try Self.snippets(of: markdown)
    #expect(snippets.map(\.line) == [3, 11])
    #expect(snippets.map(\.skipped) == [false, true])
    #expect(
      snippets[0].code.map(\.text) == [
        "let a = 1", #"print("https://example.com")"#, "let b = a + 1",
      ])
    #expect(snippets[0].code.map(\.line) == [3, 5, 7])
    let twin = [
      "func f() {", "let a = 1", "#expect(a == 1)", #"print("https://example.com")"#,
      "let b = a + 1", "}",
    ]
    #expect(Self.missingTwin(snippets[0], among: [("Twin.swift", twin)]) == nil)
    let changed = twin.map { $0 == "let b = a + 1" ? "let b = a + 2" : $0 }
    let reordered = ["let b = a + 1", "let a = 1", #"print("https://example.com")"#]
    #expect(Self.missingTwin(snippets[0], among: []) != nil, "no test files, no twin")
    // Lines before the first test belong to every test of the file; two tests are not one.
    let preamble = ["import Testing", "let a = 1", "@Test func f() {", "#expect(a == 1)"]
    let tests = Self.tests(
      in: preamble + [#"print("https://example.com")"#, "let b = a + 1", "}"], path: "Twin.swift")
    #expect(tests.map(\.name) == ["Twin.swift, `@Test func f() {`"])
    #expect(Self.missingTwin(snippets[0], among: tests) == nil)
    let two = Self.tests(
      in: ["@Test func f() {"] + twin.prefix(4) + ["}", "@Test func g() {", "let b = a + 1", "}"],
      path: "Twin.swift")
    #expect(two.count == 2 && Self.missingTwin(snippets[0], among: two) != nil)
    for lines in [changed, reordered, Array(twin.prefix(3))] {
      let problem = try #require(Self.missingTwin(snippets[0], among: [("Twin.swift", lines)]))
      #expect(problem.hasPrefix("README.md line 3 (`let a = 1`): no test"))
    }
    #expect(
      Self.missingTwin(snippets[0], among: [("Twin.swift", changed)])?.hasSuffix(
        "lacks README line 7 `let b = a + 1` (code line 3 of 3)") == true)
  }
}
