import DescentData
import DescentTensor
import Foundation
import Testing

/// Parses `text` as float32 data named `x.csv`.
private func parse(_ text: String, header: Bool? = nil) throws -> Dataset<Float> {
  try CSVLoader.parse(text, path: "x.csv", header: header)
}

@Suite("Hostile CSV input")
struct HostileCSVTests {
  /// The class count comes from the data; labels too large for a class number are refused
  /// with the file and line, as are negative and fractional ones.
  @Test func labels() throws {
    let ten = try parse("1,2,0\n3,4,10\n")
    #expect(ten.classCount == 11 && ten.labels == [0, 10])
    for (text, line, value) in [
      ("1,2,0\n3,4,2000000000\n", 2, "2000000000"), ("1,2,10000\n", 1, "10000"),
      ("1,2,1e300\n", 1, "1e300"),
    ] {
      let error = #expect(throws: DataError.self) { try parse(text) }
      #expect(
        error
          == .labelTooLarge(
            path: "x.csv", line: line, value: value, limit: CSVLoader.maximumClassCount))
      #expect(error?.description.contains("x.csv:\(line): the label '\(value)'") == true)
      #expect(error?.description.contains("classes = largest label + 1") == true)
    }
    #expect(try parse("1,2,9999\n").classCount == 10_000)
    for (text, value) in [("1,2,0\n3,4,-1\n", "-1"), ("1,2,0\n3,4,0.5\n", "0.5")] {
      #expect(throws: DataError.badLabel(path: "x.csv", line: 2, value: value)) {
        try parse(text)
      }
    }
    #expect(throws: DataError.negativeLabel(index: 1, value: -3)) {
      try Dataset<Float>(features: Tensor(zeros: [2, 1]), labels: [0, -3])
    }
  }

  /// CRLF line ends (and a byte order mark) read as LF ones, with the same line numbers.
  @Test func windowsLineEnds() throws {
    let data = try parse("\u{FEFF}a,b,label\r\n1,2,0\r\n\r\n3,4,1\r\n")
    #expect(data.count == 2 && data.features.scalars == [1, 2, 3, 4] && data.labels == [0, 1])
    #expect(throws: DataError.columnCount(path: "x.csv", line: 3, expected: 3, found: 2)) {
      try parse("1,2,0\r\n3,4,1\r\n5,6\r\n")
    }
    #expect(throws: DataError.notANumber(path: "x.csv", line: 2, column: 1, value: "q")) {
      try parse("1,2,0\r\nq,4,1\r\n")
    }
  }

  /// A first row with some numbers and some words is an error, not a header dropped in silence;
  /// a row of words is a header.
  @Test func firstRowTypo() throws {
    let error = #expect(throws: DataError.self) { try parse("1,2x,0\n3,4,1\n") }
    #expect(error == .mixedFirstRow(path: "x.csv", line: 1, column: 2, value: "2x"))
    #expect(error?.description.hasPrefix("x.csv:1: column 2 is not a number: '2x'") == true)
    #expect(try parse("\n\nx,y,label\n1,2,0\n").count == 1)
    #expect(try parse("1,2x,0\n3,4,1\n", header: true).count == 1)
    #expect(throws: DataError.notANumber(path: "x.csv", line: 1, column: 1, value: "x")) {
      try parse("x,y,label\n1,2,0\n", header: false)
    }
  }

  /// Values that are not finite, or overflow the scalar type, are refused with line and column.
  @Test func nonFiniteAndOverflowingValues() throws {
    #expect(
      throws: DataError.outOfRange(
        path: "x.csv", line: 2, column: 1, value: "1e39", type: "float32")
    ) { try parse("1,2,0\n1e39,4,1\n") }
    #expect(
      throws: DataError.outOfRange(
        path: "x.csv", line: 1, column: 2, value: "-3.5e38", type: "float32")
    ) { try parse("1,-3.5e38,0\n") }
    let wide: Dataset<Double> = try CSVLoader.parse("1e39,2,0\n", path: "x.csv")
    #expect(wide.features.scalars == [1e39, 2])
    for value in ["nan", "inf", "-inf", "1e400"] {
      #expect(
        throws: DataError.notFinite(path: "x.csv", line: 2, column: 2, value: value), "\(value)"
      ) { try parse("1,2,0\n3,\(value),1\n") }
    }
  }

  /// Too few samples to split is an error; two or more give both parts.
  @Test func tooSmallToSplit() throws {
    let one = try parse("1,2,0\n")
    #expect(throws: DataError.tooFewSamples(source: "x.csv", count: 1, needed: 2)) {
      try one.splitForTraining(testFraction: 0.2, seed: 0, source: "x.csv")
    }
    let (train, test) = try parse("1,2,0\n3,4,1\n").splitForTraining(
      testFraction: 0.2, seed: 0, source: "x.csv")
    #expect(train.count == 1 && test.count == 1)
  }

  /// Folders, devices and FIFOs are refused before reading (a FIFO would block, /dev/zero never
  /// end); the message names the path and what it is.
  @Test func specialFiles() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "descent-hostile-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let fifo = folder.appendingPathComponent("pipe.csv")
    #expect(mkfifo(fifo.path, 0o644) == 0)
    let cases: [(URL, String)] = [
      (folder, "a folder"), (fifo, "a FIFO (named pipe)"),
      (URL(fileURLWithPath: "/dev/zero"), "a character device"),
    ]
    for (url, kind) in cases {
      let error = #expect(throws: DataError.self) {
        let _: Dataset<Float> = try CSVLoader.load(url)
      }
      #expect(error == .notARegularFile(path: url.path, kind: kind))
      #expect(error?.localizedDescription == "\(url.path) is \(kind), not a regular file")
    }
    let notText = folder.appendingPathComponent("binary.csv")
    try Data([0xFF, 0xFE, 0x00, 0x31]).write(to: notText)
    #expect(throws: DataError.unreadable(path: notText.path, reason: "the file is not UTF-8 text"))
    {
      let _: Dataset<Float> = try CSVLoader.load(notText)
    }
    #expect(FileKind(path: folder.appendingPathComponent("none").path) == .missing)
    #expect(FileKind.sameFile(fifo.path, folder.path + "/./pipe.csv"))
  }

  /// A first row wider than the column limit is refused before anything is allocated for it.
  @Test func tooManyColumns() {
    let row = Array(repeating: "0", count: CSVLoader.maximumColumnCount + 1).joined(separator: ",")
    #expect(
      throws: DataError.tooManyColumns(
        path: "x.csv", line: 1, found: CSVLoader.maximumColumnCount + 1,
        limit: CSVLoader.maximumColumnCount)
    ) { try parse(row) }
  }

  /// Mutated CSV text (bytes changed, inserted or dropped, from a seed) either loads or throws
  /// a `DataError`; nothing crashes, and what loads has labels in range and finite features.
  @Test func mutatedTextNeverCrashes() {
    let seed = Array("x,y,label\r\n1,2,0\n3.5,-4e2,1\n\n5,6,2\n".utf8)
    let alphabet = Array("0123456789.,-+eE\r\n nainf\u{FEFF}x".utf8)
    var generator = SeededGenerator(seed: 15)
    for _ in 0..<3_000 {
      var bytes = seed
      for _ in 0..<Int.random(in: 1...4, using: &generator) {
        let index = Int.random(in: 0..<bytes.count, using: &generator)
        let byte = alphabet.randomElement(using: &generator)!
        switch Int.random(in: 0..<3, using: &generator) {
        case 0: bytes[index] = byte
        case 1: bytes.insert(byte, at: index)
        default: if bytes.count > 1 { bytes.remove(at: index) }
        }
      }
      let text = String(decoding: bytes, as: UTF8.self)
      do {
        let data: Dataset<Float> = try CSVLoader.parse(text, path: "m.csv")
        #expect(data.labels.allSatisfy { (0..<CSVLoader.maximumClassCount).contains($0) })
        #expect(data.features.scalars.allSatisfy { $0.isFinite })
      } catch {
        #expect(error is DataError, "\(error)")
      }
    }
  }
}
