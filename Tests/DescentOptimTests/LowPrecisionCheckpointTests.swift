import DescentTensor
import Foundation
import Testing

@testable import DescentOptim

/// Checkpoints of 8-bit and bfloat16 optimizer state: codes stored as `U8` and bfloat16 moments
/// as `BF16` (bitsandbytes' layout, about a byte per parameter per state buffer), restored bit for
/// bit, and hostile files refused by tensor name.
@Suite struct LowPrecisionCheckpointTests {
  /// A parameter of 16 whole blocks and a partial one (8-bit state), and a small one (float32).
  static let shapes = [[16 * 256 + 100], [10]]
  static var largeCount: Int { shapes[0].reduce(1, *) }
  static var blocks: Int { BlockwiseQuantization.blockCount(largeCount) }

  /// A run: parameters, the catalog's optimizer `name` over them and a checkpoint of both.
  struct Run<Scalar: LaneScalar> {
    let parameters: [Parameter<Scalar>]
    let optimizer: any TrainingOptimizer<Scalar>
    let checkpoint: TrainingCheckpoint<Scalar>

    init(_ name: String) throws {
      parameters = makeParameters(LowPrecisionCheckpointTests.shapes, as: Scalar.self)
      optimizer = try OptimizerCatalog.make(name, parameters: parameters)
      checkpoint = try TrainingCheckpoint(
        namedParameters: parameters.enumerated().map { ("p\($0)", $1) }, optimizer: optimizer)
    }
  }

  /// A folder removed at the end of the test, and a checkpoint of `name` after 3 steps in it.
  struct SavedRun<Scalar: LaneScalar> {
    let name: String
    let folder: URL
    let file: URL
    let run: Run<Scalar>

    init(_ name: String) throws {
      self.name = name
      folder = try checkpointFolder()
      file = folder.appendingPathComponent("run.safetensors")
      run = try Run(name)
      runSteps(run.optimizer, run.parameters, count: 3)
      try run.checkpoint.save(to: file)
    }

    var archive: SafetensorsArchive {
      get throws { try SafetensorsArchive(bytes: AtomicFile.read(file), path: file.path) }
    }

    /// Writes `archive` over the file (with fresh checksums) and loads it into a fresh run.
    func load(_ archive: SafetensorsArchive) throws -> Run<Scalar> {
      try Data(archive.encoded()).write(to: file)
      let loaded = try Run<Scalar>(name)
      try loaded.checkpoint.load(from: file)
      return loaded
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
  }

  @Test(arguments: ["Adam8bit", "AdamW8bit", "SGD8bit", "Lion8bit", "AdamBF16"])
  func checkpointResumesBitForBit(_ name: String) throws {
    try resumesBitForBit(name, as: Float.self)
  }

  /// In float64 too: the codes are `U8`, the maps and scales `F32`, the rest `F64`.
  @Test func float64CheckpointResumesBitForBit() throws {
    try resumesBitForBit("Adam8bit", as: Double.self)
    let saved = try SavedRun<Double>("Lion8bit")
    defer { saved.remove() }
    let types = try saved.archive.entries.map { "\($0.name) \($0.values.dtype)" }
    #expect(
      types.sorted() == [
        "model.p0 F64", "model.p1 F64", "optimizer.0.absmax1 F32", "optimizer.0.qmap1 F32",
        "optimizer.0.state1 U8", "optimizer.1.state1 F64",
      ])
  }

  /// A run of `name` saved after 3 steps and loaded into a fresh one: both take 2 more steps
  /// to the same bits.
  func resumesBitForBit<Scalar: LaneScalar>(_ name: String, as _: Scalar.Type) throws {
    let saved = try SavedRun<Scalar>(name)
    defer { saved.remove() }
    let loaded = try Run<Scalar>(name)
    try loaded.checkpoint.load(from: saved.file)
    #expect(loaded.optimizer.stateDict() == saved.run.optimizer.stateDict())
    runSteps(saved.run.optimizer, saved.run.parameters, from: 3, count: 2)
    runSteps(loaded.optimizer, loaded.parameters, from: 3, count: 2)
    for (a, b) in zip(loaded.parameters, saved.run.parameters) {
      // Widened to Double, every value keeps its own bits (-0 too).
      let bits = { (values: [Scalar]) in values.map { Double($0).bitPattern } }
      #expect(bits(a.value.scalars) == bits(b.value.scalars), "\(name)")
    }
    #expect(loaded.optimizer.stateDict() == saved.run.optimizer.stateDict())
  }

