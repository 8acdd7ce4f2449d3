import Foundation

/// The contents of a safetensors file: named little-endian `F32`/`F64` tensors and a
/// `__metadata__` map of strings.
///
/// Layout: an 8-byte little-endian header length `N`, `N` bytes of JSON (padded with spaces)
/// mapping each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets into
/// the data that follows the header), then the data, tensors back to back.
struct SafetensorsArchive: Equatable {
  /// A tensor's element type and values.
  enum Values: Equatable {
    case f32([Float])
    case f64([Double])

    /// The safetensors dtype name.
    var dtype: String {
      switch self {
      case .f32: return "F32"
      case .f64: return "F64"
      }
    }

    var count: Int {
      switch self {
      case .f32(let values): return values.count
      case .f64(let values): return values.count
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

  /// The file's bytes.
  func encoded() throws -> [UInt8] {
    var header: [String: HeaderItem] = [Self.metadataKey: .metadata(metadata)]
    var data: [UInt8] = []
    for entry in entries {
      let begin = data.count
      switch entry.values {
      case .f32(let values): for value in values { append(value.bitPattern, to: &data) }
      case .f64(let values): for value in values { append(value.bitPattern, to: &data) }
      }
      header[entry.name] = .tensor(
        TensorInfo(
          dtype: entry.values.dtype, shape: entry.shape, dataOffsets: [begin, data.count]))
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    var json = Array(try encoder.encode(header))
    while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(8 + json.count + data.count)
    append(UInt64(json.count), to: &bytes)
    return bytes + json + data
  }

  private func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }

  // MARK: Reading

  /// Parses and validates `bytes` (header bounds, JSON, dtypes, shapes, offsets that tile the
  /// data exactly); `path` is named in errors.
  ///
  /// - Throws: ``CheckpointError/truncated(path:reason:)`` or
  ///   ``CheckpointError/corrupted(path:reason:)`` saying what is wrong and where.
  init(bytes: [UInt8], path: String) throws {
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
    for (name, info) in tensors {
      try info.validate(
        name: name, expectedBegin: expectedBegin, dataLength: dataLength, path: path)
      let range = (dataStart + info.dataOffsets[0])..<(dataStart + info.dataOffsets[1])
      entries.append(Entry(name: name, shape: info.shape, values: try info.values(bytes[range])))
      expectedBegin = info.dataOffsets[1]
    }
    guard expectedBegin == dataLength else {
      throw corrupted(
        "the tensors cover \(expectedBegin) bytes of data but \(dataLength) follow the header")
    }
  }
}

/// An item of the JSON header: a tensor's description or the metadata map.
private enum HeaderItem: Codable {
  case tensor(TensorInfo)
  case metadata([String: String])

  init(from decoder: any Decoder) throws {
    if let info = try? TensorInfo(from: decoder) {
      self = .tensor(info)
    } else {
      self = .metadata(try [String: String](from: decoder))
    }
  }

  func encode(to encoder: any Encoder) throws {
    switch self {
    case .tensor(let info): try info.encode(to: encoder)
    case .metadata(let map): try map.encode(to: encoder)
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

  private static let elementSizes = ["F32": 4, "F64": 8]

  /// Checks the dtype, shape and offsets; the tensor must start where the previous one ended.
  func validate(name: String, expectedBegin: Int, dataLength: Int, path: String) throws {
    func corrupted(_ reason: String) -> CheckpointError {
      .corrupted(path: path, reason: "tensor '\(name)': \(reason)")
    }
    guard let size = Self.elementSizes[dtype] else {
      throw corrupted("dtype \(dtype) is not supported (Descent reads F32 and F64)")
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
    let (count, overflow) = shape.reduce((1, false)) { partial, extent in
      let (product, flag) = partial.0.multipliedReportingOverflow(by: extent)
      return (product, partial.1 || flag)
    }
    guard !overflow, count * size == dataOffsets[1] - dataOffsets[0] else {
      throw corrupted(
        "shape \(shape) of \(dtype) needs \(overflow ? "too many" : "\(count * size)") bytes, its offsets span \(dataOffsets[1] - dataOffsets[0])"
      )
    }
  }

  /// The tensor's values decoded from its little-endian bytes.
  func values(_ bytes: ArraySlice<UInt8>) throws -> SafetensorsArchive.Values {
    func load<T: FixedWidthInteger>(_: T.Type) -> [T] {
      bytes.withUnsafeBytes { raw in
        (0..<raw.count / MemoryLayout<T>.size).map {
          T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self))
        }
      }
    }
    return dtype == "F32"
      ? .f32(load(UInt32.self).map(Float.init(bitPattern:)))
      : .f64(load(UInt64.self).map(Double.init(bitPattern:)))
  }
}
