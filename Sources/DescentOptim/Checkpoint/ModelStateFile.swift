import DescentNN
import Foundation

/// A model's state dict as a safetensors file, the format of `safetensors.torch.save_file` and
/// `load_file`, so weights move between Descent and PyTorch in both directions.
///
/// The file holds exactly the keys of ``Module/stateDict()`` (`0.weight`, `1.running_mean`, ...),
/// its tensors in that order: `F32` for a `Float` model, `F64` for a `Double` one, and `I64` for
/// integer buffers (`num_batches_tracked`), with `{"format": "pt"}` as metadata beside the CRC-32
/// of every tensor (``TensorChecksums``, which PyTorch ignores and Descent checks on load).
///
/// ```swift
/// try ModelStateFile.save(net, to: URL(fileURLWithPath: "net.safetensors"))
/// // Python: model.load_state_dict(safetensors.torch.load_file("net.safetensors"))
/// try ModelStateFile.load(into: net, from: URL(fileURLWithPath: "torch.safetensors"))
/// ```
public enum ModelStateFile {
  /// The dtypes ``load(into:from:strict:)`` reads, by their safetensors names.
  public static let readableDTypes = SafetensorsArchive.DType.modelState.map(\.rawValue).sorted()

  // MARK: Saving

  /// Writes `model`'s state dict to `url` atomically: a temporary file in the same folder,
  /// flushed to disk, then renamed over `url`. When anything fails, a previous file at `url` is
  /// left intact and no temporary file remains.
  ///
  /// - Throws: ``ModelStateError/nonFinite(path:key:index:value:)`` when a value is NaN or
  ///   infinite (such a file could not be loaded back);
  ///   ``ModelStateError/invalidEntry(path:key:reason:)`` when an integer buffer holds a fraction
  ///   or two entries share a key; ``ModelStateError/io(path:action:reason:)`` when the file
  ///   cannot be written.
  public static func save<Scalar: TensorScalar>(_ model: some Module<Scalar>, to url: URL)
    throws(ModelStateError)
  {
    let path = url.path
    let integers = Set(model.namedBuffers().filter(\.buffer.isInteger).map(\.name))
    var archive = SafetensorsArchive(metadata: ["format": "pt"])
    var keys: Set<String> = []
    for (key, tensor) in model.stateDict() {
      guard keys.insert(key).inserted else {
        throw .invalidEntry(path: path, key: key, reason: "the model has two entries with this key")
      }
      let scalars = tensor.scalars
      try checkFinite(scalars, path: path, key: key)
      let values: SafetensorsArchive.Values
      if integers.contains(key) {
        var whole: [Int64] = []
        whole.reserveCapacity(scalars.count)
        for (index, value) in scalars.enumerated() {
          guard let integer = Int64(exactly: value) else {
            throw .invalidEntry(
              path: path, key: key,
              reason: "the integer buffer holds \(value) at element \(index), not a whole number")
          }
          whole.append(integer)
        }
        values = .i64(whole)
      } else {
        values = .init(scalars)
      }
      archive.entries.append(.init(name: key, shape: tensor.shape, values: values))
    }
    do {
      try AtomicFile.write(try archive.encoded(), to: url)
    } catch {
      throw ModelStateError(error, path: path)
    }
  }

  // MARK: Loading

  /// Loads the state dict in the safetensors file at `url` into `model`, like
  /// `model.load_state_dict(load_file(url), strict=strict)`, converting `F32`, `F64` and `I64`
  /// tensors to the model's scalar type.
  ///
  /// The whole file is checked before the model changes: the safetensors structure (header
  /// bounds, JSON, offsets that tile the data), the dtypes, with `strict` (the default) that its
  /// keys are exactly the model's, the shapes, that every value is finite and fits `Scalar`, and
  /// that integer buffers receive whole numbers. Without `strict`, keys only one side has are
  /// skipped and returned.
  ///
  /// - Returns: The model's keys the file lacks (in the model's order) and the file's keys the
  ///   model lacks (in the file's order), as PyTorch's `missing_keys` and `unexpected_keys`;
  ///   both are empty after a strict load.
  /// - Throws: ``ModelStateError`` naming the file and the key; nothing is loaded then.
  @discardableResult
  public static func load<Scalar: TensorScalar>(
    into model: some Module<Scalar>, from url: URL, strict: Bool = true
  ) throws(ModelStateError) -> (missingKeys: [String], unexpectedKeys: [String]) {
    let path = url.path
    let bytes: [UInt8]
    do {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
        isDirectory.boolValue
      {
        throw CheckpointError.io(path: path, action: "read it", reason: "it is a directory")
      }
      bytes = try AtomicFile.read(url)
    } catch {
      throw ModelStateError(error, path: path)
    }
    return try load(into: model, bytes: bytes, path: path, strict: strict)
  }

