import Foundation

/// Where a figure written to a path lands: the path with symbolic links followed, so that a
/// link to a file is written through rather than replaced; and a refusal of anything at that
/// place that is not a regular file (a folder, a device such as /dev/null, a FIFO), which an
/// atomic write would otherwise replace with a regular file.
enum OutputTarget {
  /// The file to replace for a write to `url`.
  ///
  /// - Throws: ``PlotError/notARegularFile(path:kind:)`` naming `url`'s path, or
  ///   ``PlotError/writeFailed(path:reason:)`` for a loop of symbolic links.
  static func resolve(_ url: URL) throws(PlotError) -> URL {
    var target = url.standardizedFileURL
    for _ in 0..<40 {
      guard
        let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: target.path)
      else {
        if let kind = specialKind(target.path) {
          let linked = target.path != url.standardizedFileURL.path
          throw .notARegularFile(
            path: url.path, kind: linked ? "a symbolic link to \(kind) (\(target.path))" : kind)
        }
        return target
      }
      target =
        destination.hasPrefix("/")
        ? URL(fileURLWithPath: destination)
        : target.deletingLastPathComponent().appendingPathComponent(destination)
      target = target.standardizedFileURL
    }
    throw .writeFailed(path: url.path, reason: "too many levels of symbolic links")
  }

  /// What is at `path` when it exists and is not a regular file: `"a folder"`, `"a character
  /// device"`, ...; `nil` for a regular file or nothing.
  static func specialKind(_ path: String) -> String? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return nil
    case S_IFDIR: return "a folder"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFIFO: return "a FIFO (named pipe)"
    case S_IFSOCK: return "a socket"
    default: return "a special file"
    }
  }
}
