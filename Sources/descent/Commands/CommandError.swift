/// A command-line value the commands cannot use, with the option it came from.
enum CommandError: Error, CustomStringConvertible {
  /// A number that must be finite (and maybe positive) was not.
  case invalidNumber(option: String, text: String, requirement: String)
  /// A name (of a function, scheduler, ...) that is not one of the choices.
  case unknownName(kind: String, name: String, choices: [String])
  /// A `key=value` option without `=` or without a key.
  case malformedOption(option: String, text: String, expected: String)

  /// A sentence saying what was wrong and where.
  var description: String {
    switch self {
    case .invalidNumber(let option, let text, let requirement):
      return "\(option) \(text): \(requirement)"
    case .unknownName(let kind, let name, let choices):
      return "unknown \(kind) '\(name)'; choose from \(choices.joined(separator: ", "))"
    case .malformedOption(let option, let text, let expected):
      return "\(option) \(text): expected \(expected)"
    }
  }
}

/// `text` as a finite number, or an error naming `option`.
func finiteNumber(_ text: String, option: String) throws -> Double {
  guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
    throw CommandError.invalidNumber(option: option, text: text, requirement: "not a finite number")
  }
  return value
}
