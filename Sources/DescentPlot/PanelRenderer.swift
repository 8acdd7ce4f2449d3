import CCairo
import Foundation

/// Lays out and draws one panel inside its grid cell: grid, series, spines, ticks, labels, legend.
struct PanelRenderer {
  let panel: Panel
  let index: Int
  let cell: Rect
  let canvas: Canvas

  func draw() {
    let layout = makeLayout()
    let plot = layout.plot
    if panel.showsGrid { drawGrid(layout) }
    canvas.clip(to: plot)
    let occupied = drawSeries(layout)
    canvas.unclip()
    drawSpinesAndTicks(layout)
    drawLabels(layout)
    let colorbar = Colorbar(panel: panel, canvas: canvas)
    colorbar?.draw(beside: plot)
    let legend = Legend(series: panel.series, canvas: canvas)
    if !legend.entries.isEmpty,
      let frame = legend.frame(
        for: panel.legend, in: plot, occupied: occupied, outsideOffset: colorbar?.width ?? 0)
    {
      legend.draw(in: frame)
    }
  }

  private func drawGrid(_ layout: PanelLayout) {
    let plot = layout.plot
    for x in layout.xTicks.compactMap({ layout.xMap.pixel($0) }) {
      let px = x.rounded() + 0.5
      canvas.line(from: (px, plot.y), to: (px, plot.maxY))
    }
    for y in layout.yTicks.compactMap({ layout.yMap.pixel($0) }) {
      let py = y.rounded() + 0.5
      canvas.line(from: (plot.x, py), to: (plot.maxX, py))
    }
    canvas.stroke(color: Theme.grid, width: 1)
  }

  /// Draws every series and returns the pixel points it covers (for legend placement).
  private func drawSeries(_ layout: PanelLayout) -> [(Double, Double)] {
    let bounds = Rect(
      x: layout.plot.x - 20, y: layout.plot.y - 20, width: layout.plot.width + 40,
      height: layout.plot.height + 40)
    func pixel(_ x: Double, _ y: Double) -> (Double, Double)? {
      guard let px = layout.xMap.pixel(x), let py = layout.yMap.pixel(y) else { return nil }
      return (px, py)
    }
    cairo_set_line_cap(canvas.cr, CAIRO_LINE_CAP_ROUND)
    cairo_set_line_join(canvas.cr, CAIRO_LINE_JOIN_ROUND)
    var occupied: [(Double, Double)] = []
    for item in panel.series {
      switch item {
      case .line(let s):
        let points = zip(s.x, s.y).map { pixel($0, $1) }
        let drawn = SegmentClipper.addPolyline(points, within: bounds, canvas: canvas)
        canvas.stroke(color: s.color, width: s.width, dash: s.dash.pattern(width: s.width))
        occupied += densify(drawn)
      case .scatter(let s):
        for point in zip(s.x, s.y).compactMap({ pixel($0, $1) })
        where bounds.contains(point.0, point.1) {
          canvas.dot(x: point.0, y: point.1, size: s.size, color: s.color)
          occupied.append(point)
        }
      case .contour(let s):
        for (levelIndex, level) in s.levels.enumerated() {
          let t = s.levels.count > 1 ? Double(levelIndex) / Double(s.levels.count - 1) : 0.5
          for segment in MarchingSquares.segments(x: s.x, y: s.y, z: s.z, level: level) {
            let points = [
              pixel(segment.start.x, segment.start.y), pixel(segment.end.x, segment.end.y),
            ]
            // Contours are background: the legend may sit over them, so they do not count.
            SegmentClipper.addPolyline(points, within: bounds, canvas: canvas)
          }
          let colour = s.color ?? Color.viridis(t)
          canvas.stroke(color: colour.withAlpha(colour.alpha * s.opacity), width: s.width)
        }
      case .markers(let s):
        for point in zip(s.x, s.y).compactMap({ pixel($0, $1) })
        where bounds.contains(point.0, point.1) {
          canvas.marker(s.shape, x: point.0, y: point.1, size: s.size, color: s.color)
          occupied.append(point)
        }
      }
    }
    cairo_set_line_cap(canvas.cr, CAIRO_LINE_CAP_BUTT)
    cairo_set_line_join(canvas.cr, CAIRO_LINE_JOIN_MITER)
    return occupied
  }

