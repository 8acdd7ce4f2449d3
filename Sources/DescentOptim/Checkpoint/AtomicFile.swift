import Foundation

#if canImport(Glibc)
  import Glibc
  private let systemWrite = Glibc.write
#elseif canImport(Darwin)
  import Darwin
  private let systemWrite = Darwin.write
#endif

/// Writes a file atomically: the bytes go to a temporary file in the same folder, which is
/// flushed to disk (`fsync`) and then renamed over the destination, so a reader (or a crash)
/// sees either the old file or the complete new one. On failure the temporary file is removed
/// and the old file is untouched.
enum AtomicFile {
  /// Writes `bytes` to `url`; `beforeRename` runs once the temporary file is complete (tests use
  /// it to simulate a failure at the last moment).
  ///
  /// - Throws: ``CheckpointError/io(path:action:reason:)`` naming the failed operation.
  static func write(_ bytes: [UInt8], to url: URL, beforeRename: () throws -> Void = {}) throws {
    let path = url.path
    let folder = url.deletingLastPathComponent().path
    let temporary =
      url.deletingLastPathComponent().appendingPathComponent(
        ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
      ).path
    func failure(_ action: String, _ code: Int32 = errno) -> CheckpointError {
      .io(path: path, action: action, reason: String(cString: strerror(code)))
    }
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw failure("create a temporary file in \(folder)") }
    var renamed = false
    defer { if !renamed { unlink(temporary) } }
    do {
      defer { close(descriptor) }
      try bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
          let written = systemWrite(descriptor, raw.baseAddress! + offset, raw.count - offset)
          if written < 0 {
            if errno == EINTR { continue }
            throw failure("write the temporary file")
          }
          offset += written
        }
      }
      guard fsync(descriptor) == 0 else { throw failure("flush the temporary file to disk") }
    }
    try beforeRename()
    guard rename(temporary, path) == 0 else { throw failure("replace the file") }
    renamed = true
    let folderDescriptor = open(folder, O_RDONLY | O_CLOEXEC)
    if folderDescriptor >= 0 {
      _ = fsync(folderDescriptor)
      close(folderDescriptor)
    }
  }

  /// The whole content of `url`.
  ///
  /// - Throws: ``CheckpointError/io(path:action:reason:)`` when it cannot be read.
  static func read(_ url: URL) throws -> [UInt8] {
    do {
      return Array(try Data(contentsOf: url))
    } catch {
      throw CheckpointError.io(
        path: url.path, action: "read it", reason: "\(error.localizedDescription)")
    }
  }
}
