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
///
/// A symbolic link is written through: the file it points to is replaced and the link stays. A
/// destination that is not a regular file (a folder, a device, a FIFO, a socket) is refused
/// rather than replaced. A replaced file keeps its permissions. Temporary files are named
/// `.<name>.tmp-<pid>-<random>`; those a killed process left beside the same destination (its
/// process is gone, or the file is over an hour old) are removed by the next write.
enum AtomicFile {
  /// How old a temporary file must be to be removed even when its process id is in use.
  static let staleAge: TimeInterval = 3600

  /// Writes `bytes` to `url`; `beforeRename` runs once the temporary file is complete (tests use
  /// it to simulate a failure at the last moment).
  ///
  /// - Throws: ``CheckpointError/io(path:action:reason:)`` naming the failed operation.
  static func write(_ bytes: [UInt8], to url: URL, beforeRename: () throws -> Void = {}) throws {
    let path = url.path
    let destination = try resolvedDestination(of: url)
    let folder = destination.deletingLastPathComponent().path
    func failure(_ action: String, _ code: Int32 = errno) -> CheckpointError {
      .io(path: path, action: action, reason: String(cString: strerror(code)))
    }
    var existing = stat()
    let exists = stat(destination.path, &existing) == 0
    if exists, let kind = specialKind(existing.st_mode) {
      throw CheckpointError.io(
        path: path, action: "replace the file",
        reason: "it is \(kind), not a regular file (only regular files are replaced)")
    }
    removeStaleTemporaries(of: destination)
    let temporary =
      destination.deletingLastPathComponent().appendingPathComponent(
        "\(temporaryPrefix(of: destination))\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
      ).path
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw failure("create a temporary file in \(folder)") }
    var renamed = false
    defer { if !renamed { unlink(temporary) } }
    do {
      defer { close(descriptor) }
      if exists { _ = fchmod(descriptor, existing.st_mode & 0o777) }
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
    guard rename(temporary, destination.path) == 0 else { throw failure("replace the file") }
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

  /// The path a write to `url` replaces: `url` itself, or the file at the end of its chain of
  /// symbolic links (which need not exist yet).
  ///
  /// - Throws: ``CheckpointError/io(path:action:reason:)`` for a chain of more than 32 links.
  static func resolvedDestination(of url: URL) throws -> URL {
    var current = url
    for _ in 0..<32 {
      guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current.path)
      else { return current }
      current =
        target.hasPrefix("/")
        ? URL(fileURLWithPath: target)
        : current.deletingLastPathComponent().appendingPathComponent(target)
    }
    throw CheckpointError.io(
      path: url.path, action: "replace the file", reason: "too many levels of symbolic links")
  }

  /// `.<name>.tmp-`, the start of the temporary files' names for `destination`.
  static func temporaryPrefix(of destination: URL) -> String {
    ".\(destination.lastPathComponent).tmp-"
  }

  /// Removes the temporary files of `destination` that no write is still producing: their
  /// process (the id in the name) is gone, or they are older than ``staleAge``.
  static func removeStaleTemporaries(of destination: URL) {
    let folder = destination.deletingLastPathComponent()
    let prefix = temporaryPrefix(of: destination)
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
      return
    }
    let now = Date()
    for name in names where name.hasPrefix(prefix) {
      let parts = name.dropFirst(prefix.count).split(separator: "-")
      guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, UInt32(parts[1]) != nil else {
        continue
      }
      let path = folder.appendingPathComponent(name).path
      var info = stat()
      guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
      let processGone = pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
      let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate]
      let old = (modified as? Date).map { now.timeIntervalSince($0) > staleAge } ?? false
      if processGone || old { unlink(path) }
    }
  }

  /// What a file of mode `mode` is when it is not a regular file (`"a folder"`, ...).
  private static func specialKind(_ mode: mode_t) -> String? {
    let type = mode & S_IFMT
    guard type != S_IFREG else { return nil }
    return specialKinds[type] ?? "a special file"
  }

  /// The names of the file types other than regular files.
  private static let specialKinds: [mode_t: String] = [
    S_IFDIR: "a folder", S_IFCHR: "a character device", S_IFBLK: "a block device",
    S_IFIFO: "a FIFO (named pipe)", S_IFSOCK: "a socket",
  ]
}
