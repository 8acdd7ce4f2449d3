import CCairo
import Foundation

extension Canvas {
  /// Draws a filled disc (a scatter point) centred on (x, y), `size` pixels across.
  func dot(x: Double, y: Double, size: Double, color: Color) {
    cairo_new_path(cr)
    cairo_arc(cr, x, y, size / 2, 0, 2 * Double.pi)
    fill(color)
  }

  /// Draws one marker centred on (x, y), `size` pixels across.
  func marker(_ shape: MarkerShape, x: Double, y: Double, size: Double, color: Color) {
    let radius = size / 2
    cairo_new_path(cr)
    switch shape {
    case .star:
      for vertex in 0..<10 {
        let r = vertex.isMultiple(of: 2) ? radius : radius * 0.45
        let angle = -Double.pi / 2 + Double(vertex) * Double.pi / 5
        cairo_line_to(cr, x + r * cos(angle), y + r * sin(angle))
      }
      cairo_close_path(cr)
    case .circle:
      cairo_arc(cr, x, y, radius * 0.8, 0, 2 * Double.pi)
    case .square:
      rectangle(
        Rect(x: x - radius * 0.7, y: y - radius * 0.7, width: radius * 1.4, height: radius * 1.4))
    case .cross:
      let arm = radius * 0.75
      line(from: (x - arm, y - arm), to: (x + arm, y + arm))
      line(from: (x - arm, y + arm), to: (x + arm, y - arm))
      stroke(color: color, width: max(2, size / 6))
      return
    }
    fill(color, preserve: true)
    stroke(color: Theme.outline, width: max(1, size / 14))
  }
}
