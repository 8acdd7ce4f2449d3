import DescentTensor
import Foundation

/// Reads numeric CSV files: every column a number, the last (or a chosen) column the integer label.
public enum CSVLoader {
  /// Loads a data set from the CSV file at `url`.
  ///
  /// Blank lines are skipped; a first line that is not numeric is taken as a header when
  /// `header` is `nil` (detect), skipped when `true`, and an error when `false`.
  /// - Parameter labelColumn: the label's column; negative counts from the end (default -1).
  /// - Throws: ``DataError`` naming the file, line and value of the first problem.
  public static func load<Scalar: TensorScalar>(
    _ url: URL, labelColumn: Int = -1, header: Bool? = nil, as _: Scalar.Type = Scalar.self
  ) throws -> Dataset<Scalar> {
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw DataError.unreadable(path: url.path, reason: (error as NSError).localizedDescription)
    }
    return try parse(text, path: url.path, labelColumn: labelColumn, header: header)
  }

  /// Parses CSV text; `path` is only used in error messages.
  public static func parse<Scalar: TensorScalar>(
    _ text: String, path: String, labelColumn: Int = -1, header: Bool? = nil,
    as _: Scalar.Type = Scalar.self
  ) throws -> Dataset<Scalar> {
    var features: [Scalar] = []
    var labels: [Int] = []
    var columns: Int?
    var firstDataLine = true
    for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false)
      .enumerated()
    {
      let line = offset + 1
      let trimmed = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
      if trimmed.isEmpty { continue }
      let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      if firstDataLine {
        firstDataLine = false
        let numeric = fields.allSatisfy { Double($0) != nil }
        if header == true || (header == nil && !numeric) { continue }
      }
      if let expected = columns, fields.count != expected {
        throw DataError.columnCount(path: path, line: line, expected: expected, found: fields.count)
      }
      if columns == nil {
        guard fields.count >= 2 else { throw DataError.noFeatures(path: path) }
        columns = fields.count
      }
      let labelIndex = labelColumn < 0 ? fields.count + labelColumn : labelColumn
      guard labelIndex >= 0 && labelIndex < fields.count else {
        throw DataError.columnCount(
          path: path, line: line, expected: labelIndex + 1, found: fields.count)
      }
      for (column, field) in fields.enumerated() {
        guard let value = Double(field), value.isFinite else {
          throw DataError.notANumber(path: path, line: line, column: column + 1, value: field)
        }
        if column == labelIndex {
          guard value >= 0, value == value.rounded(), value < Double(Int32.max) else {
            throw DataError.badLabel(path: path, line: line, value: field)
          }
          labels.append(Int(value))
        } else {
          features.append(Scalar(value))
        }
      }
    }
    guard let columns, !labels.isEmpty else { throw DataError.empty(path: path) }
    return try Dataset(
      features: Tensor(shape: [labels.count, columns - 1], scalars: features), labels: labels)
  }
}
