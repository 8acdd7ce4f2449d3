import CCairo
import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// A fresh folder for one test's files (or `$DESCENT_PLOT_TEST_DIR` to keep them for viewing).
func outputFolder(_ name: String) throws -> URL {
  let base =
    ProcessInfo.processInfo.environment["DESCENT_PLOT_TEST_DIR"].map { URL(fileURLWithPath: $0) }
    ?? FileManager.default.temporaryDirectory.appendingPathComponent(
      "descent-plot-\(UUID().uuidString)")
  let folder = base.appendingPathComponent(name)
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  return folder
}

/// Width and height from a PNG's IHDR chunk, after checking the 8-byte signature.
func pngSize(_ data: Data) -> (width: Int, height: Int)? {
  let bytes = [UInt8](data)
  let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
  guard bytes.count >= 24, Array(bytes[0..<8]) == signature,
    String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR"
  else { return nil }
  func bigEndian(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
  return (bigEndian(16), bigEndian(20))
}

/// Pixel statistics of a PNG file read back with cairo: how many pixels differ from the
/// background colour, and how many distinct (coarsely quantised) colours appear.
func pngInk(_ url: URL, background: UInt32 = 0xffff_ffff) -> (inked: Int, colours: Int)? {
  guard let surface = cairo_image_surface_create_from_png(url.path) else { return nil }
  defer { cairo_surface_destroy(surface) }
  guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS,
    let pixels = cairo_image_surface_get_data(surface)
  else { return nil }
  let width = Int(cairo_image_surface_get_width(surface))
  let height = Int(cairo_image_surface_get_height(surface))
  let stride = Int(cairo_image_surface_get_stride(surface))
  var inked = 0
  var colours = Set<UInt32>()
  for row in 0..<height {
    let line = UnsafeRawPointer(pixels + row * stride).assumingMemoryBound(to: UInt32.self)
    for column in 0..<width where line[column] != background {
      inked += 1
      colours.insert(line[column] & 0x00f0_f0f0)
    }
  }
  return (inked, colours.count)
}

/// The root element's width and height attributes if `data` parses as an SVG document.
func svgSize(_ data: Data) -> (width: String, height: String)? {
  final class RootReader: NSObject, XMLParserDelegate {
    var attributes: [String: String]?
    func parser(
      _ parser: XMLParser, didStartElement element: String, namespaceURI: String?,
      qualifiedName: String?, attributes: [String: String]
    ) {
      if self.attributes == nil, element == "svg" { self.attributes = attributes }
    }
  }
  let parser = XMLParser(data: data)
  let reader = RootReader()
  parser.delegate = reader
  guard parser.parse(), let attributes = reader.attributes,
    let width = attributes["width"], let height = attributes["height"]
  else { return nil }
  return (width, height)
}

/// Whether `data` looks like a complete PDF: "%PDF-" header and "%%EOF" trailer.
func isCompletePDF(_ data: Data) -> Bool {
  let head = String(decoding: data.prefix(5), as: UTF8.self)
  let tail = String(decoding: data.suffix(16), as: UTF8.self)
  return head == "%PDF-" && tail.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("%%EOF")
}
