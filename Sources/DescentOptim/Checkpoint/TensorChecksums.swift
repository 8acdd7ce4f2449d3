/// The checksums a safetensors file written by Descent carries in its `__metadata__`, under
/// ``key``: a JSON object mapping every tensor's name to the CRC-32 of its data bytes, and
/// `__metadata__` to the CRC-32 of the other metadata entries, each as 8 lowercase hex digits.
///
/// The CRC is zlib's (`zlib.crc32` in Python), so a file can be checked without Descent:
/// ```python
/// header = json.loads(f.read(8 + n)[8:]); sums = json.loads(header["__metadata__"]["descent.crc32"])
/// assert zlib.crc32(data[begin:end]) == int(sums[name], 16)
/// ```
/// The metadata entries are hashed sorted by key, each key and value as UTF-8 followed by a zero
/// byte. Files without the key (written by PyTorch, or by Descent before 0.2) load unchecked.
enum TensorChecksums {
  /// The metadata key holding the checksums' JSON.
  static let key = "descent.crc32"
  /// The name under which the checksum of the other metadata entries is stored.
  static let metadataName = "__metadata__"

  /// The CRC-32 of every metadata entry but ``key``, as described above.
  static func checksum(ofMetadata metadata: [String: String]) -> UInt32 {
    var crc = CRC32()
    for (name, value) in metadata.sorted(by: { $0.key < $1.key }) where name != key {
      crc.update(Array(name.utf8) + [0] + Array(value.utf8) + [0])
    }
    return crc.value
  }

  /// `value` as 8 lowercase hex digits.
  static func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
  }
}

/// The CRC-32 of zlib and PNG (reflected polynomial `0xEDB88320`), computed eight bytes at a time
/// ("slicing by 8").
struct CRC32 {
  /// The checksum of the bytes so far.
  var value: UInt32 { ~state }
  private var state: UInt32 = 0xFFFF_FFFF

  /// The checksum of no bytes.
  init() {}

  /// The checksum of `bytes`.
  init(_ bytes: some Collection<UInt8>) {
    update(bytes)
  }

  /// The checksum of the bytes of `buffer`.
  init(_ buffer: UnsafeRawBufferPointer) {
    update(buffer)
  }

  /// Adds `bytes` to the checksum.
  mutating func update(_ bytes: some Collection<UInt8>) {
    let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
    if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
  }

  /// Adds the bytes of `buffer` to the checksum.
  mutating func update(_ buffer: UnsafeRawBufferPointer) {
    let table = Self.table
    var crc = state
    var index = 0
    let count = buffer.count
    while index + 8 <= count {
      let low =
        crc ^ UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: index, as: UInt32.self))
      let high = UInt32(
        littleEndian: buffer.loadUnaligned(fromByteOffset: index + 4, as: UInt32.self))
      crc =
        table[7 &* 256 &+ Int(low & 0xFF)] ^ table[6 &* 256 &+ Int((low >> 8) & 0xFF)]
        ^ table[5 &* 256 &+ Int((low >> 16) & 0xFF)] ^ table[4 &* 256 &+ Int(low >> 24)]
        ^ table[3 &* 256 &+ Int(high & 0xFF)] ^ table[2 &* 256 &+ Int((high >> 8) & 0xFF)]
        ^ table[256 &+ Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
      index += 8
    }
    while index < count {
      crc = table[Int((crc ^ UInt32(buffer[index])) & 0xFF)] ^ (crc >> 8)
      index += 1
    }
    state = crc
  }

  /// Eight tables of 256 entries: `table[k * 256 + b]` is the CRC of byte `b` followed by `k`
  /// zero bytes.
  private static let table: [UInt32] = {
    var table = [UInt32](repeating: 0, count: 8 * 256)
    for byte in 0..<256 {
      var crc = UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
      table[byte] = crc
    }
    for slice in 1..<8 {
      for byte in 0..<256 {
        let previous = table[(slice - 1) * 256 + byte]
        table[slice * 256 + byte] = (previous >> 8) ^ table[Int(previous & 0xFF)]
      }
    }
    return table
  }()
}
