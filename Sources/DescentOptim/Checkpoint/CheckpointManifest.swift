import Foundation

/// The non-tensor part of a checkpoint, stored as JSON in the safetensors `__metadata__` under
/// ``key``. Tensors are named `model.<name>`, `optimizer.<index>.<buffer>` and
/// `averaging.<name>`.
struct CheckpointManifest: Codable, Equatable {
  /// The metadata key holding the manifest's JSON.
  static let key = "descent.checkpoint"
  /// The manifest format written by this version.
  static let currentFormat = 1

  /// One parameter's optimizer state without its buffers (they are tensors).
  struct OptimizerRecord: Codable, Equatable {
    var index: Int
    var step: Int
    var shape: [Int]
    var bufferOrder: [String]
    var scalars: [String: Double]
  }

  /// The optimizer's class name, groups and per-parameter records.
  struct OptimizerPart: Codable, Equatable {
    var name: String
    var paramGroups: [OptimizerStateDict.GroupRecord]
    var state: [OptimizerRecord]
  }

  /// The averaging rule's name and update count (the averages are tensors).
  struct AveragingPart: Codable, Equatable {
    var rule: String
    var nAveraged: Int
    var names: [String]
  }

  var format = CheckpointManifest.currentFormat
  /// The safetensors dtype of the model (`F32`, `F64`).
  var dtype: String
  /// The model's parameter names, in order.
  var parameters: [String]
  var optimizer: OptimizerPart?
  var scheduler: SchedulerState?
  var averaging: AveragingPart?
  var progress: TrainingProgress

  /// The manifest's JSON (non-finite numbers spelled `"inf"`, `"-inf"`, `"nan"`).
  func json() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  /// Reads the manifest from a file's metadata.
  static func read(from metadata: [String: String], path: String) throws -> CheckpointManifest {
    guard let text = metadata[key] else {
      throw CheckpointError.corrupted(
        path: path, reason: "its __metadata__ has no '\(key)' entry (not a Descent checkpoint)")
    }
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let manifest: CheckpointManifest
    do {
      manifest = try decoder.decode(CheckpointManifest.self, from: Data(text.utf8))
    } catch {
      throw CheckpointError.corrupted(
        path: path, reason: "its '\(key)' metadata is invalid: \(error)")
    }
    guard manifest.format == currentFormat else {
      throw CheckpointError.corrupted(
        path: path, reason: "format \(manifest.format) is not the supported \(currentFormat)")
    }
    return manifest
  }
}
