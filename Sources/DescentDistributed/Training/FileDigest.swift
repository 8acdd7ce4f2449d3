import DescentData
import Foundation

/// The 64-bit FNV-1a hash: the same on every machine (unlike `Hasher`), for ranks to compare
/// what they hold.
struct FNV1a {
  private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

  mutating func add(_ bytes: some Sequence<UInt8>) {
    for byte in bytes {
      value ^= UInt64(byte)
      value = value &* 0x0000_0100_0000_01b3
    }
  }
}

/// A digest of a file's bytes that is the same on every machine, for ranks to check that they
/// read the same data or checkpoint.
public enum FileDigest {
  /// `"<size> bytes, digest <hex>"` for a regular file, or what kind of path it is otherwise
  /// (a FIFO or device is never opened, so this cannot block).
  public static func describe(path: String) -> String {
    guard case .regular = FileKind(path: path),
      let handle = FileHandle(forReadingAtPath: path)
    else { return "\(FileKind(path: path))" }
    defer { try? handle.close() }
    var hash = FNV1a()
    var size = 0
    while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
      size += chunk.count
      hash.add(chunk)
    }
    return "\(size) bytes, digest \(String(hash.value, radix: 16))"
  }
}
