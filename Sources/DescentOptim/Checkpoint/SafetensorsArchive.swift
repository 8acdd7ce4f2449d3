import Foundation

/// The contents of a safetensors file: named little-endian `F32`, `F64`, `I64`, `BF16` or `U8`
/// tensors and a `__metadata__` map of strings.
///
/// Layout: an 8-byte little-endian header length `N`, `N` bytes of JSON (padded with spaces)
/// mapping each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets into
/// the data that follows the header), then the data, tensors back to back.
struct SafetensorsArchive: Equatable {
  /// The element types Descent reads and writes, by their safetensors names.
  enum DType: String, CaseIterable {
    case f32 = "F32"
    case f64 = "F64"
    case i64 = "I64"
    /// bfloat16 (a float32's upper 16 bits): bfloat16 optimizer moments.
    case bf16 = "BF16"
    /// Unsigned bytes: 8-bit optimizer state codes.
    case u8 = "U8"

    /// The bytes of one element.
    var size: Int {
      switch self {
      case .u8: return 1
      case .bf16: return 2
      case .f32: return 4
      case .f64, .i64: return 8
      }
    }

    /// What a training checkpoint holds: model and averages in `F32` or `F64`, optimizer state
    /// also in `BF16` (bfloat16 moments) and `U8` (8-bit codes).
    static let checkpoint: Set<DType> = [.f32, .f64, .bf16, .u8]
    /// What a model state file holds (`I64` for integer buffers such as batch norm's count).
    static let modelState: Set<DType> = [.f32, .f64, .i64]
  }

  /// A tensor's element type and values.
  enum Values: Equatable {
    case f32([Float])
    case f64([Double])
    case i64([Int64])
    /// bfloat16 values by their bit patterns.
    case bf16([UInt16])
    /// Unsigned bytes.
    case u8([UInt8])

    /// The element type.
    var type: DType {
      switch self {
      case .f32: return .f32
      case .f64: return .f64
      case .i64: return .i64
      case .bf16: return .bf16
      case .u8: return .u8
      }
    }

    /// The safetensors dtype name.
    var dtype: String { type.rawValue }

    var count: Int {
      switch self {
      case .f32(let values): return values.count
      case .f64(let values): return values.count
      case .i64(let values): return values.count
      case .bf16(let values): return values.count
      case .u8(let values): return values.count
      }
    }
  }

  /// One stored tensor.
  struct Entry: Equatable {
    var name: String
    var shape: [Int]
    var values: Values
  }

  /// The tensors, in file order.
  var entries: [Entry] = []
  /// The `__metadata__` map.
  var metadata: [String: String] = [:]

  private static let metadataKey = "__metadata__"

  /// An archive of the given tensors and metadata.
  init(entries: [Entry] = [], metadata: [String: String] = [:]) {
    self.entries = entries
    self.metadata = metadata
  }

  /// The tensor named `name`.
  subscript(name: String) -> Entry? { entries.first { $0.name == name } }

  // MARK: Writing

