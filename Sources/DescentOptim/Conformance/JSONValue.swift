/// A JSON value as read from a fixture file.
public enum JSONValue: Decodable, Equatable, Sendable {
  /// `null`.
  case null
  /// `true` or `false`.
  case bool(Bool)
  /// A number.
  case number(Double)
  /// A string.
  case string(String)
  /// An array.
  case array([JSONValue])
  /// An object.
  case object([String: JSONValue])

  /// Decodes any JSON value.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  /// The number, or `nil` for another kind of value.
  public var number: Double? {
    if case .number(let value) = self { return value }
    return nil
  }

  /// The numbers of an array of numbers, or `nil` otherwise.
  public var numbers: [Double]? {
    guard case .array(let values) = self else { return nil }
    let numbers = values.compactMap(\.number)
    return numbers.count == values.count ? numbers : nil
  }

  /// The value as a hyperparameter: a number, a flag, a pair, a list of numbers or a word;
  /// `nil` otherwise.
  public var hyperparameter: HyperparameterValue? {
    switch self {
    case .number(let value): return .number(value)
    case .bool(let value): return .flag(value)
    case .string(let value): return .text(value)
    case .array:
      guard let values = numbers else { return nil }
      return values.count == 2 ? .pair(values[0], values[1]) : .list(values)
    default: return nil
    }
  }
}
