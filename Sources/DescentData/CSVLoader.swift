import DescentTensor
import Foundation

/// Reads numeric CSV files: every column a number, the last (or a chosen) column the integer label
/// (classification) or a real-valued target (regression, ``Task/regression``).
///
/// Lines may end in `\n` or `\r\n`; a UTF-8 byte order mark is skipped. Labels are class numbers
/// `0..<classes`, where the number of classes is taken from the data as the largest label plus
/// one (see ``Dataset/classCount``).
public enum CSVLoader {
  /// The largest file read, in bytes (256 MiB).
  public static let maximumFileSize = 256 << 20
  /// The most columns a row may have.
  public static let maximumColumnCount = 100_000
  /// The most classes a data set may have: labels are at most `maximumClassCount - 1`.
  public static let maximumClassCount = 10_000

  /// What the label column holds.
  public enum Task: String, CaseIterable, Sendable {
    /// Whole-number class labels `0..<classes`.
    case classification
    /// Real-valued targets.
    case regression
  }

  /// Loads a data set from the CSV file at `url`.
  ///
  /// Blank lines are skipped. When `header` is `nil` (detect), a first row where no field is a
  /// number is a header and skipped, a first row of numbers is data, and a first row that mixes
  /// the two is an error (a typo in the first data row is not taken for a header). `true` skips
  /// the first row; `false` reads it as data.
  /// - Parameter labelColumn: the label's column; negative counts from the end (default -1).
  /// - Parameter task: whether that column holds class labels or real-valued targets.
  /// - Throws: ``DataError`` naming the file, line and value of the first problem; the file
  ///   must be a regular file of at most ``maximumFileSize`` bytes of UTF-8 text.
  public static func load<Scalar: TensorScalar>(
    _ url: URL, labelColumn: Int = -1, header: Bool? = nil, task: Task = .classification,
    as _: Scalar.Type = Scalar.self
  ) throws -> Dataset<Scalar> {
    let path = url.path
    switch FileKind(path: path) {
    case .missing: throw DataError.unreadable(path: path, reason: "no such file")
    case .special(let kind): throw DataError.notARegularFile(path: path, kind: kind)
    case .regular: break
    }
    guard FileManager.default.isReadableFile(atPath: path) else {
      throw DataError.unreadable(path: path, reason: "permission denied")
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    guard size <= maximumFileSize else {
      throw DataError.tooLarge(path: path, bytes: size, limit: maximumFileSize)
    }
    let bytes: Data
    do {
      bytes = try Data(contentsOf: url)
    } catch {
      throw DataError.unreadable(path: path, reason: (error as NSError).localizedDescription)
    }
    guard bytes.count <= maximumFileSize else {
      throw DataError.tooLarge(path: path, bytes: bytes.count, limit: maximumFileSize)
    }
    guard let text = String(data: bytes, encoding: .utf8) else {
      throw DataError.unreadable(path: path, reason: "the file is not UTF-8 text")
    }
    return try parse(text, path: path, labelColumn: labelColumn, header: header, task: task)
  }

  /// Parses CSV text; `path` is only used in error messages.
  ///
  /// - Throws: ``DataError`` as ``load(_:labelColumn:header:task:as:)`` does.
  public static func parse<Scalar: TensorScalar>(
    _ text: String, path: String, labelColumn: Int = -1, header: Bool? = nil,
    task: Task = .classification, as _: Scalar.Type = Scalar.self
  ) throws -> Dataset<Scalar> {
    var features: [Scalar] = []
    var labels: [Int] = []
    var targets: [Scalar] = []
    var columns: Int?
    var firstRow = true
    var labelIndex = 0
    for (line, row) in Lines(text) {
      let trimmed = row.trimmingCharacters(in: .whitespacesAndNewlines)
      if trimmed.isEmpty { continue }
      let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      if firstRow {
        firstRow = false
        if try isHeader(fields, header: header, path: path, line: line) { continue }
      }
      if let expected = columns {
        guard fields.count == expected else {
          throw DataError.columnCount(
            path: path, line: line, expected: expected, found: fields.count)
        }
      } else {
        guard fields.count >= 2 else { throw DataError.noFeatures(path: path) }
        guard fields.count <= maximumColumnCount else {
          throw DataError.tooManyColumns(
            path: path, line: line, found: fields.count, limit: maximumColumnCount)
        }
        labelIndex = labelColumn < 0 ? fields.count + labelColumn : labelColumn
        guard labelIndex >= 0 && labelIndex < fields.count else {
          throw DataError.labelColumn(path: path, column: labelColumn, columns: fields.count)
        }
        columns = fields.count
      }
      for (column, field) in fields.enumerated() {
        guard let value = Double(field) else {
          throw DataError.notANumber(path: path, line: line, column: column + 1, value: field)
        }
        guard value.isFinite else {
          throw DataError.notFinite(path: path, line: line, column: column + 1, value: field)
        }
        if column == labelIndex, task == .classification {
          labels.append(try label(value, field, path: path, line: line))
          continue
        }
        let scalar = Scalar(value)
        guard scalar.isFinite else {
          throw DataError.outOfRange(
            path: path, line: line, column: column + 1, value: field, type: Scalar.dtypeName)
        }
        if column == labelIndex { targets.append(scalar) } else { features.append(scalar) }
      }
    }
    let rows = labels.count + targets.count
    guard let columns, rows > 0 else { throw DataError.empty(path: path) }
    let matrix = Tensor(shape: [rows, columns - 1], scalars: features)
    if task == .regression {
      return try Dataset(features: matrix, targets: Tensor(shape: [rows, 1], scalars: targets))
    }
    return try Dataset(features: matrix, labels: labels)
  }

  /// Whether the first row is a header to skip: one without a single number (when detecting).
  private static func isHeader(_ fields: [String], header: Bool?, path: String, line: Int) throws
    -> Bool
  {
    switch header {
    case true?: return true
    case false?: return false
    case nil:
      let words = fields.enumerated().filter { Double($0.element) == nil }
      if words.isEmpty { return false }
      if words.count == fields.count { return true }
      throw DataError.mixedFirstRow(
        path: path, line: line, column: words[0].offset + 1, value: words[0].element)
    }
  }

  /// `value` (parsed from `field`) as a class number in `0..<maximumClassCount`.
  private static func label(_ value: Double, _ field: String, path: String, line: Int) throws
    -> Int
  {
    guard value >= 0, value == value.rounded() else {
      throw DataError.badLabel(path: path, line: line, value: field)
    }
    guard value < Double(maximumClassCount) else {
      throw DataError.labelTooLarge(path: path, line: line, value: field, limit: maximumClassCount)
    }
    return Int(value)
  }
}

/// The lines of a text with their numbers from 1, split at `\n` (a `\r` before it stays in the
/// line and is trimmed with the other whitespace), read lazily; a leading byte order mark is
/// dropped.
private struct Lines: Sequence, IteratorProtocol {
  private let scalars: Substring.UnicodeScalarView
  private var start: Substring.UnicodeScalarView.Index
  private var number = 0

  init(_ text: String) {
    var scalars = Substring(text).unicodeScalars
    if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
    self.scalars = scalars
    self.start = scalars.startIndex
  }

  mutating func next() -> (Int, Substring)? {
    guard start < scalars.endIndex else { return nil }
    let end = scalars[start...].firstIndex(of: "\n") ?? scalars.endIndex
    let line = Substring(scalars[start..<end])
    start = end < scalars.endIndex ? scalars.index(after: end) : end
    number += 1
    return (number, line)
  }
}
