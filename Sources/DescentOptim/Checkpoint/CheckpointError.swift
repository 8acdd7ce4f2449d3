import Foundation

/// Why a checkpoint could not be saved or loaded. Loading throws before anything in memory is
/// changed; a failed save leaves any previous file at the path untouched.
public enum CheckpointError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// A file-system operation failed (`action` is what was attempted, `reason` the system's word).
  case io(path: String, action: String, reason: String)
  /// The file ends before what its header promises.
  case truncated(path: String, reason: String)
  /// The file is not a valid safetensors file or its Descent metadata is damaged.
  case corrupted(path: String, reason: String)
  /// The bytes of tensor `name` (or, for `__metadata__`, the other metadata entries) differ
  /// from the CRC-32 stored when the file was written: the file was damaged since.
  case checksumMismatch(path: String, name: String, stored: String, computed: String)
  /// A tensor's element type is one this file may not hold (`F16`, `I32`, ...); `supported`
  /// lists those it may.
  case unsupportedDType(path: String, name: String, dtype: String, supported: [String])
  /// The model's parameter names differ from the checkpoint's.
  case parameterNames(missing: [String], unexpected: [String])
  /// A tensor's shape differs between the checkpoint and the object it is loaded into.
  case shape(name: String, checkpoint: [Int], expected: [Int])
  /// A tensor's element type differs from the model's (`F64` where `F32` is expected...).
  case dtype(name: String, checkpoint: String, expected: String)
  /// The checkpoint was written by another optimizer.
  case optimizerKind(checkpoint: String, optimizer: String)
  /// The checkpoint was written with another scheduler.
  case schedulerKind(checkpoint: String, scheduler: String)
  /// A part the caller asked to restore is not in the checkpoint.
  case missingPart(String)
  /// A state does not fit the object it is loaded into (group or parameter counts, ...).
  case stateMismatch(part: String, reason: String)
  /// A tensor to save holds a value that is not finite: such a checkpoint could not be loaded.
  case nonFinite(path: String, name: String, value: String)

  /// What was wrong and where.
  public var description: String {
    switch self {
    case .io(let path, let action, let reason):
      return "checkpoint \(path): cannot \(action): \(reason)"
    case .truncated(let path, let reason):
      return "checkpoint \(path) is truncated: \(reason)"
    case .corrupted(let path, let reason):
      return "checkpoint \(path) is corrupted: \(reason)"
    case .checksumMismatch(let path, let name, let stored, let computed):
      return
        "checkpoint \(path) is corrupted: \(Self.checksumReason(name: name, stored: stored, computed: computed))"
    case .unsupportedDType(let path, let name, let dtype, let supported):
      return
        "checkpoint \(path): tensor '\(name)': dtype \(dtype) is not supported (Descent reads \(listed(supported)) here)"
    case .parameterNames(let missing, let unexpected):
      var parts: [String] = []
      if !missing.isEmpty {
        parts.append("missing from the checkpoint: \(missing.joined(separator: ", "))")
      }
      if !unexpected.isEmpty {
        parts.append("not in the model: \(unexpected.joined(separator: ", "))")
      }
      return "checkpoint parameter names differ from the model's (\(parts.joined(separator: "; ")))"
    case .shape(let name, let checkpoint, let expected):
      return "checkpoint tensor '\(name)' has shape \(checkpoint), expected \(expected)"
    case .dtype(let name, let checkpoint, let expected):
      return "checkpoint tensor '\(name)' has dtype \(checkpoint), expected \(expected)"
    case .optimizerKind(let checkpoint, let optimizer):
      return "checkpoint was written by optimizer \"\(checkpoint)\", not \"\(optimizer)\""
    case .schedulerKind(let checkpoint, let scheduler):
      return "checkpoint was written with scheduler \"\(checkpoint)\", not \"\(scheduler)\""
    case .missingPart(let part):
      return "checkpoint holds no \(part)"
    case .stateMismatch(let part, let reason):
      return "checkpoint \(part) does not fit: \(reason)"
    case .nonFinite(let path, let name, let value):
      return
        "checkpoint \(path): not written, tensor '\(name)' holds \(value) (a file that holds it "
        + "could not be loaded; the previous file, if any, is kept)"
    }
  }

  /// The same sentence as ``description``.
  public var errorDescription: String? { description }

  /// What a ``checksumMismatch(path:name:stored:computed:)`` means, without the file's name.
  static func checksumReason(name: String, stored: String, computed: String) -> String {
    let what =
      name == TensorChecksums.metadataName
      ? "its metadata does" : "the bytes of tensor '\(name)' do"
    return
      "\(what) not match the checksum stored when it was written (CRC-32 \(computed), stored "
      + "\(stored)): the file was damaged since"
  }
}

/// `["F32"]` as `F32`, `["F32", "F64"]` as `F32 and F64`, three or more as `F32, F64 and I64`.
func listed(_ items: [String]) -> String {
  guard let last = items.last, items.count > 1 else { return items.first ?? "" }
  return items.dropLast().joined(separator: ", ") + " and " + last
}
