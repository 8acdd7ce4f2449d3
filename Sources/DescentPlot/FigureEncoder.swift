import CCairo
import Foundation

/// Creates the cairo surface for a format, draws the figure on it, and collects the encoded bytes.
enum FigureEncoder {
  /// PDF points per figure pixel: 72 points per inch at 100 pixels per inch.
  static let pdfPointsPerPixel = 0.72

  /// Bytes written by cairo's stream functions.
  private final class ByteSink {
    var data = Data()
  }

  static func encode(_ figure: Figure, as format: ImageFormat) throws(PlotError) -> Data {
    let sink = ByteSink()
    let closure = Unmanaged.passUnretained(sink).toOpaque()
    let write: cairo_write_func_t = { closure, bytes, length in
      guard let closure, let bytes else { return CAIRO_STATUS_WRITE_ERROR }
      Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue().data.append(
        bytes, count: Int(length))
      return CAIRO_STATUS_SUCCESS
    }
    let width = Double(figure.width)
    let height = Double(figure.height)
    let surface: OpaquePointer?
    var scale = 1.0
    switch format {
    case .png:
      surface = cairo_image_surface_create(
        CAIRO_FORMAT_ARGB32, Int32(figure.width), Int32(figure.height))
    case .svg:
      surface = cairo_svg_surface_create_for_stream(write, closure, width, height)
      if let surface { cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PX) }
    case .pdf:
      scale = pdfPointsPerPixel
      surface = cairo_pdf_surface_create_for_stream(
        write, closure, width * scale, height * scale)
    }
    guard let surface else {
      throw .cairo(status: "no surface", during: "creating the \(format) surface")
    }
    defer { cairo_surface_destroy(surface) }
    try check(cairo_surface_status(surface), "creating the \(format) surface")

    guard let cr = cairo_create(surface) else {
      throw .cairo(status: "no context", during: "creating the drawing context")
    }
    defer { cairo_destroy(cr) }
    cairo_scale(cr, scale, scale)
    FigureRenderer(figure: figure, canvas: Canvas(cr: cr)).draw()
    try check(cairo_status(cr), "drawing the figure")

    switch format {
    case .png:
      cairo_surface_flush(surface)
      try check(cairo_surface_write_to_png_stream(surface, write, closure), "encoding the PNG")
    case .svg, .pdf:
      cairo_surface_finish(surface)
      try check(cairo_surface_status(surface), "finishing the \(format)")
    }
    return withExtendedLifetime(sink) { sink.data }
  }

  private static func check(_ status: cairo_status_t, _ during: String) throws(PlotError) {
    guard status == CAIRO_STATUS_SUCCESS else {
      throw .cairo(status: String(cString: cairo_status_to_string(status)), during: during)
    }
  }
}