  /// ``load(into:from:strict:)`` of a file's `bytes`; `path` is named in errors, and
  /// `verifyingChecksums: false` skips the tensors' checksums (for the fuzzer).
  @_spi(Fuzzing) @discardableResult
  public static func load<Scalar: TensorScalar>(
    into model: some Module<Scalar>, bytes: [UInt8], path: String, strict: Bool = true,
    verifyingChecksums: Bool = true
  ) throws(ModelStateError) -> (missingKeys: [String], unexpectedKeys: [String]) {
    let archive: SafetensorsArchive
    do {
      archive = try SafetensorsArchive(
        bytes: bytes, path: path, dtypes: SafetensorsArchive.DType.modelState,
        verifyingChecksums: verifyingChecksums)
    } catch {
      throw ModelStateError(error, path: path)
    }
    let targets = model.stateDict()
    let targetKeys = Set(targets.map(\.name))
    let missing = targets.map(\.name).filter { archive[$0] == nil }
    let unexpected = archive.entries.map(\.name).filter { !targetKeys.contains($0) }
    if strict, !missing.isEmpty || !unexpected.isEmpty {
      throw .keysDiffer(path: path, missing: missing, unexpected: unexpected)
    }
    let integers = Set(model.namedBuffers().filter(\.buffer.isInteger).map(\.name))
    var entries: [String: Tensor<Scalar>] = [:]
    for (key, target) in targets {
      guard let entry = archive[key] else { continue }
      guard entry.shape == target.shape else {
        throw .shapeMismatch(path: path, key: key, expected: target.shape, found: entry.shape)
      }
      let scalars: [Scalar] = try converted(entry.values, path: path, key: key)
      if integers.contains(key),
        let index = scalars.firstIndex(where: { $0 != $0.rounded(.towardZero) })
      {
        throw .invalidEntry(
          path: path, key: key,
          reason: "the integer buffer would receive \(scalars[index]) at element \(index)")
      }
      entries[key] = Tensor(shape: entry.shape, scalars: scalars)
    }
    do {
      try model.loadStateDict(entries, strict: false)
    } catch {
      throw ModelStateError(error, path: path)
    }
    return (missing, unexpected)
  }

  /// `values` as `Scalar`, checked to be finite in the file and after the conversion.
  private static func converted<Scalar: TensorScalar>(
    _ values: SafetensorsArchive.Values, path: String, key: String
  ) throws(ModelStateError) -> [Scalar] {
    let scalars: [Scalar]
    switch values {
    case .f32(let floats):
      try checkFinite(floats, path: path, key: key)
      scalars = floats as? [Scalar] ?? floats.map(Scalar.init)
    case .f64(let doubles):
      try checkFinite(doubles, path: path, key: key)
      scalars = doubles as? [Scalar] ?? doubles.map(Scalar.init)
      if let index = scalars.firstIndex(where: { !$0.isFinite }) {
        throw .invalidEntry(
          path: path, key: key,
          reason: "\(doubles[index]) at element \(index) is beyond the range of \(Scalar.self)")
      }
    case .i64(let integers):
      scalars = integers.map(Scalar.init)
    case .bf16, .u8:  // not among the dtypes a model state file is read with
      scalars = values.doubles.map { Scalar($0) }
    }
    return scalars
  }

  /// Throws ``ModelStateError/nonFinite(path:key:index:value:)`` for the first NaN or infinity.
  private static func checkFinite<Value: BinaryFloatingPoint>(
    _ values: [Value], path: String, key: String
  ) throws(ModelStateError) {
    if let index = values.firstIndex(where: { !$0.isFinite }) {
      let value = values[index]
      let text = value.isNaN ? "nan" : value < 0 ? "-inf" : "inf"
      throw .nonFinite(path: path, key: key, index: index, value: text)
    }
  }
}

extension ModelStateError {
  /// The error of a lower layer restated for the file at `path`.
  init(_ error: any Error, path: String) {
    switch error {
    case let error as ModelStateError:
      self = error
    case let error as CheckpointError:
      switch error {
      case .io(let path, let action, let reason):
        self = .io(path: path, action: action, reason: reason)
      case .truncated(let path, let reason): self = .truncated(path: path, reason: reason)
      case .corrupted(let path, let reason): self = .corrupted(path: path, reason: reason)
      case .checksumMismatch(let path, let name, let stored, let computed):
        self = .corrupted(
          path: path,
          reason: CheckpointError.checksumReason(name: name, stored: stored, computed: computed))
      case .unsupportedDType(let path, let name, let dtype, supported: _):
        self = .unsupportedDType(path: path, key: name, dtype: dtype)
      default: self = .corrupted(path: path, reason: error.description)
      }
    case let error as StateDictError:
      switch error {
      case .keysDiffer(let missing, let unexpected):
        self = .keysDiffer(path: path, missing: missing, unexpected: unexpected)
      case .shapeMismatch(let key, let expected, let found):
        self = .shapeMismatch(path: path, key: key, expected: expected, found: found)
      case .invalidValue(let key, let reason):
        self = .invalidEntry(path: path, key: key, reason: reason)
      }
    default:
      self = .io(path: path, action: "encode or decode it", reason: "\(error)")
    }
  }
}
