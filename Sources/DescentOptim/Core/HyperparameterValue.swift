/// One hyperparameter's value as a parameter group stores it: a number, a flag or a pair
/// (`betas`, `etas`, `stepSizes`). Encodes as a JSON number, boolean or two-element array.
public enum HyperparameterValue: Sendable, Equatable, Codable, CustomStringConvertible,
  ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral
{
  /// A real number (PyTorch's Python floats and ints).
  case number(Double)
  /// A boolean option.
  case flag(Bool)
  /// A pair of numbers.
  case pair(Double, Double)

  /// A number.
  public init(floatLiteral value: Double) { self = .number(value) }
  /// A number.
  public init(integerLiteral value: Int) { self = .number(Double(value)) }
  /// A flag.
  public init(booleanLiteral value: Bool) { self = .flag(value) }

  /// Decodes a number, a boolean or a two-element array.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let flag = try? container.decode(Bool.self) {
      self = .flag(flag)
    } else if let number = try? container.decode(Double.self) {
      self = .number(number)
    } else {
      let values = try container.decode([Double].self)
      guard values.count == 2 else {
        throw DecodingError.dataCorruptedError(
          in: container, debugDescription: "a hyperparameter pair has 2 values, not \(values.count)"
        )
      }
      self = .pair(values[0], values[1])
    }
  }

  /// Encodes a number, a boolean or a two-element array.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .number(let value): try container.encode(value)
    case .flag(let value): try container.encode(value)
    case .pair(let first, let second): try container.encode([first, second])
    }
  }

  /// Swift's spelling: `0.9`, `false`, `(0.9, 0.999)`.
  public var description: String {
    switch self {
    case .number(let value): return "\(value)"
    case .flag(let value): return "\(value)"
    case .pair(let first, let second): return "(\(first), \(second))"
    }
  }
}
