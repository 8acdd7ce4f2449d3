/// One hyperparameter's value as a parameter group stores it: a number, a flag, a pair (`betas`,
/// `etas`, `stepSizes`), a list of numbers (Muon's `nsCoefficients`) or a word (Muon's
/// `adjustLrFn`). Encodes as a JSON number, boolean, array or string.
public enum HyperparameterValue: Sendable, Equatable, Codable, CustomStringConvertible,
  ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral
{
  /// A real number (PyTorch's Python floats and ints).
  case number(Double)
  /// A boolean option.
  case flag(Bool)
  /// A pair of numbers.
  case pair(Double, Double)
  /// Numbers other than a pair (a JSON array of any other length).
  case list([Double])
  /// A word naming a choice (PyTorch's string options).
  case text(String)

  /// A number.
  public init(floatLiteral value: Double) { self = .number(value) }
  /// A number.
  public init(integerLiteral value: Int) { self = .number(Double(value)) }
  /// A flag.
  public init(booleanLiteral value: Bool) { self = .flag(value) }

  /// Decodes a number, a boolean, an array (two elements make a pair) or a string.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let flag = try? container.decode(Bool.self) {
      self = .flag(flag)
    } else if let number = try? container.decode(Double.self) {
      self = .number(number)
    } else if let text = try? container.decode(String.self) {
      self = .text(text)
    } else {
      let values = try container.decode([Double].self)
      self = values.count == 2 ? .pair(values[0], values[1]) : .list(values)
    }
  }

  /// Encodes a number, a boolean, an array or a string.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .number(let value): try container.encode(value)
    case .flag(let value): try container.encode(value)
    case .pair(let first, let second): try container.encode([first, second])
    case .list(let values): try container.encode(values)
    case .text(let text): try container.encode(text)
    }
  }

  /// Swift's spelling: `0.9`, `false`, `(0.9, 0.999)`, `(3.4445, -4.775, 2.0315)`, and a word
  /// as it is (`match_rms_adamw`).
  public var description: String {
    switch self {
    case .number(let value): return "\(value)"
    case .flag(let value): return "\(value)"
    case .pair(let first, let second): return "(\(first), \(second))"
    case .list(let values): return "(" + values.map { "\($0)" }.joined(separator: ", ") + ")"
    case .text(let text): return text
    }
  }
}