  /// bitsandbytes' `Adam8bit` state for a parameter of n >= 4096 elements: `state1` and
  /// `state2` uint8 of the parameter's shape, `qmap1` and `qmap2` float32 of 256, `absmax1` and
  /// `absmax2` float32 of ceil(n / 256); a smaller parameter keeps float32 `state1`, `state2`.
  @Test func eightBitStateIsStoredInBitsandbytesLayout() throws {
    let saved = try SavedRun<Float>("Adam8bit")
    defer { saved.remove() }
    let archive = try saved.archive
    let (n, blocks) = (Self.largeCount, Self.blocks)
    let expected: [String: (SafetensorsArchive.DType, [Int])] = [
      "optimizer.0.state1": (.u8, [n]), "optimizer.0.state2": (.u8, [n]),
      "optimizer.0.qmap1": (.f32, [256]), "optimizer.0.qmap2": (.f32, [256]),
      "optimizer.0.absmax1": (.f32, [blocks]), "optimizer.0.absmax2": (.f32, [blocks]),
      "optimizer.1.state1": (.f32, [10]), "optimizer.1.state2": (.f32, [10]),
    ]
    let stored = archive.entries.filter { $0.name.hasPrefix("optimizer.") }
    #expect(Set(stored.map(\.name)) == Set(expected.keys))
    for entry in stored {
      #expect(entry.values.type == expected[entry.name]?.0, "\(entry.name)")
      #expect(entry.shape == expected[entry.name]?.1, "\(entry.name)")
    }
    #expect(
      archive["optimizer.0.qmap1"]?.values.doubles
        == BlockwiseQuantization.codebook(signed: true).map(Double.init))
    // A byte per element per state buffer, 4 per block of 256, two 1 KiB maps; the small
    // parameter's float32 state.
    let stateBytes = stored.reduce(0) { $0 + $1.values.count * $1.values.type.size }
    #expect(stateBytes == 2 * n + 2 * 4 * blocks + 2 * 4 * 256 + 2 * 4 * 10)
    let fileBytes = try AtomicFile.read(saved.file).count
    let modelBytes = 4 * (n + 10)
    #expect(fileBytes - modelBytes - stateBytes < 8192, "header and metadata")
  }

  @Test func bfloat16MomentsAreStoredAsBF16() throws {
    let saved = try SavedRun<Float>("AdamBF16")
    defer { saved.remove() }
    let archive = try saved.archive
    for index in 0..<2 {
      for buffer in ["exp_avg", "exp_avg_sq"] {
        let entry = try #require(archive["optimizer.\(index).\(buffer)"])
        #expect(entry.values.type == .bf16 && entry.shape == Self.shapes[index])
        let live = try #require(
          saved.run.optimizer.stateDict().state[index]?.buffers[buffer])
        #expect(entry.values.doubles == live)
      }
    }
  }

  /// Files written before codes were `U8` hold them as `F32` and name no buffer types: they
  /// still load and resume bit for bit; one of their codes that is not a whole number in
  /// 0...255 is refused by name.
  @Test func checkpointsWithFloatCodesStillLoad() throws {
    let saved = try SavedRun<Float>("Adam8bit")
    defer { saved.remove() }
    var archive = try saved.archive
    archive.metadata[CheckpointManifest.key] = try Self.withoutBufferDTypes(
      archive.metadata[CheckpointManifest.key])
    for (position, entry) in archive.entries.enumerated() where entry.values.type != .f32 {
      archive.entries[position].values = .f32(entry.values.doubles.map { Float($0) })
    }
    let loaded = try saved.load(archive)
    #expect(loaded.optimizer.stateDict() == saved.run.optimizer.stateDict())
    runSteps(saved.run.optimizer, saved.run.parameters, from: 3, count: 1)
    runSteps(loaded.optimizer, loaded.parameters, from: 3, count: 1)
    #expect(loaded.parameters[0].value.scalars == saved.run.parameters[0].value.scalars)

    let position = try #require(archive.entries.firstIndex { $0.name == "optimizer.0.state2" })
    archive.entries[position].values = .f32([2.5] + Array(repeating: 0, count: Self.largeCount - 1))
    let error = #expect(throws: CheckpointError.self) { _ = try saved.load(archive) }
    #expect(
      error?.description.contains("parameter 0: buffer 'state2' holds a value that is not a code")
        == true, "\(String(describing: error))")
  }

  /// A hostile change to one tensor of a saved 8-bit checkpoint.
  typealias Change = @Sendable (inout SafetensorsArchive.Entry) -> Void

  /// Each hostile change to a saved 8-bit checkpoint, and a phrase the refusal must hold.
  static let hostileChanges: [(name: String, phrase: String, change: Change)] = [
    (
      "optimizer.0.state1", "shape [4195] of U8 needs 4195 bytes, its offsets span 4196",
      { $0.shape = [$0.shape[0] - 1] }
    ),
    (
      "optimizer.0.state1", "has dtype F32, expected U8",
      { $0.values = .f32($0.values.doubles.map { Float($0) }) }
    ),
    (
      "optimizer.0.absmax2", "has dtype BF16, expected F32",
      { $0.values = .bf16(Array(repeating: 0, count: $0.values.count)) }
    ),
    (
      "optimizer.0.absmax1", "has 16 elements; a parameter of 4196 elements has 17",
      {
        $0.values = .f32(Array(repeating: 1, count: 16))
        $0.shape = [16]
      }
    ),
    (
      "optimizer.0.absmax1", "holds nan at element 3",
      { $0.values = .f32((0..<17).map { $0 == 3 ? .nan : 1 }) }
    ),
    (
      "optimizer.1.state1", "has dtype U8, expected F32 or F64",
      { $0.values = .u8(Array(repeating: 0, count: 10)) }
    ),
  ]

  @Test(arguments: hostileChanges.indices)
  func hostileEightBitStateIsRefusedByTensorName(_ index: Int) throws {
    let (name, phrase, change) = Self.hostileChanges[index]
    let saved = try SavedRun<Float>("Adam8bit")
    defer { saved.remove() }
    var archive = try saved.archive
    let position = try #require(archive.entries.firstIndex { $0.name == name })
    change(&archive.entries[position])
    let error = #expect(throws: CheckpointError.self) { _ = try saved.load(archive) }
    let text = error?.description ?? ""
    #expect(text.contains("'\(name)'") && text.contains(phrase), "\(text)")
  }

  @Test func aStateDictValueTheBufferTypeCannotHoldIsNotSaved() throws {
    let folder = try checkpointFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    var dict = OptimizerStateDict(state: [:], paramGroups: [])
    dict.state[0] = .init(
      step: 1, shape: [2], buffers: ["state1": [3, 1.5]], bufferOrder: ["state1"], scalars: [:],
      bufferDTypes: ["state1": .uint8])
    let snapshot = Snapshot(dict: dict)
    let checkpoint = try TrainingCheckpoint<Float>(namedParameters: [], optimizer: snapshot)
    let error = #expect(throws: CheckpointError.self) {
      try checkpoint.save(to: folder.appendingPathComponent("bad.safetensors"))
    }
    #expect(
      error?.description.contains("tensor 'optimizer.0.state1' is kept in uint8 but holds 1.5")
        == true, "\(String(describing: error))")
  }

  /// A state dict may only give a buffer the type the optimizer keeps it in.
  @Test func bufferTypesTheOptimizerDoesNotKeepAreRefused() throws {
    let parameters = makeParameters(Self.shapes, as: Float.self)
    let optimizer = try OptimizerCatalog.make("Adam8bit", parameters: parameters)
    runSteps(optimizer, parameters, count: 1)
    let cases: [(Int, String, OptimizerStateDict.BufferDType)] = [
      (1, "state1", .uint8), (0, "state1", .bfloat16), (0, "absmax1", .uint8),
    ]
    for (index, buffer, dtype) in cases {
      var dict = optimizer.stateDict()
      dict.state[index]?.bufferDTypes[buffer] = dtype
      let error = #expect(throws: OptimizerError.self) { try optimizer.loadStateDict(dict) }
      let phrase = "parameter \(index): buffer '\(buffer)' is kept in \(dtype.rawValue)"
      #expect(error?.description.contains(phrase) == true, "\(String(describing: error))")
    }
  }

  @Test func stateDictsWithoutBufferTypesDecode() throws {
    let record = OptimizerStateDict.ParameterRecord(
      step: 2, shape: [1], buffers: ["exp_avg": [0.5]], bufferOrder: ["exp_avg"], scalars: [:])
    var json = try #require(
      try JSONSerialization.jsonObject(with: JSONEncoder().encode(record)) as? [String: Any])
    json["bufferDTypes"] = nil
    let decoded = try JSONDecoder().decode(
      OptimizerStateDict.ParameterRecord.self, from: JSONSerialization.data(withJSONObject: json))
    #expect(decoded == record)
  }

  /// The manifest JSON `text` with every record's `bufferDTypes` removed (as files written
  /// before them).
  static func withoutBufferDTypes(_ text: String?) throws -> String {
    let data = Data(try #require(text).utf8)
    var manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    var optimizer = try #require(manifest["optimizer"] as? [String: Any])
    let records = try #require(optimizer["state"] as? [[String: Any]])
    optimizer["state"] = records.map { $0.filter { $0.key != "bufferDTypes" } }
    manifest["optimizer"] = optimizer
    return String(decoding: try JSONSerialization.data(withJSONObject: manifest), as: UTF8.self)
  }
}

/// A state dict held as a value, checkpointed as an optimizer's.
private final class Snapshot: CheckpointableOptimizer {
  let name = "Adam8bit"
  let dict: OptimizerStateDict

  init(dict: OptimizerStateDict) { self.dict = dict }

  func stateDict() -> OptimizerStateDict { dict }

  func loadStateDict(_: OptimizerStateDict) throws {}
}
