import DescentNN
import DescentOptim
import Foundation
import Testing

/// PyTorch's state dicts of `scripts/fixtures/model-state.py` (safetensors files) and the same
/// values as JSON.
struct ModelStateFixture: Decodable {
  /// One state-dict entry: key, safetensors dtype, shape and flat values.
  struct Entry: Decodable {
    let key: String
    let dtype: String
    let shape: [Int]
    let values: [Double]
  }

  /// A tensor of the forward pass.
  struct Values: Decodable {
    let shape: [Int]
    let values: [Double]
  }

  let model: String
  let dtype: String
  let entries: [Entry]
  let input: Values
  let output: Values

  static let names = ["mlp-f32", "mlp-f64", "batchnorm-f32", "batchnorm-f64"]

  /// The fixture file `name.ext` in the copied resources.
  static func url(_ name: String, _ ext: String = "safetensors") throws -> URL {
    try #require(
      Bundle.module.url(
        forResource: name, withExtension: ext, subdirectory: "Fixtures/model-state"))
  }

  init(_ name: String) throws {
    self = try JSONDecoder().decode(Self.self, from: Data(contentsOf: try Self.url(name, "json")))
  }

  /// A Descent model of this fixture's architecture.
  func makeModel<Scalar: TensorScalar>(_: Scalar.Type, seed: UInt64 = 7) -> Sequential<Scalar> {
    model == "mlp" ? modelStateMLP(seed: seed) : modelStateBatchNormNet(seed: seed)
  }
}

/// `nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 4))`.
func modelStateMLP<Scalar: TensorScalar>(seed: UInt64, hidden: Int = 16) -> Sequential<Scalar> {
  var generator = SeededGenerator(seed: seed)
  return Sequential(
    Linear(6, hidden, generator: &generator), ReLU(), Linear(hidden, 4, generator: &generator))
}

/// `nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))`; with
/// `batches`, that many forward passes run in training mode so the running statistics move.
func modelStateBatchNormNet<Scalar: TensorScalar>(seed: UInt64, batches: Int = 0)
  -> Sequential<Scalar>
{
  var generator = SeededGenerator(seed: seed)
  let model = Sequential<Scalar>(
    Linear(6, 8, generator: &generator), BatchNorm1d(numFeatures: 8), ReLU(),
    Linear(8, 3, generator: &generator))
  for _ in 0..<batches { _ = model(Tensor(normal: [5, 6], generator: &generator)) }
  return model
}

/// The state dict as names and exact bit patterns (widening to `Double` is exact).
func stateBits<Scalar: TensorScalar>(_ model: some Module<Scalar>) -> [String: [UInt64]] {
  Dictionary(
    uniqueKeysWithValues: model.stateDict().map { ($0.name, $0.tensor.scalars.map(\.bits)) })
}

extension BinaryFloatingPoint {
  /// The value widened to `Double` as a bit pattern.
  fileprivate var bits: UInt64 { Double(self).bitPattern }
}

/// A fresh folder in the temporary directory (the caller removes it).
func temporaryFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent(
    "descent-model-state-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// A safetensors file written by hand: `header` JSON, padded, then `data`.
func handmadeSafetensors(_ header: String, data: [UInt8] = []) -> [UInt8] {
  var json = Array(header.utf8)
  while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
  var bytes = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) }
  bytes += json + data
  return bytes
}

/// Little-endian bytes of `values`.
func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
  values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}

/// The tensors' names in the order of their data, the file's dtypes and its metadata.
func safetensorsLayout(_ url: URL) throws -> (
  order: [String], dtypes: [String: String], metadata: [String: String]?
) {
  let bytes = Array(try Data(contentsOf: url))
  let length = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
  var header = try #require(
    try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any])
  let metadata = header.removeValue(forKey: "__metadata__") as? [String: String]
  let tensors = try header.mapValues { try #require($0 as? [String: Any]) }
  let begin = { (name: String) in (tensors[name]?["data_offsets"] as? [Int])?.first ?? -1 }
  let order = tensors.keys.sorted { begin($0) < begin($1) }
  return (order, tensors.mapValues { $0["dtype"] as? String ?? "" }, metadata)
}

