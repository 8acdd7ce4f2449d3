import DescentData
import DescentPlot
import Foundation

/// The figure file a command writes, checked before any long work starts so that a bad path
/// fails at once (and `Figure.write` checks again when writing, atomically).
struct OutputPath {
  /// Where the figure goes.
  let url: URL

  /// Checks that `path` ends in .png, .svg or .pdf, that it does not name a folder, a device or
  /// a FIFO (directly or through a symbolic link), and that its folder exists and is writable.
  ///
  /// - Throws: ``PlotError`` naming the path.
  init(_ path: String) throws(PlotError) {
    let url = URL(fileURLWithPath: path)
    guard ImageFormat(pathExtension: url.pathExtension) != nil else {
      throw .unsupportedFormat(extension: url.pathExtension, path: path)
    }
    if case .special(let kind) = FileKind(path: path) {
      let linked = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil
      throw .notARegularFile(path: path, kind: linked ? "a symbolic link to \(kind)" : kind)
    }
    let folder = url.deletingLastPathComponent().path
    var isFolder: ObjCBool = false
    if !FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) {
      throw .directoryNotFound(path: folder)
    }
    if !isFolder.boolValue { throw .notADirectory(path: folder) }
    if !FileManager.default.isWritableFile(atPath: folder) {
      throw .directoryNotWritable(path: folder)
    }
    self.url = url
  }

  /// Writes `figure` and says where.
  func write(_ figure: Figure) throws(PlotError) {
    try figure.write(to: url)
    print("wrote \(url.path)")
  }
}
