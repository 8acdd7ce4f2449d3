/// An invalid training option, naming the option and the value.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
  /// `option` cannot take `value`.
  case invalidOption(String, String)

  /// `invalid --option value`.
  public var description: String {
    switch self {
    case .invalidOption(let option, let value): "invalid --\(option) \(value)"
    }
  }
}
