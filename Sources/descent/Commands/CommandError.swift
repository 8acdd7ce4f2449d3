import ArgumentParser
import Foundation

/// A command-line value the commands cannot use, with the option it came from.
enum CommandError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// A number that must be finite (and maybe positive) was not.
  case invalidNumber(option: String, text: String, requirement: String)
  /// A name (of a function, scheduler, ...) that is not one of the choices.
  case unknownName(kind: String, name: String, choices: [String])
  /// A `key=value` option without `=` or without a key.
  case malformedOption(option: String, text: String, expected: String)
  /// The same `key` given twice to a repeatable `option` (`--scheduler-option`, a hyperparameter).
  case repeatedOption(option: String, key: String)
  /// A path that cannot be used as `option` (a device, the input data, ...).
  case unusablePath(option: String, path: String, reason: String)

  /// A sentence saying what was wrong and where.
  var description: String {
    switch self {
    case .invalidNumber(let option, let text, let requirement):
      return "\(option) \(text): \(requirement)"
    case .unknownName(let kind, let name, let choices):
      return "unknown \(kind) '\(name)'; choose from \(choices.joined(separator: ", "))"
    case .malformedOption(let option, let text, let expected):
      return "\(option) \(text): expected \(expected)"
    case .repeatedOption(let option, let key):
      return "\(option) \(key) is given twice; give each once"
    case .unusablePath(let option, let path, let reason):
      return "\(option) \(path): \(reason)"
    }
  }

  /// Same as `description`, for Foundation's error reporting.
  var errorDescription: String? { description }
}

/// `text` as a finite number, or an error naming `option`.
func finiteNumber(_ text: String, option: String) throws -> Double {
  guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
    throw CommandError.invalidNumber(option: option, text: text, requirement: "not a finite number")
  }
  return value
}

/// `body`'s result, any error it throws turned into a `ValidationError` with the same sentence:
/// for checks in `validate()`, whose other errors ArgumentParser reports as failures (status 1)
/// rather than usage errors (64).
func asValidationError<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as ValidationError {
    throw error
  } catch {
    throw ValidationError(ErrorReport(error).message)
  }
}

/// Checks a number option in `validate()`: finite and within `range`.
///
/// - Throws: `ValidationError` naming the option, the value and the range.
func checkOption<T: Comparable & CustomStringConvertible>(
  _ option: String, _ value: T, in range: ClosedRange<T>
) throws {
  guard range.contains(value) else {
    throw ValidationError(
      "\(option) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
  }
}

/// Checks a real-number option in `validate()`: finite, and at least `minimum` when given.
///
/// - Throws: `ValidationError` naming the option and the value.
func checkFinite(_ option: String, _ value: Double?, minimum: Double? = nil, positive: Bool = false)
  throws
{
  guard let value else { return }
  guard value.isFinite else {
    throw ValidationError("\(option) must be a finite number, got \(value)")
  }
  if positive, !(value > 0) { throw ValidationError("\(option) must be > 0, got \(value)") }
  if let minimum, value < minimum {
    throw ValidationError("\(option) must be >= \(minimum), got \(value)")
  }
}
