import CCairo
import DescentPlot
import Foundation
import Testing

/// A fresh folder for one test's figures (or under `$DESCENT_CLI_TEST_DIR` to keep them).
func figureFolder(_ name: String) throws -> URL {
  let base =
    ProcessInfo.processInfo.environment["DESCENT_CLI_TEST_DIR"].map { URL(fileURLWithPath: $0) }
    ?? FileManager.default.temporaryDirectory.appendingPathComponent(
      "descent-cli-\(UUID().uuidString)")
  let folder = base.appendingPathComponent(name)
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  return folder
}

/// Writes `figure` as PNG, SVG and PDF in `folder` and checks each file: the format's header
/// and trailer and the figure's size; the PNG must differ from the same figure with its panels
/// emptied of series in at least 0.5% of its pixels (so the data was drawn, not just axes).
func expectValidFiles(_ figure: Figure, named name: String, in folder: URL) throws {
  for format in ImageFormat.allCases {
    let url = folder.appendingPathComponent("\(name).\(format.rawValue)")
    try figure.write(to: url)
    let data = try Data(contentsOf: url)
    #expect(data.count > 1000, "\(url.lastPathComponent) has \(data.count) bytes")
    let text = String(decoding: data.prefix(4096), as: UTF8.self)
    switch format.rawValue {
    case "png":
      let size = try #require(pngSize(data), "\(url.lastPathComponent) is not a PNG")
      #expect(size.width == figure.width && size.height == figure.height)
      let bareURL = folder.appendingPathComponent("\(name)-axes-only.png")
      try withoutSeries(figure).write(to: bareURL)
      let changed = try #require(differingPixels(url, bareURL))
      #expect(changed * 200 > figure.width * figure.height, "\(name).png shows no data")
    case "svg":
      #expect(text.contains("<svg") && text.contains("width=\"\(figure.width)"))
      #expect(String(decoding: data.suffix(64), as: UTF8.self).contains("</svg>"))
    default:
      #expect(text.hasPrefix("%PDF-"))
      #expect(String(decoding: data.suffix(16), as: UTF8.self).contains("%%EOF"))
    }
  }
}

/// `figure` with the same panels' titles, labels, scales and limits but nothing drawn in them.
func withoutSeries(_ figure: Figure) -> Figure {
  var bare = figure
  for index in bare.panels.indices {
    let panel = figure.panels[index]
    var empty = Panel(title: panel.title, xLabel: panel.xLabel, yLabel: panel.yLabel)
    (empty.xScale, empty.yScale) = (panel.xScale, panel.yScale)
    empty.xLimits = panel.xLimits ?? (panel.xScale == .log ? 1...10 : 0...1)
    empty.yLimits = panel.yLimits ?? (panel.yScale == .log ? 1...10 : 0...1)
    bare.panels[index] = empty
  }
  return bare
}

/// How many pixels differ between two PNG files of the same size (nil if either is unreadable).
func differingPixels(_ first: URL, _ second: URL) -> Int? {
  guard let a = cairo_image_surface_create_from_png(first.path) else { return nil }
  defer { cairo_surface_destroy(a) }
  guard let b = cairo_image_surface_create_from_png(second.path) else { return nil }
  defer { cairo_surface_destroy(b) }
  guard cairo_surface_status(a) == CAIRO_STATUS_SUCCESS,
    cairo_surface_status(b) == CAIRO_STATUS_SUCCESS,
    cairo_image_surface_get_stride(a) == cairo_image_surface_get_stride(b),
    cairo_image_surface_get_height(a) == cairo_image_surface_get_height(b),
    let pa = cairo_image_surface_get_data(a), let pb = cairo_image_surface_get_data(b)
  else { return nil }
  let words = Int(cairo_image_surface_get_stride(a)) * Int(cairo_image_surface_get_height(a)) / 4
  let wa = UnsafeRawPointer(pa).assumingMemoryBound(to: UInt32.self)
  let wb = UnsafeRawPointer(pb).assumingMemoryBound(to: UInt32.self)
  return (0..<words).reduce(0) { $0 + (wa[$1] == wb[$1] ? 0 : 1) }
}

/// Width and height read from a PNG's header chunk, or nil when the signature is wrong.
func pngSize(_ data: Data) -> (width: Int, height: Int)? {
  let bytes = [UInt8](data.prefix(24))
  guard bytes.count == 24, bytes.starts(with: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  else { return nil }
  let number = { (start: Int) in bytes[start..<start + 4].reduce(0) { $0 * 256 + Int($1) } }
  return (number(16), number(20))
}

/// The legend texts of a panel's series, in drawing order.
func legendLabels(_ panel: Panel) -> [String] {
  panel.series.compactMap { series in
    switch series {
    case .line(let line): line.label
    case .scatter(let dots): dots.label
    case .contour(let contour): contour.label
    case .markers(let markers): markers.label
    }
  }
}