/// Loads `url` into `model`, expecting a rejection that leaves the model as it was.
func expectRejection<Scalar: TensorScalar>(
  _ model: some Module<Scalar>, from url: URL, strict: Bool = true,
  sourceLocation: SourceLocation = #_sourceLocation
) -> ModelStateError? {
  let before = stateBits(model)
  do {
    try ModelStateFile.load(into: model, from: url, strict: strict)
    Issue.record("loaded \(url.lastPathComponent)", sourceLocation: sourceLocation)
    return nil
  } catch {
    #expect(
      stateBits(model) == before, "the failed load changed the model",
      sourceLocation: sourceLocation)
    #expect(error.description.contains(url.path), sourceLocation: sourceLocation)
    #expect(error.errorDescription == error.description, sourceLocation: sourceLocation)
    return error
  }
}

@Suite struct ModelStateFileTests {
  // MARK: PyTorch -> Descent

  @Test(arguments: ModelStateFixture.names)
  func loadsPyTorchStateDict(_ name: String) throws {
    let fixture = try ModelStateFixture(name)
    try checkLoad(fixture, name, as: Float.self)
    try checkLoad(fixture, name, as: Double.self)
  }

  /// Loads the fixture into a `Scalar` model and compares every value with the JSON (exactly,
  /// after the conversion to `Scalar`), and the forward pass with PyTorch's.
  private func checkLoad<Scalar: TensorScalar>(
    _ fixture: ModelStateFixture, _ name: String, as _: Scalar.Type
  ) throws {
    let model = fixture.makeModel(Scalar.self)
    let result = try ModelStateFile.load(into: model, from: try ModelStateFixture.url(name))
    #expect(result.missingKeys.isEmpty && result.unexpectedKeys.isEmpty)
    let state = model.stateDict()
    #expect(state.map(\.name) == fixture.entries.map(\.key))
    for (entry, (key, tensor)) in zip(fixture.entries, state) {
      #expect(tensor.shape == entry.shape, "\(key)")
      #expect(tensor.scalars == entry.values.map { Scalar($0) }, "\(name) \(key) as \(Scalar.self)")
    }
    let tracked = model.namedBuffers().first { $0.name == "1.num_batches_tracked" }
    #expect(tracked.map { $0.buffer.isInteger && $0.buffer.value.item == 3 } ?? true)
    // The loaded model computes what PyTorch's did (eval mode: running statistics).
    model.eval()
    let input = Tensor(shape: fixture.input.shape, scalars: fixture.input.values.map { Scalar($0) })
    let output = model(input)
    #expect(output.shape == fixture.output.shape)
    let tolerance = Scalar.self == Float.self || fixture.dtype == "float32" ? 1e-5 : 1e-12
    for (actual, expected) in zip(output.scalars, fixture.output.values) {
      #expect(abs(Double(actual) - expected) <= tolerance * max(1, abs(expected)), "\(name)")
    }
  }

  // MARK: Descent -> file -> Descent (and PyTorch)

