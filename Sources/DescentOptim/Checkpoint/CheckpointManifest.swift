import Foundation

/// The non-tensor part of a checkpoint, stored as JSON in the safetensors `__metadata__` under
/// ``key``. Tensors are named `model.<name>` (parameters and buffers, by their state-dict names),
/// `optimizer.<index>.<buffer>` and `averaging.<name>`.
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
    /// The buffers not held in the model's dtype and the type each is stored in (`nil` when
    /// there are none, and in files written before 8-bit codes were stored as `U8`).
    var bufferDTypes: [String: OptimizerStateDict.BufferDType]?
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
  /// The model's buffer names (BatchNorm's running statistics), in order; absent for a model
  /// without buffers and in files written before buffers were saved.
  var buffers: [String]?
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
    try manifest.checkCounts(path: path)
    return manifest
  }

  /// Checks that every count is in range: epochs in `0...TrainingProgress.maximumEpoch`, steps
  /// and averaging counts in `0...TrainingProgress.maximumStep`, parameter indices not negative,
  /// state shapes of non-negative extents whose element count fits in an `Int32`.
  ///
  /// - Throws: ``CheckpointError/corrupted(path:reason:)`` naming the field and its value.
  private func checkCounts(path: String) throws {
    func check(_ value: Int, _ range: ClosedRange<Int>, _ field: String) throws {
      guard range.contains(value) else {
        throw CheckpointError.corrupted(
          path: path,
          reason: "its '\(Self.key)' metadata has \(field) \(value), outside \(range.lowerBound)"
            + "...\(range.upperBound)")
      }
    }
    let steps = 0...TrainingProgress.maximumStep
    try check(progress.epoch, 0...TrainingProgress.maximumEpoch, "progress.epoch")
    try check(progress.step, steps, "progress.step")
    for record in optimizer?.state ?? [] {
      try check(record.index, 0...Int(Int32.max), "optimizer.state.index")
      try check(record.step, steps, "optimizer.state[\(record.index)].step")
      var count = 1
      for extent in record.shape {
        try check(extent, 0...Int(Int32.max), "an extent of optimizer.state[\(record.index)].shape")
        count = count.multipliedReportingOverflow(by: extent).overflow ? Int.max : count * extent
      }
      try check(count, 0...Int(Int32.max), "the element count of optimizer.state[\(record.index)]")
    }
    if let averaging { try check(averaging.nAveraged, steps, "averaging.nAveraged") }
  }
}
