import Foundation

/// What can be wrong with outside data: each case says which file, line and value.
public enum DataError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// The file could not be read.
  case unreadable(path: String, reason: String)
  /// The path names something other than a regular file (a folder, a device, a FIFO, ...).
  case notARegularFile(path: String, kind: String)
  /// The file is larger than ``CSVLoader/maximumFileSize``.
  case tooLarge(path: String, bytes: Int, limit: Int)
  /// The file holds no data rows.
  case empty(path: String)
  /// A row has another number of columns than the first.
  case columnCount(path: String, line: Int, expected: Int, found: Int)
  /// A field is not a number.
  case notANumber(path: String, line: Int, column: Int, value: String)
  /// A field is a number but not a finite one (`nan`, `inf`).
  case notFinite(path: String, line: Int, column: Int, value: String)
  /// A field is finite but out of the range of the scalar type it is loaded as (1e39 in float32).
  case outOfRange(path: String, line: Int, column: Int, value: String, type: String)
  /// The first row mixes numbers and words: neither a header (no numbers) nor a data row.
  case mixedFirstRow(path: String, line: Int, column: Int, value: String)
  /// A label is not a non-negative whole number.
  case badLabel(path: String, line: Int, value: String)
  /// A label is a whole number too large to be a class number.
  case labelTooLarge(path: String, line: Int, value: String, limit: Int)
  /// The first row has more than ``CSVLoader/maximumColumnCount`` columns.
  case tooManyColumns(path: String, line: Int, found: Int, limit: Int)
  /// A row has no feature columns besides its label.
  case noFeatures(path: String)
  /// The chosen label column is not among the columns of the first row.
  case labelColumn(path: String, column: Int, columns: Int)
  /// Features and labels disagree in count.
  case labelCount(features: Int, labels: Int)
  /// A label given in code is negative (sample `index`).
  case negativeLabel(index: Int, value: Int)
  /// A batch size that is not positive.
  case batchSize(Int)
  /// Too few samples to make both a training and a test set.
  case tooFewSamples(source: String, count: Int, needed: Int)

  /// A sentence that names the file, line and value.
  public var description: String {
    switch self {
    case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
    case .notARegularFile(let path, let kind): "\(path) is \(kind), not a regular file"
    case .tooLarge(let path, let bytes, let limit):
      "\(path): the file has \(bytes) bytes; the limit is \(limit) bytes"
    case .empty(let path): "\(path): the file has no data rows"
    case .columnCount(let path, let line, let expected, let found):
      "\(path):\(line): expected \(expected) columns (as in the first row), found \(found)"
    case .notANumber(let path, let line, let column, let value):
      "\(path):\(line): column \(column) is not a number: '\(value)'"
    case .notFinite(let path, let line, let column, let value):
      "\(path):\(line): column \(column) is not a finite number: '\(value)'"
    case .outOfRange(let path, let line, let column, let value, let type):
      "\(path):\(line): column \(column) is out of the range of \(type): '\(value)'"
    case .mixedFirstRow(let path, let line, let column, let value):
      "\(path):\(line): column \(column) is not a number: '\(value)'; a header row holds no "
        + "numbers and a data row only numbers"
    case .badLabel(let path, let line, let value):
      "\(path):\(line): the label '\(value)' is not a non-negative whole number (labels are "
        + "class numbers 0..<classes, classes = largest label + 1)"
    case .labelTooLarge(let path, let line, let value, let limit):
      "\(path):\(line): the label '\(value)' is too large: labels are class numbers 0..<classes "
        + "(classes = largest label + 1), at most \(limit - 1)"
    case .tooManyColumns(let path, let line, let found, let limit):
      "\(path):\(line): \(found) columns; the limit is \(limit)"
    case .noFeatures(let path): "\(path): rows need at least one feature column before the label"
    case .labelColumn(let path, let column, let columns):
      "\(path): label column \(column) is not among the \(columns) columns"
    case .labelCount(let features, let labels): "\(features) feature rows but \(labels) labels"
    case .negativeLabel(let index, let value):
      "the label of sample \(index) is \(value); labels are class numbers 0, 1, 2, ..."
    case .batchSize(let size): "batch size must be positive, got \(size)"
    case .tooFewSamples(let source, let count, let needed):
      "\(source): \(count) sample\(count == 1 ? "" : "s") cannot be split into a training and a "
        + "test set; give at least \(needed)"
    }
  }

  /// Same as `description`, for Foundation's error reporting.
  public var errorDescription: String? { description }
}