  @Test func roundTripIsBitExact() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let models: [(String, any Module<Float>, any Module<Float>)] = [
      ("mlp-f32", modelStateMLP(seed: 1), modelStateMLP(seed: 2)),
      (
        "batchnorm-f32", modelStateBatchNormNet(seed: 1, batches: 3),
        modelStateBatchNormNet(seed: 2)
      ),
    ]
    for (name, source, target) in models { try checkRoundTrip(name, source, target, in: folder) }
    let doubles: [(String, any Module<Double>, any Module<Double>)] = [
      ("mlp-f64", modelStateMLP(seed: 1), modelStateMLP(seed: 2)),
      (
        "batchnorm-f64", modelStateBatchNormNet(seed: 1, batches: 3),
        modelStateBatchNormNet(seed: 2)
      ),
    ]
    for (name, source, target) in doubles { try checkRoundTrip(name, source, target, in: folder) }
  }

  /// Saves `source`, checks the file's layout, loads it into `target` and compares bit for bit.
  private func checkRoundTrip<Scalar: TensorScalar>(
    _ name: String, _ source: any Module<Scalar>, _ target: any Module<Scalar>, in folder: URL
  ) throws {
    let url = folder.appendingPathComponent("descent-\(name).safetensors")
    try ModelStateFile.save(source, to: url)
    let layout = try safetensorsLayout(url)
    #expect(layout.order == source.stateDict().map(\.name))
    #expect(layout.metadata?["format"] == "pt" && layout.metadata?.count == 2)
    #expect(layout.metadata?["descent.crc32"]?.contains("\"__metadata__\":") == true)
    let floatType = Scalar.self == Float.self ? "F32" : "F64"
    for key in layout.order {
      #expect(layout.dtypes[key] == (key.hasSuffix("num_batches_tracked") ? "I64" : floatType))
    }
    #expect(stateBits(target) != stateBits(source))
    try ModelStateFile.load(into: target, from: url)
    #expect(stateBits(target) == stateBits(source), "\(name)")
    if name.hasPrefix("batchnorm") {
      #expect(target.stateDict().first { $0.name == "1.num_batches_tracked" }?.tensor.item == 3)
    }
    // The file left in the folder is the only one: no temporary remains.
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
    #expect(files.allSatisfy { !$0.hasPrefix(".") })
    try export(url)
  }

  /// A PyTorch file loaded into Descent and saved again holds the same bytes for every tensor.
  @Test(arguments: ModelStateFixture.names)
  func pyTorchFileSurvivesDescent(_ name: String) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let fixture = try ModelStateFixture(name)
    let url = folder.appendingPathComponent("\(name).safetensors")
    if fixture.dtype == "float32" {
      let model = fixture.makeModel(Float.self)
      try ModelStateFile.load(into: model, from: try ModelStateFixture.url(name))
      try ModelStateFile.save(model, to: url)
    } else {
      let model = fixture.makeModel(Double.self)
      try ModelStateFile.load(into: model, from: try ModelStateFixture.url(name))
      try ModelStateFile.save(model, to: url)
    }
    let original = try safetensorsLayout(try ModelStateFixture.url(name))
    let written = try safetensorsLayout(url)
    #expect(written.dtypes == original.dtypes)
    #expect(written.order == fixture.entries.map(\.key))
    // Reload as a model of the other type: the values survive the conversion both ways.
    let check = fixture.makeModel(Double.self, seed: 9)
    try ModelStateFile.load(into: check, from: url)
    for (entry, (_, tensor)) in zip(fixture.entries, check.stateDict()) {
      #expect(tensor.scalars == entry.values, "\(name) \(entry.key)")
    }
    try export(url)
  }

  /// Copies `url` into the folder named by `DESCENT_MODEL_STATE_EXPORT`, when set, for
  /// `scripts/fixtures/check-model-state.py`.
  private func export(_ url: URL) throws {
    guard let folder = ProcessInfo.processInfo.environment["DESCENT_MODEL_STATE_EXPORT"] else {
      return
    }
    let destination = URL(fileURLWithPath: folder).appendingPathComponent(url.lastPathComponent)
    try FileManager.default.createDirectory(
      atPath: folder, withIntermediateDirectories: true)
    try? FileManager.default.removeItem(at: destination)
    try FileManager.default.copyItem(at: url, to: destination)
  }

  @Test func saveReplacesAFileAndAFailedSaveKeepsIt() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("model.safetensors")
    let first: Sequential<Float> = modelStateMLP(seed: 1)
    try ModelStateFile.save(first, to: url)
    let second: Sequential<Float> = modelStateMLP(seed: 2)
    try ModelStateFile.save(second, to: url)
    let bytes = try Data(contentsOf: url)
    // A diverged model is refused and the file stays as it was.
    let diverged: Sequential<Float> = modelStateMLP(seed: 3)
    let bias = try #require(diverged.namedParameters().first { $0.name == "2.bias" })
    bias.parameter.value = Tensor([1, .infinity, 2, 3])
    #expect(
      throws: ModelStateError.nonFinite(path: url.path, key: "2.bias", index: 1, value: "inf")
    ) {
      try ModelStateFile.save(diverged, to: url)
    }
    #expect(try Data(contentsOf: url) == bytes)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.safetensors"])
    let check: Sequential<Float> = modelStateMLP(seed: 4)
    try ModelStateFile.load(into: check, from: url)
    #expect(stateBits(check) == stateBits(second))
  }

  @Test func integerBufferWithAFractionIsNotSaved() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("model.safetensors")
    let model: Sequential<Double> = modelStateBatchNormNet(seed: 1)
    let tracked = try #require(model.namedBuffers().first { $0.buffer.isInteger })
    tracked.buffer.value = Tensor(2.5)
    do {
      try ModelStateFile.save(model, to: url)
      Issue.record("saved")
    } catch {
      guard case .invalidEntry(_, let key, let reason) = error else {
        Issue.record("\(error)")
        return
      }
      #expect(key == "1.num_batches_tracked" && reason.contains("2.5"))
    }
    #expect(!FileManager.default.fileExists(atPath: url.path))
  }

  // MARK: Keys and shapes

  @Test func missingAndExtraKeys() throws {
    let url = try ModelStateFixture.url("mlp-f32")
    // The model has two more layers than the file.
    let longer = Sequential<Float>(
      Linear(6, 16), ReLU(), Linear(16, 4), ReLU(), Linear(4, 2))
    let missing = expectRejection(longer, from: url)
    #expect(
      missing == .keysDiffer(path: url.path, missing: ["4.weight", "4.bias"], unexpected: []))
    #expect(missing?.description.contains("missing keys '4.weight', '4.bias'") == true)
    // The file has a layer the model lacks.
    let shorter = Sequential<Float>(Linear(6, 16))
    let extra = expectRejection(shorter, from: url)
    // Unexpected keys come in the file's order (torch's save_file sorts them by name).
    #expect(extra == .keysDiffer(path: url.path, missing: [], unexpected: ["2.bias", "2.weight"]))
    #expect(extra?.description.contains("unexpected keys '2.bias', '2.weight'") == true)
    // Without strict, the common keys load and the others are reported.
    let fixture = try ModelStateFixture("mlp-f32")
    let result = try ModelStateFile.load(into: longer, from: url, strict: false)
    #expect(result.missingKeys == ["4.weight", "4.bias"] && result.unexpectedKeys.isEmpty)
    #expect(longer.stateDict()[0].tensor.scalars == fixture.entries[0].values.map { Float($0) })
    let partial = try ModelStateFile.load(into: shorter, from: url, strict: false)
    #expect(partial.missingKeys.isEmpty && partial.unexpectedKeys == ["2.bias", "2.weight"])
    #expect(shorter.stateDict()[1].tensor.scalars == fixture.entries[1].values.map { Float($0) })
  }

  @Test func wrongShapesAreRejected() throws {
    let url = try ModelStateFixture.url("mlp-f64")
    let narrow: Sequential<Double> = modelStateMLP(seed: 1, hidden: 8)
    let error = expectRejection(narrow, from: url)
    #expect(
      error == .shapeMismatch(path: url.path, key: "0.weight", expected: [8, 6], found: [16, 6]))
    #expect(error?.description.contains("[16, 6]") == true)
    // Keys that differ and a wrong shape: without strict, the shape still stops the load.
    let other = Sequential<Double>(Linear(6, 3))
    #expect(
      expectRejection(other, from: url, strict: false)
        == .shapeMismatch(path: url.path, key: "0.weight", expected: [3, 6], found: [16, 6]))
  }

  // MARK: Hostile files

  @Test func truncatedFilesAreRejected() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let bytes = Array(try Data(contentsOf: try ModelStateFixture.url("batchnorm-f32")))
    let headerEnd = 8 + bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
    let model: Sequential<Float> = modelStateBatchNormNet(seed: 1, batches: 2)
    let url = folder.appendingPathComponent("cut.safetensors")
    for cut in [0, 5, 8, 20, headerEnd - 3, headerEnd, headerEnd + 5, bytes.count - 1] {
      try Data(bytes.prefix(cut)).write(to: url)
      let error = expectRejection(model, from: url)
      switch error {
      case .truncated, .corrupted: break
      default: Issue.record("cut at \(cut): \(String(describing: error))")
      }
    }
    try Data(bytes.prefix(bytes.count - 4)).write(to: url)
    let error = expectRejection(model, from: url)
    #expect(error?.description.contains("truncated") == true)
    #expect(error?.description.contains("ends at data byte") == true)
  }

  @Test func flippedHeaderBytesAreRejected() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let bytes = Array(try Data(contentsOf: try ModelStateFixture.url("batchnorm-f64")))
    let headerEnd = 8 + bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
    let model: Sequential<Double> = modelStateBatchNormNet(seed: 1)
    let before = stateBits(model)
    let url = folder.appendingPathComponent("flipped.safetensors")
    var accepted: [Int] = []
    for index in 0..<headerEnd {
      var flipped = bytes
      flipped[index] ^= 0xFF
      try Data(flipped).write(to: url)
      do {
        try ModelStateFile.load(into: model, from: url)
        accepted.append(index)
      } catch {
        #expect(error.description.contains(url.path))
      }
    }
    #expect(accepted.isEmpty, "flips accepted at header bytes \(accepted)")
    #expect(stateBits(model) == before)
  }

  @Test func unsupportedDTypesAreNamed() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let model: Sequential<Float> = modelStateMLP(seed: 1)
    for dtype in ["BF16", "F16"] {
      // The whole MLP with 0.weight in a half-precision type (2 bytes per element).
      let url = folder.appendingPathComponent("\(dtype).safetensors")
      let header = """
        {"0.weight":{"dtype":"\(dtype)","shape":[16,6],"data_offsets":[0,192]},\
        "0.bias":{"dtype":"F32","shape":[16],"data_offsets":[192,256]},\
        "2.weight":{"dtype":"F32","shape":[4,16],"data_offsets":[256,512]},\
        "2.bias":{"dtype":"F32","shape":[4],"data_offsets":[512,528]}}
        """
      try Data(handmadeSafetensors(header, data: Array(repeating: 0x3F, count: 528))).write(to: url)
      let error = expectRejection(model, from: url)
      #expect(error == .unsupportedDType(path: url.path, key: "0.weight", dtype: dtype))
      #expect(error?.description.contains("dtype \(dtype)") == true)
      #expect(error?.description.contains("F32, F64 and I64") == true)
    }
  }

  @Test func i64TensorsAreCheckedLikeTheOthers() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let model: Sequential<Double> = modelStateBatchNormNet(seed: 1)
    let url = folder.appendingPathComponent("i64.safetensors")
    // A shape whose byte count overflows, offsets that do not match the shape, a gap, offsets
    // past the end, a negative extent, data that the tensors do not cover.
    let cases = [
      (
        #"{"x":{"dtype":"I64","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}}"#,
        "needs too many bytes"
      ),
      (#"{"x":{"dtype":"I64","shape":[2],"data_offsets":[0,8]}}"#, "needs 16 bytes"),
      (#"{"x":{"dtype":"I64","shape":[1],"data_offsets":[8,16]}}"#, "gap or overlap"),
      (#"{"x":{"dtype":"I64","shape":[3],"data_offsets":[0,24]}}"#, "ends at data byte 24"),
      (#"{"x":{"dtype":"I64","shape":[-1],"data_offsets":[0,8]}}"#, "invalid shape [-1]"),
      (#"{"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, "cover 8 bytes"),
    ]
    for (header, reason) in cases {
      try Data(handmadeSafetensors(header, data: littleEndianBytes([Int64(3), 4]))).write(to: url)
      let error = expectRejection(model, from: url)
      switch error {
      case .corrupted(_, let text), .truncated(_, let text):
        #expect(text.contains(reason), "\(header): \(text)")
      default: Issue.record("\(header): \(String(describing: error))")
      }
    }
  }

  @Test func nonFiniteValuesAreRejected() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let model: Sequential<Float> = modelStateMLP(seed: 1)
    let url = folder.appendingPathComponent("nan.safetensors")
    let source: Sequential<Float> = modelStateMLP(seed: 2)
    try ModelStateFile.save(source, to: url)
    try removeChecksums(at: url)
    var bytes = Array(try Data(contentsOf: url))
    let headerEnd = 8 + bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
    // 0.bias follows the 96 floats of 0.weight; make its element 3 a NaN.
    let offset = headerEnd + (96 + 3) * 4
    bytes.replaceSubrange(offset..<(offset + 4), with: littleEndianBytes([Float.nan.bitPattern]))
    try Data(bytes).write(to: url)
    let error = expectRejection(model, from: url)
    #expect(error == .nonFinite(path: url.path, key: "0.bias", index: 3, value: "nan"))
    #expect(error?.description.contains("'0.bias' holds nan at element 3") == true)
    // A Double that is finite but beyond Float's range.
    let huge = folder.appendingPathComponent("huge.safetensors")
    let doubles = Sequential<Double>(Linear(6, 16), ReLU(), Linear(16, 4))
    doubles.namedParameters()[3].parameter.value = Tensor([0, 0, 1e300, 0])
    try ModelStateFile.save(doubles, to: huge)
    let overflow = expectRejection(model, from: huge)
    guard case .invalidEntry(_, let key, let reason) = overflow else {
      Issue.record("\(String(describing: overflow))")
      return
    }
    #expect(key == "2.bias" && reason.contains("beyond the range of Float"))
  }

  @Test func fractionForAnIntegerBufferIsRejected() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("fraction.safetensors")
    let source: Sequential<Double> = modelStateBatchNormNet(seed: 2, batches: 1)
    try ModelStateFile.save(source, to: url)
    try removeChecksums(at: url)
    // num_batches_tracked rewritten as an F64 holding 2.5 (same size as the I64).
    var bytes = Array(try Data(contentsOf: url))
    let pattern = Array(#""I64""#.utf8)
    let start = try #require(
      bytes.indices.first { bytes[$0...].starts(with: pattern) })
    bytes.replaceSubrange((start + 1)..<(start + 4), with: Array("F64".utf8))
    try Data(bytes).write(to: url)
    let layout = try safetensorsLayout(url)
    #expect(layout.dtypes["1.num_batches_tracked"] == "F64")
    // Locate its data: the seventh tensor in order, after 48 + 8 * 5 doubles.
    let headerEnd = 8 + bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
    let offset = headerEnd + (48 + 8 + 8 + 8 + 8 + 8) * 8
    bytes.replaceSubrange(offset..<(offset + 8), with: littleEndianBytes([(2.5).bitPattern]))
    try Data(bytes).write(to: url)
    let model: Sequential<Double> = modelStateBatchNormNet(seed: 1)
    let error = expectRejection(model, from: url)
    guard case .invalidEntry(_, let key, _) = error else {
      Issue.record("\(String(describing: error))")
      return
    }
    #expect(key == "1.num_batches_tracked")
    // A whole number in a float dtype is accepted.
    bytes.replaceSubrange(offset..<(offset + 8), with: littleEndianBytes([(4.0).bitPattern]))
    try Data(bytes).write(to: url)
    try ModelStateFile.load(into: model, from: url)
    #expect(model.namedBuffers().first { $0.buffer.isInteger }?.buffer.value.item == 4)
  }

  // MARK: Paths

  @Test func directoriesAndMissingFoldersAreReported() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let model: Sequential<Float> = modelStateMLP(seed: 1)
    // A path that is a directory.
    let loadError = expectRejection(model, from: folder)
    guard case .io(let path, _, let reason) = loadError else {
      Issue.record("\(String(describing: loadError))")
      return
    }
    #expect(path == folder.path && reason.contains("directory"))
    #expect(throws: ModelStateError.self) { try ModelStateFile.save(model, to: folder) }
    var isDirectory: ObjCBool = false
    #expect(FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory))
    #expect(isDirectory.boolValue)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    // A path in a folder that does not exist.
    let missing = folder.appendingPathComponent("no/such/folder/model.safetensors")
    let readError = expectRejection(model, from: missing)
    guard case .io = readError else {
      Issue.record("\(String(describing: readError))")
      return
    }
    do {
      try ModelStateFile.save(model, to: missing)
      Issue.record("saved into a missing folder")
    } catch {
      guard case .io(let path, let action, _) = error else {
        Issue.record("\(error)")
        return
      }
      #expect(path == missing.path && action.contains("temporary file"))
      #expect(error.description.contains(missing.path))
    }
  }
}
