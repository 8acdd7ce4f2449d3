import Foundation

/// What can go wrong when a figure is rendered or written; every case says what and where.
public enum PlotError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// The file extension is not one of png, svg, pdf.
  case unsupportedFormat(extension: String, path: String)
  /// The folder meant to hold the output does not exist.
  case directoryNotFound(path: String)
  /// The folder path names something that is not a folder.
  case notADirectory(path: String)
  /// The folder exists but this process may not write in it.
  case directoryNotWritable(path: String)
  /// The output path names something that is not a regular file (a folder, a device, a FIFO),
  /// which writing would replace.
  case notARegularFile(path: String, kind: String)
  /// Writing the rendered bytes failed (disk full, path is a folder, ...).
  case writeFailed(path: String, reason: String)
  /// cairo reported an error while drawing or encoding.
  case cairo(status: String, during: String)
  /// The figure size is not 1...32767 pixels a side, or exceeds 64 megapixels in all.
  case invalidSize(width: Int, height: Int)
  /// A series' x and y arrays have different lengths.
  case mismatchedLengths(panel: Int, series: Int, x: Int, y: Int)
  /// A contour grid's `z` does not have `y.count` rows of `x.count` values.
  case invalidContourGrid(panel: Int, series: Int, reason: String)
  /// Contour levels could not be generated from the given bounds.
  case invalidLevels(reason: String)
  /// A stroke width, marker size or opacity is negative or not finite.
  case invalidStyle(panel: Int, series: Int, reason: String)
  /// A fixed axis limit is not a finite, non-empty range (or not positive on a log axis).
  case invalidLimits(panel: Int, axis: String, reason: String)

  /// A one-line explanation naming the offending value and place.
  public var description: String {
    switch self {
    case .unsupportedFormat(let ext, let path):
      return "unsupported figure format '\(ext)' for \(path): use .png, .svg or .pdf"
    case .directoryNotFound(let path): return "folder \(path) does not exist"
    case .notADirectory(let path): return "\(path) is not a folder"
    case .directoryNotWritable(let path): return "folder \(path) is not writable"
    case .notARegularFile(let path, let kind):
      return "\(path) is \(kind), not a regular file: refusing to replace it with a figure"
    case .writeFailed(let path, let reason): return "could not write \(path): \(reason)"
    case .cairo(let status, let during): return "cairo failed while \(during): \(status)"
    case .invalidSize(let width, let height):
      return
        "figure size \(width)x\(height) is invalid: each side must be 1...\(Figure.maximumSide) pixels"
        + " and the whole at most \(Figure.maximumPixels) pixels"
    case .mismatchedLengths(let panel, let series, let x, let y):
      return "panel \(panel), series \(series): x has \(x) values but y has \(y)"
    case .invalidContourGrid(let panel, let series, let reason):
      return "panel \(panel), contour series \(series): \(reason)"
    case .invalidLevels(let reason): return "invalid contour levels: \(reason)"
    case .invalidStyle(let panel, let series, let reason):
      return "panel \(panel), series \(series): \(reason)"
    case .invalidLimits(let panel, let axis, let reason):
      return "panel \(panel), \(axis) limits: \(reason)"
    }
  }

  /// Same as `description`, for Foundation's error reporting.
  public var errorDescription: String? { description }
}