  /// The file's bytes. The header lists `__metadata__` first, then the tensors in the order of
  /// ``entries``, which is also the order of their data. The metadata gains the
  /// ``TensorChecksums`` of every tensor's bytes and of the other metadata entries.
  ///
  /// - Throws: ``CheckpointError/stateMismatch(part:reason:)`` when two tensors share a name or
  ///   one is named `__metadata__`, or the metadata already has a ``TensorChecksums/key`` entry;
  ///   an encoding error if a string cannot be encoded.
  func encoded() throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    func json(_ value: some Encodable) throws -> String {
      String(decoding: try encoder.encode(value), as: UTF8.self)
    }
    guard metadata[TensorChecksums.key] == nil else {
      throw CheckpointError.stateMismatch(
        part: "safetensors archive",
        reason: "the metadata key '\(TensorChecksums.key)' is reserved for the checksums")
    }
    let metadataSum = TensorChecksums.checksum(ofMetadata: metadata)
    var checksums = [TensorChecksums.metadataName: TensorChecksums.hex(metadataSum)]
    var items: [String] = []
    var names: Set<String> = [Self.metadataKey]
    var data: [UInt8] = []
    for entry in entries {
      guard names.insert(entry.name).inserted else {
        throw CheckpointError.stateMismatch(
          part: "safetensors archive", reason: "two tensors are named '\(entry.name)'")
      }
      let begin = data.count
      switch entry.values {
      case .f32(let values): for value in values { append(value.bitPattern, to: &data) }
      case .f64(let values): for value in values { append(value.bitPattern, to: &data) }
      case .i64(let values): for value in values { append(value, to: &data) }
      case .bf16(let values): for value in values { append(value, to: &data) }
      case .u8(let values): data += values
      }
      checksums[entry.name] = TensorChecksums.hex(CRC32(data[begin...]).value)
      let info = TensorInfo(
        dtype: entry.values.dtype, shape: entry.shape, dataOffsets: [begin, data.count])
      items.append("\(try json(entry.name)):\(try json(info))")
    }
    var stored = metadata
    stored[TensorChecksums.key] = try json(checksums)
    items.insert("\(try json(Self.metadataKey)):\(try json(stored))", at: 0)
    var header = Array("{\(items.joined(separator: ","))}".utf8)
    while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(8 + header.count + data.count)
    append(UInt64(header.count), to: &bytes)
    return bytes + header + data
  }

  private func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }

  // MARK: Reading

  /// Parses and validates `bytes` (header bounds, JSON, dtypes, shapes, offsets that tile the
  /// data exactly, and the ``TensorChecksums`` when the file has them); `path` is named in
  /// errors. Only tensors of the given `dtypes` are accepted (by default those of a training
  /// checkpoint). `verifyingChecksums: false` skips the checksums (the fuzzer uses it to reach
  /// what lies beyond them).
  ///
  /// - Throws: ``CheckpointError/truncated(path:reason:)``,
  ///   ``CheckpointError/corrupted(path:reason:)``,
  ///   ``CheckpointError/checksumMismatch(path:name:stored:computed:)`` or
  ///   ``CheckpointError/unsupportedDType(path:name:dtype:supported:)`` saying what is wrong and
  ///   where.
  init(
    bytes: [UInt8], path: String, dtypes: Set<DType> = DType.checkpoint,
    verifyingChecksums: Bool = true
  ) throws {
    func corrupted(_ reason: String) -> CheckpointError { .corrupted(path: path, reason: reason) }
    guard bytes.count >= 8 else {
      throw CheckpointError.truncated(
        path: path, reason: "it has \(bytes.count) bytes, fewer than the 8 of the header length")
    }
    let headerLength = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    guard headerLength <= UInt64(bytes.count - 8) else {
      throw CheckpointError.truncated(
        path: path,
        reason: "the header length is \(headerLength) bytes but only \(bytes.count - 8) follow")
    }
    let dataStart = 8 + Int(headerLength)
    let header: [String: HeaderItem]
    do {
      header = try JSONDecoder().decode([String: HeaderItem].self, from: Data(bytes[8..<dataStart]))
    } catch {
      throw corrupted("its header (bytes 8..<\(dataStart)) is not valid safetensors JSON: \(error)")
    }
    let dataLength = bytes.count - dataStart
    var tensors: [(name: String, info: TensorInfo)] = []
    for (name, item) in header {
      switch item {
      case .metadata(let map):
        guard name == Self.metadataKey else { throw corrupted("entry '\(name)' is not a tensor") }
        metadata = map
      case .tensor(let info):
        guard name != Self.metadataKey else { throw corrupted("\(name) is not a map of strings") }
        tensors.append((name, info))
      }
    }
    tensors.sort {
      ($0.info.dataOffsets.first ?? 0, $0.name) < ($1.info.dataOffsets.first ?? 0, $1.name)
    }
    var expectedBegin = 0
    var ranges: [(name: String, range: Range<Int>)] = []
    for (name, info) in tensors {
      let type = try info.validate(
        name: name, dtypes: dtypes, expectedBegin: expectedBegin, dataLength: dataLength,
        path: path)
      let range = (dataStart + info.dataOffsets[0])..<(dataStart + info.dataOffsets[1])
      ranges.append((name, range))
      entries.append(Entry(name: name, shape: info.shape, values: type.values(bytes[range])))
      expectedBegin = info.dataOffsets[1]
    }
    guard expectedBegin == dataLength else {
      throw corrupted(
        "the tensors cover \(expectedBegin) bytes of data but \(dataLength) follow the header")
    }
    if let checksums = metadata.removeValue(forKey: TensorChecksums.key), verifyingChecksums {
      try Self.verify(checksums, of: ranges, in: bytes, metadata: metadata, path: path)
    }
  }

  /// Checks the ``TensorChecksums`` JSON `text` against the bytes of every tensor (`ranges` of
  /// `bytes`) and against `metadata`.
  ///
  /// - Throws: ``CheckpointError/checksumMismatch(path:name:stored:computed:)`` naming the first
  ///   tensor whose bytes changed; ``CheckpointError/corrupted(path:reason:)`` when the checksums
  ///   are malformed, lack a tensor or name one the file does not hold.
  private static func verify(
    _ text: String, of ranges: [(name: String, range: Range<Int>)], in bytes: [UInt8],
    metadata: [String: String], path: String
  ) throws {
    let key = TensorChecksums.key
    func corrupted(_ reason: String) -> CheckpointError { .corrupted(path: path, reason: reason) }
    guard let sums = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) else {
      throw corrupted("its '\(key)' metadata is not a JSON map of tensor names to checksums")
    }
    func stored(_ name: String) throws -> (text: String, value: UInt32) {
      guard let text = sums[name] else {
        throw corrupted("'\(name)' has no checksum in its '\(key)' metadata")
      }
      let hexDigits = Set("0123456789abcdef".utf8)
      guard text.utf8.count == 8, text.utf8.allSatisfy(hexDigits.contains),
        let value = UInt32(text, radix: 16)
      else {
        throw corrupted("the checksum of '\(name)' is \"\(text)\", not 8 lowercase hex digits")
      }
      return (text, value)
    }
    let metadataSum = try stored(TensorChecksums.metadataName)
    let metadataActual = TensorChecksums.checksum(ofMetadata: metadata)
    guard metadataSum.value == metadataActual else {
      throw CheckpointError.checksumMismatch(
        path: path, name: TensorChecksums.metadataName, stored: metadataSum.text,
        computed: TensorChecksums.hex(metadataActual))
    }
    for (name, range) in ranges {
      let sum = try stored(name)
      let actual = bytes.withUnsafeBytes { CRC32(UnsafeRawBufferPointer(rebasing: $0[range])) }
      guard sum.value == actual.value else {
        throw CheckpointError.checksumMismatch(
          path: path, name: name, stored: sum.text, computed: TensorChecksums.hex(actual.value))
      }
    }
    let names = Set(ranges.map(\.name)).union([TensorChecksums.metadataName])
    if let stray = sums.keys.sorted().first(where: { !names.contains($0) }) {
      throw corrupted("its '\(key)' metadata has a checksum for '\(stray)', which is not a tensor")
    }
  }
}

