import CCairo

/// A thin wrapper over a cairo drawing context: colours, paths, text measured and placed.
struct Canvas {
  let cr: OpaquePointer

  /// Sans-serif text through cairo's toy font API.
  func font(size: Double, bold: Bool = false) {
    cairo_select_font_face(
      cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
      bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
    cairo_set_font_size(cr, size)
  }

  /// The advance width of `text` in the current font.
  func textWidth(_ text: String) -> Double {
    var extents = cairo_text_extents_t()
    cairo_text_extents(cr, text, &extents)
    return extents.x_advance
  }

  /// `text` itself if it fits in `maxWidth` pixels in the current font, else its longest prefix
  /// that fits followed by an ellipsis.
  func fitted(_ text: String, maxWidth: Double) -> String {
    guard textWidth(text) > maxWidth else { return text }
    var characters = Array(text)
    while !characters.isEmpty && textWidth(String(characters) + "…") > maxWidth {
      characters.removeLast()
    }
    return String(characters) + "…"
  }

  /// Ascent + descent of the current font: the height a line of text needs.
  func lineHeight() -> Double {
    var extents = cairo_font_extents_t()
    cairo_font_extents(cr, &extents)
    return extents.ascent + extents.descent
  }

  /// Draws `text` so that the point (x, y) is at the given fraction of its box:
  /// `anchorX` 0 = left, 0.5 = centre, 1 = right; `anchorY` likewise from top to bottom.
  /// `rotated` turns it 90° counter-clockwise (for y-axis labels) around the anchor.
  func text(
    _ text: String, x: Double, y: Double, anchorX: Double, anchorY: Double, rotated: Bool = false,
    color: Color = .black
  ) {
    var fontExtents = cairo_font_extents_t()
    cairo_font_extents(cr, &fontExtents)
    let width = textWidth(text)
    let height = fontExtents.ascent + fontExtents.descent
    cairo_save(cr)
    cairo_translate(cr, x, y)
    if rotated { cairo_rotate(cr, -Double.pi / 2) }
    setColor(color)
    cairo_move_to(cr, -width * anchorX, -height * anchorY + fontExtents.ascent)
    cairo_show_text(cr, text)
    cairo_restore(cr)
  }

  func setColor(_ color: Color) {
    func component(_ value: Double) -> Double { value.isFinite ? min(max(value, 0), 1) : 0 }
    cairo_set_source_rgba(
      cr, component(color.red), component(color.green), component(color.blue),
      component(color.alpha))
  }

  func stroke(color: Color, width: Double, dash: [Double] = []) {
    setColor(color)
    cairo_set_line_width(cr, width)
    cairo_set_dash(cr, dash, Int32(dash.count), 0)
    cairo_stroke(cr)
    cairo_set_dash(cr, [], 0, 0)
  }

  func fill(_ color: Color, preserve: Bool = false) {
    setColor(color)
    if preserve { cairo_fill_preserve(cr) } else { cairo_fill(cr) }
  }

  func rectangle(_ rect: Rect) {
    cairo_rectangle(cr, rect.x, rect.y, rect.width, rect.height)
  }

  func roundedRectangle(_ rect: Rect, radius: Double) {
    let r = min(radius, rect.width / 2, rect.height / 2)
    cairo_new_sub_path(cr)
    cairo_arc(cr, rect.maxX - r, rect.y + r, r, -Double.pi / 2, 0)
    cairo_arc(cr, rect.maxX - r, rect.maxY - r, r, 0, Double.pi / 2)
    cairo_arc(cr, rect.x + r, rect.maxY - r, r, Double.pi / 2, Double.pi)
    cairo_arc(cr, rect.x + r, rect.y + r, r, Double.pi, 3 * Double.pi / 2)
    cairo_close_path(cr)
  }

  func line(from a: (Double, Double), to b: (Double, Double)) {
    cairo_move_to(cr, a.0, a.1)
    cairo_line_to(cr, b.0, b.1)
  }

  func lineTo(_ point: (Double, Double)) {
    cairo_line_to(cr, point.0, point.1)
  }

  func clip(to rect: Rect) {
    cairo_save(cr)
    rectangle(rect)
    cairo_clip(cr)
  }

  func unclip() { cairo_restore(cr) }
}

/// An axis-aligned rectangle in device pixels (y grows downwards).
struct Rect: Equatable {
  var x: Double
  var y: Double
  var width: Double
  var height: Double
  var maxX: Double { x + width }
  var maxY: Double { y + height }

  func contains(_ px: Double, _ py: Double) -> Bool {
    px >= x && px <= maxX && py >= y && py <= maxY
  }
}
