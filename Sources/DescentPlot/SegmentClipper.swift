/// Liang–Barsky clipping of line segments to a rectangle, so that points far outside the visible
/// range (1e30, say) never reach cairo's fixed-point coordinates.
enum SegmentClipper {
  /// The part of the segment a→b inside `rect`, or nil if none of it is.
  static func clip(_ a: (Double, Double), _ b: (Double, Double), to rect: Rect)
    -> (start: (Double, Double), end: (Double, Double))?
  {
    let dx = b.0 - a.0
    let dy = b.1 - a.1
    var t0 = 0.0
    var t1 = 1.0
    let checks = [
      (-dx, a.0 - rect.x), (dx, rect.maxX - a.0), (-dy, a.1 - rect.y), (dy, rect.maxY - a.1),
    ]
    for (p, q) in checks {
      if p == 0 {
        if q < 0 { return nil }
        continue
      }
      let r = q / p
      if p < 0 {
        if r > t1 { return nil }
        t0 = max(t0, r)
      } else {
        if r < t0 { return nil }
        t1 = min(t1, r)
      }
    }
    guard t0.isFinite, t1.isFinite else { return nil }
    return ((a.0 + t0 * dx, a.1 + t0 * dy), (a.0 + t1 * dx, a.1 + t1 * dy))
  }

  /// Adds the visible parts of a polyline to the canvas's current path; `nil` points are gaps.
  /// Returns the pixel points that were drawn, for legend placement.
  @discardableResult
  static func addPolyline(_ points: [(Double, Double)?], within rect: Rect, canvas: Canvas)
    -> [(Double, Double)]
  {
    var drawn: [(Double, Double)] = []
    var pen: (Double, Double)? = nil
    var previous: (Double, Double)? = nil
    for point in points {
      guard let point else {
        previous = nil
        pen = nil
        continue
      }
      defer { previous = point }
      guard let from = previous, let piece = clip(from, point, to: rect) else {
        if previous == nil, rect.contains(point.0, point.1) {
          // An isolated point: a zero-length segment shows as a dot with round caps.
          canvas.line(from: point, to: point)
          drawn.append(point)
          pen = point
        } else {
          pen = nil
        }
        continue
      }
      if let current = pen, current == piece.start {
        canvas.lineTo(piece.end)
      } else {
        canvas.line(from: piece.start, to: piece.end)
        drawn.append(piece.start)
      }
      drawn.append(piece.end)
      pen = piece.end == point ? point : nil
    }
    return drawn
  }
}