/// An item of the JSON header: a tensor's description or the metadata map.
private enum HeaderItem: Decodable {
  case tensor(TensorInfo)
  case metadata([String: String])

  init(from decoder: any Decoder) throws {
    if let info = try? TensorInfo(from: decoder) {
      self = .tensor(info)
    } else {
      self = .metadata(try [String: String](from: decoder))
    }
  }
}

/// A tensor's description in the header (safetensors' own key names).
private struct TensorInfo: Codable {
  var dtype: String
  var shape: [Int]
  var dataOffsets: [Int]

  private enum CodingKeys: String, CodingKey {
    case dtype, shape
    case dataOffsets = "data_offsets"
  }

  /// Checks the dtype, shape and offsets and returns the dtype; the tensor must start where the
  /// previous one ended.
  func validate(
    name: String, dtypes: Set<SafetensorsArchive.DType>, expectedBegin: Int, dataLength: Int,
    path: String
  ) throws -> SafetensorsArchive.DType {
    func corrupted(_ reason: String) -> CheckpointError {
      .corrupted(path: path, reason: "tensor '\(name)': \(reason)")
    }
    guard let type = SafetensorsArchive.DType(rawValue: dtype), dtypes.contains(type) else {
      throw CheckpointError.unsupportedDType(
        path: path, name: name, dtype: dtype, supported: dtypes.map(\.rawValue).sorted())
    }
    guard shape.allSatisfy({ $0 >= 0 && $0 <= Int(Int32.max) }) else {
      throw corrupted("invalid shape \(shape)")
    }
    guard dataOffsets.count == 2, dataOffsets[0] >= 0, dataOffsets[0] <= dataOffsets[1] else {
      throw corrupted("invalid data_offsets \(dataOffsets)")
    }
    guard dataOffsets[1] <= dataLength else {
      throw CheckpointError.truncated(
        path: path,
        reason:
          "tensor '\(name)' ends at data byte \(dataOffsets[1]) but the data has \(dataLength) bytes"
      )
    }
    guard dataOffsets[0] == expectedBegin else {
      throw corrupted(
        "it starts at data byte \(dataOffsets[0]), not \(expectedBegin) (gap or overlap)")
    }
    let (bytes, overflow) = shape.reduce((type.size, false)) { partial, extent in
      let (product, flag) = partial.0.multipliedReportingOverflow(by: extent)
      return (product, partial.1 || flag)
    }
    guard !overflow, bytes == dataOffsets[1] - dataOffsets[0] else {
      throw corrupted(
        "shape \(shape) of \(dtype) needs \(overflow ? "too many" : "\(bytes)") bytes, its offsets span \(dataOffsets[1] - dataOffsets[0])"
      )
    }
    return type
  }
}

extension SafetensorsArchive.DType {
  /// Values of this type decoded from their little-endian `bytes`.
  fileprivate func values(_ bytes: ArraySlice<UInt8>) -> SafetensorsArchive.Values {
    func load<T: FixedWidthInteger>(_: T.Type) -> [T] {
      bytes.withUnsafeBytes { raw in
        (0..<raw.count / MemoryLayout<T>.size).map {
          T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self))
        }
      }
    }
    switch self {
    case .f32: return .f32(load(UInt32.self).map(Float.init(bitPattern:)))
    case .f64: return .f64(load(UInt64.self).map(Double.init(bitPattern:)))
    case .i64: return .i64(load(Int64.self))
    case .bf16: return .bf16(load(UInt16.self))
    case .u8: return .u8(Array(bytes))
    }
  }
}