  /// Points every few pixels along a drawn polyline, so long straight segments count as covered.
  private func densify(_ points: [(Double, Double)]) -> [(Double, Double)] {
    var result: [(Double, Double)] = []
    for (a, b) in zip(points, points.dropFirst()) {
      let length = hypot(b.0 - a.0, b.1 - a.1)
      // Clamp before converting: points far off the canvas may be 1e300 pixels apart (or inf).
      let steps = length.isFinite ? Int(min(length / 4, 500)) : 0
      for step in 0...steps {
        let t = steps == 0 ? 0 : Double(step) / Double(steps)
        result.append((a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t))
      }
    }
    return points.count == 1 ? points : result
  }

  private func drawSpinesAndTicks(_ layout: PanelLayout) {
    let plot = layout.plot
    canvas.rectangle(
      Rect(x: plot.x + 0.5, y: plot.y + 0.5, width: plot.width - 1, height: plot.height - 1))
    canvas.stroke(color: Theme.spine, width: 1)
    let length = Theme.tickLength
    for x in layout.xTicks.compactMap({ layout.xMap.pixel($0) }) {
      let px = x.rounded() + 0.5
      canvas.line(from: (px, plot.maxY), to: (px, plot.maxY + length))
    }
    for y in layout.yTicks.compactMap({ layout.yMap.pixel($0) }) {
      let py = y.rounded() + 0.5
      canvas.line(from: (plot.x, py), to: (plot.x - length, py))
    }
    canvas.stroke(color: Theme.spine, width: 1)
    let minorX = layout.xMap.minorTicks(major: layout.xTicks).compactMap { layout.xMap.pixel($0) }
    let minorY = layout.yMap.minorTicks(major: layout.yTicks).compactMap { layout.yMap.pixel($0) }
    for x in minorX {
      canvas.line(
        from: (x.rounded() + 0.5, plot.maxY), to: (x.rounded() + 0.5, plot.maxY + length * 0.6))
    }
    for y in minorY {
      canvas.line(from: (plot.x, y.rounded() + 0.5), to: (plot.x - length * 0.6, y.rounded() + 0.5))
    }
    canvas.stroke(color: Theme.spine, width: 0.8)

    canvas.font(size: Theme.tickFontSize)
    for (value, label) in zip(layout.xTicks, layout.xTickLabels) {
      guard let x = layout.xMap.pixel(value) else { continue }
      canvas.text(
        label, x: x, y: plot.maxY + length + 3, anchorX: 0.5, anchorY: 0, color: Theme.text)
    }
    for (value, label) in zip(layout.yTicks, layout.yTickLabels) {
      guard let y = layout.yMap.pixel(value) else { continue }
      canvas.text(
        label, x: plot.x - length - 4, y: y, anchorX: 1, anchorY: 0.5, color: Theme.text)
    }
  }

  private func drawLabels(_ layout: PanelLayout) {
    let plot = layout.plot
    if let title = panel.title, !title.isEmpty {
      canvas.font(size: Theme.titleFontSize, bold: true)
      let room = 2 * min(plot.x + plot.width / 2 - cell.x, cell.maxX - plot.x - plot.width / 2)
      canvas.text(
        canvas.fitted(title, maxWidth: room - 2 * Theme.cellPadding), x: plot.x + plot.width / 2,
        y: plot.y - Theme.gap, anchorX: 0.5, anchorY: 1,
        color: Theme.text)
    }
    canvas.font(size: Theme.tickFontSize)
    let tickHeight = canvas.lineHeight()
    canvas.font(size: Theme.labelFontSize)
    if let label = panel.xLabel, !label.isEmpty {
      canvas.text(
        canvas.fitted(label, maxWidth: plot.width), x: plot.x + plot.width / 2,
        y: plot.maxY + Theme.tickLength + 3 + tickHeight + Theme.gap, anchorX: 0.5, anchorY: 0,
        color: Theme.text)
    }
    if let label = panel.yLabel, !label.isEmpty {
      canvas.text(
        canvas.fitted(label, maxWidth: plot.height),
        x: plot.x - Theme.tickLength - 4 - layout.yTickLabelWidth - Theme.gap,
        y: plot.y + plot.height / 2, anchorX: 0.5, anchorY: 1, rotated: true, color: Theme.text)
    }
  }
}
