import Foundation

/// Why ``ModelStateFile`` could not save or load a model's state. Every case names the file;
/// those about one tensor name its key. Loading throws before the model is changed; a failed
/// save leaves any previous file at the path untouched.
public enum ModelStateError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// A file-system operation failed (`action` is what was attempted, `reason` the system's word).
  case io(path: String, action: String, reason: String)
  /// The file ends before what its header promises.
  case truncated(path: String, reason: String)
  /// The file is not a valid safetensors file (header, JSON, shapes or offsets).
  case corrupted(path: String, reason: String)
  /// A tensor's element type is not one Descent reads (`BF16`, `F16`, `I32`, ...).
  case unsupportedDType(path: String, key: String, dtype: String)
  /// Keys the model has and the file lacks, and keys the file has and the model lacks (a strict
  /// load only).
  case keysDiffer(path: String, missing: [String], unexpected: [String])
  /// A tensor's shape in the file differs from the model's.
  case shapeMismatch(path: String, key: String, expected: [Int], found: [Int])
  /// A tensor holds `value` (`nan`, `inf` or `-inf`) at flat, row-major `index`.
  case nonFinite(path: String, key: String, index: Int, value: String)
  /// An entry cannot be stored or loaded as it is: a fraction in an integer buffer, a value
  /// beyond the range of the type it must be converted to, a key used twice.
  case invalidEntry(path: String, key: String, reason: String)

  /// What was wrong and where.
  public var description: String {
    switch self {
    case .io(let path, let action, let reason):
      return "model state file \(path): cannot \(action): \(reason)"
    case .truncated(let path, let reason):
      return "model state file \(path) is truncated: \(reason)"
    case .corrupted(let path, let reason):
      return "model state file \(path) is corrupted: \(reason)"
    case .unsupportedDType(let path, let key, let dtype):
      return
        "model state file \(path): tensor '\(key)' has dtype \(dtype), which Descent does not read (it reads \(listed(ModelStateFile.readableDTypes)))"
    case .keysDiffer(let path, let missing, let unexpected):
      var parts: [String] = []
      if !missing.isEmpty {
        parts.append("missing keys \(missing.map { "'\($0)'" }.joined(separator: ", "))")
      }
      if !unexpected.isEmpty {
        parts.append("unexpected keys \(unexpected.map { "'\($0)'" }.joined(separator: ", "))")
      }
      return "model state file \(path) does not fit the model: \(parts.joined(separator: "; "))"
    case .shapeMismatch(let path, let key, let expected, let found):
      return
        "model state file \(path): tensor '\(key)' has shape \(found), the model's has shape \(expected)"
    case .nonFinite(let path, let key, let index, let value):
      return "model state file \(path): tensor '\(key)' holds \(value) at element \(index)"
    case .invalidEntry(let path, let key, let reason):
      return "model state file \(path): tensor '\(key)': \(reason)"
    }
  }

  /// The same sentence as ``description``.
  public var errorDescription: String? { description }
}
