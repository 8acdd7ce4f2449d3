import Foundation

/// A figure: a grid of panels drawn onto one canvas and written as PNG, SVG or PDF.
///
/// ```swift
/// var figure = Figure(rows: 1, columns: 2)           // 1000 x 450 pixels
/// figure[0, 0].title = "Loss"
/// figure[0, 0].yScale = .log
/// figure[0, 0].line(y: losses, label: "Adam")
/// figure[0, 1].contour(x: xs, y: ys, z: zs, levels: try logSpacedLevels(min: 0.1, max: 100, count: 12))
/// try figure.write(to: URL(fileURLWithPath: "out.png"))
/// ```
public struct Figure: Sendable, Equatable {
  /// Canvas width in pixels (points in PDF are 0.72 × this, i.e. 100 pixels per inch).
  public var width: Int
  /// Canvas height in pixels.
  public var height: Int
  /// Number of panel rows.
  public let rows: Int
  /// Number of panel columns.
  public let columns: Int
  /// The panels, row by row (`rows * columns` of them).
  public var panels: [Panel]
  /// Optional text centred above all panels.
  public var title: String?
  /// Lines of small text below all panels, left-aligned: what a reader needs to know about the
  /// figure that its legend cannot say (where settings came from, what a marker means). Each line
  /// is cut with an ellipsis when wider than the figure.
  public var footnotes: [String] = []
  /// Canvas colour behind everything.
  public var background: Color = .white

  /// A figure with `rows` × `columns` empty panels. The size defaults to 500 × 450 pixels per panel
  /// (1000 × 450 for two side by side). Rows and columns below 1 count as 1.
  public init(width: Int? = nil, height: Int? = nil, rows: Int = 1, columns: Int = 1) {
    self.rows = max(rows, 1)
    self.columns = max(columns, 1)
    self.width = width ?? 500 * self.columns
    self.height = height ?? 450 * self.rows
    self.panels = Array(repeating: Panel(), count: self.rows * self.columns)
  }

  /// The largest width or height cairo accepts, in pixels.
  public static let maximumSide = 32767
  /// The largest canvas, in pixels (64 megapixels: a 256 MiB raster), so a mistyped size fails
  /// with an error instead of exhausting memory.
  public static let maximumPixels = 1 << 26

  /// The panel at `row`, `column` (both from 0, top left first). Out-of-range indices are a
  /// programming error and stop the program.
  public subscript(row: Int, column: Int) -> Panel {
    get { panels[index(row, column)] }
    set { panels[index(row, column)] = newValue }
  }

  /// The panel at `row`, `column`; same as the subscript.
  public func panel(row: Int, column: Int) -> Panel { self[row, column] }

  /// The first (top-left) panel, handy for single-panel figures.
  public var panel: Panel {
    get { panels[0] }
    set { panels[0] = newValue }
  }

  private func index(_ row: Int, _ column: Int) -> Int {
    precondition(
      (0..<rows).contains(row) && (0..<columns).contains(column),
      "panel (\(row), \(column)) is outside the \(rows)x\(columns) grid")
    return row * columns + column
  }

  /// Renders the figure in `format` and returns the encoded bytes.
  ///
  /// Throws `PlotError` for an invalid size, inconsistent series, bad limits or a cairo failure.
  public func render(as format: ImageFormat) throws(PlotError) -> Data {
    try validate()
    return try FigureEncoder.encode(self, as: format)
  }

  /// Writes the figure to `url`, choosing PNG, SVG or PDF from the file extension.
  ///
  /// The file is written atomically: on any error no file (empty or partial) is left behind.
  /// A symbolic link is written through (the file it names is replaced, the link kept); a path
  /// naming something other than a regular file (a folder, a device, a FIFO) is refused.
  /// Throws `PlotError.unsupportedFormat`, `.notARegularFile`, `.directoryNotFound`,
  /// `.notADirectory`, `.directoryNotWritable`, `.writeFailed`, or any error of `render(as:)`.
  public func write(to requested: URL) throws(PlotError) {
    guard let format = ImageFormat(pathExtension: requested.pathExtension) else {
      throw .unsupportedFormat(extension: requested.pathExtension, path: requested.path)
    }
    let url = try OutputTarget.resolve(requested)
    let folder = url.deletingLastPathComponent().path
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
      throw .directoryNotFound(path: folder)
    }
    guard isFolder.boolValue else { throw .notADirectory(path: folder) }
    guard FileManager.default.isWritableFile(atPath: folder) else {
      throw .directoryNotWritable(path: folder)
    }
    let bytes = try render(as: format)
    // Checked again just before writing: the path may have changed while rendering.
    if let kind = OutputTarget.specialKind(url.path) {
      throw .notARegularFile(path: requested.path, kind: kind)
    }
    do {
      try bytes.write(to: url, options: .atomic)
    } catch {
      throw .writeFailed(path: url.path, reason: error.localizedDescription)
    }
  }

  /// Checks sizes, series lengths, contour grids and fixed limits before anything is drawn.
  func validate() throws(PlotError) {
    guard (1...Figure.maximumSide).contains(width), (1...Figure.maximumSide).contains(height),
      width * height <= Figure.maximumPixels
    else {
      throw .invalidSize(width: width, height: height)
    }
    for (panelIndex, panel) in panels.enumerated() {
      try panel.validate(index: panelIndex)
    }
  }
}

/// The file formats a figure can be written in.
public enum ImageFormat: String, Sendable, CaseIterable {
  /// Raster, 8-bit RGBA, one pixel per figure pixel.
  case png
  /// Vector, width and height in px.
  case svg
  /// Vector, page size in points at 100 figure pixels per inch.
  case pdf

  /// The format for a file extension (case-insensitive), or nil if unsupported.
  public init?(pathExtension: String) {
    self.init(rawValue: pathExtension.lowercased())
  }
}
