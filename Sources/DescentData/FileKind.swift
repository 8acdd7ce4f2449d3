import Foundation

/// What a path names, following symbolic links: checked before a file is read or replaced, so
/// that a folder, a device or a FIFO is refused with a clear message instead of being read
/// forever or replaced by a regular file.
public enum FileKind: Equatable, Sendable {
  /// Nothing exists at the path (or a symbolic link points nowhere).
  case missing
  /// A regular file.
  case regular
  /// Something else: a folder, a device, a FIFO or a socket; the text says which
  /// (`"a folder"`, `"a character device"`, ...).
  case special(String)

  /// The kind of what `path` names, after following symbolic links.
  public init(path: String) {
    var info = stat()
    guard stat(path, &info) == 0 else {
      self = .missing
      return
    }
    switch info.st_mode & S_IFMT {
    case S_IFREG: self = .regular
    case S_IFDIR: self = .special("a folder")
    case S_IFCHR: self = .special("a character device")
    case S_IFBLK: self = .special("a block device")
    case S_IFIFO: self = .special("a FIFO (named pipe)")
    case S_IFSOCK: self = .special("a socket")
    default: self = .special("a special file")
    }
  }

  /// Whether `first` and `second` name the same existing file (the same device and inode,
  /// whatever the spelling, links included).
  public static func sameFile(_ first: String, _ second: String) -> Bool {
    var a = stat()
    var b = stat()
    guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino
  }
}
