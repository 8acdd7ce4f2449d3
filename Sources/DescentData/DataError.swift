/// What can be wrong with outside data: each case says which file, line and value.
public enum DataError: Error, Equatable, CustomStringConvertible {
  /// The file could not be read.
  case unreadable(path: String, reason: String)
  /// The file holds no data rows.
  case empty(path: String)
  /// A row has another number of columns than the first.
  case columnCount(path: String, line: Int, expected: Int, found: Int)
  /// A field is not a number.
  case notANumber(path: String, line: Int, column: Int, value: String)
  /// A label is not a non-negative whole number.
  case badLabel(path: String, line: Int, value: String)
  /// A row has no feature columns besides its label.
  case noFeatures(path: String)
  /// Features and labels disagree in count.
  case labelCount(features: Int, labels: Int)
  /// A batch size that is not positive.
  case batchSize(Int)

  /// A sentence that names the file, line and value.
  public var description: String {
    switch self {
    case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
    case .empty(let path): "\(path): the file has no data rows"
    case .columnCount(let path, let line, let expected, let found):
      "\(path):\(line): expected \(expected) columns (as in the first row), found \(found)"
    case .notANumber(let path, let line, let column, let value):
      "\(path):\(line): column \(column) is not a number: '\(value)'"
    case .badLabel(let path, let line, let value):
      "\(path):\(line): the label '\(value)' is not a non-negative whole number"
    case .noFeatures(let path): "\(path): rows need at least one feature column before the label"
    case .labelCount(let features, let labels): "\(features) feature rows but \(labels) labels"
    case .batchSize(let size): "batch size must be positive, got \(size)"
    }
  }
}
