import Foundation

/// Why a fixture could not be checked.
public enum ConformanceError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// The file could not be read or is not the JSON of a fixture.
  case unreadable(path: String, reason: String)
  /// A field is missing or has the wrong form.
  case invalidField(String, String)
  /// No runner is registered for the fixture's kind.
  case unknownKind(String)

  /// A sentence saying what was wrong.
  public var description: String {
    switch self {
    case .unreadable(let path, let reason): return "cannot read fixture \(path): \(reason)"
    case .invalidField(let field, let reason): return "fixture field '\(field)': \(reason)"
    case .unknownKind(let kind): return "no conformance runner for fixture kind '\(kind)'"
    }
  }

  /// The same sentence as ``description``.
  public var errorDescription: String? { description }
}
