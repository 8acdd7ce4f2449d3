/// A panel's legend: one row per labelled series, placed in the corner that hides the least data.
struct Legend {
  let entries: [(label: String, series: Series)]
  let canvas: Canvas
  private let padding = 7.0
  private let sampleWidth = 26.0
  private let inset = 8.0
  /// Space between the axes and a legend placed outside them.
  static let outsideGap = 10.0

  init(series: [Series], canvas: Canvas) {
    self.entries = series.compactMap { item in
      guard let label = item.label, !label.isEmpty else { return nil }
      return (label, item)
    }
    self.canvas = canvas
  }

  private var rowHeight: Double {
    canvas.font(size: Theme.legendFontSize)
    return canvas.lineHeight() * 1.3
  }

  /// The legend's size in pixels.
  var size: (width: Double, height: Double) {
    canvas.font(size: Theme.legendFontSize)
    let textWidth = entries.map { canvas.textWidth($0.label) }.max() ?? 0
    return (
      padding * 2 + sampleWidth + 6 + textWidth, padding * 2 + rowHeight * Double(entries.count)
    )
  }

  /// The box for `position` inside `plot` (`best`: the candidate covering fewest `occupied` points,
  /// ties going to the earlier of upper right, upper left, lower left, lower right, then the edges).
  /// `outsideOffset` moves an outside legend further right (past a colour bar).
  func frame(
    for position: LegendPosition, in plot: Rect, occupied: [(Double, Double)],
    outsideOffset: Double = 0
  ) -> Rect? {
    let (width, height) = size
    let left = plot.x + inset
    let right = plot.maxX - inset - width
    let top = plot.y + inset
    let bottom = plot.maxY - inset - height
    let middleX = plot.x + (plot.width - width) / 2
    let middleY = plot.y + (plot.height - height) / 2
    func box(_ x: Double, _ y: Double) -> Rect { Rect(x: x, y: y, width: width, height: height) }
    switch position {
    case .hidden: return nil
    case .upperRight: return box(right, top)
    case .upperLeft: return box(left, top)
    case .lowerLeft: return box(left, bottom)
    case .lowerRight: return box(right, bottom)
    case .outsideRight: return box(plot.maxX + outsideOffset + Legend.outsideGap, plot.y)
    case .best:
      let candidates = [
        box(right, top), box(left, top), box(left, bottom), box(right, bottom),
        box(right, middleY), box(left, middleY), box(middleX, top), box(middleX, bottom),
      ]
      // A sample of at most about 20 000 points is plenty to rank eight boxes.
      let every = max(1, occupied.count / 20_000)
      let sample = stride(from: 0, to: occupied.count, by: every).map { occupied[$0] }
      let scores = candidates.map { candidate in
        sample.reduce(0) { $0 + (candidate.contains($1.0, $1.1) ? 1 : 0) }
      }
      let best = scores.indices.min { scores[$0] < scores[$1] } ?? 0
      return candidates[best]
    }
  }

  /// Draws the legend box and its rows inside `frame`.
  func draw(in frame: Rect) {
    canvas.roundedRectangle(frame, radius: 4)
    canvas.fill(Color.white.withAlpha(0.88), preserve: true)
    canvas.stroke(color: Theme.legendBorder, width: 1)
    canvas.font(size: Theme.legendFontSize)
    let row = rowHeight
    for (index, entry) in entries.enumerated() {
      let centreY = frame.y + padding + row * (Double(index) + 0.5)
      let sampleX = frame.x + padding
      drawSample(entry.series, x: sampleX, y: centreY)
      canvas.text(
        entry.label, x: sampleX + sampleWidth + 6, y: centreY, anchorX: 0, anchorY: 0.5,
        color: Theme.text)
    }
  }

  private func drawSample(_ series: Series, x: Double, y: Double) {
    let middle = x + sampleWidth / 2
    switch series {
    case .line(let s):
      canvas.line(from: (x, y), to: (x + sampleWidth, y))
      canvas.stroke(
        color: s.color, width: min(s.width, 4), dash: s.dash.pattern(width: min(s.width, 4)))
    case .scatter(let s):
      canvas.dot(x: middle, y: y, size: min(max(s.size, 6), 10), color: s.color)
    case .contour(let s):
      canvas.line(from: (x, y), to: (x + sampleWidth, y))
      canvas.stroke(color: s.color ?? Color.viridis(0.5), width: min(max(s.width, 1.5), 4))
    case .markers(let s):
      canvas.marker(s.shape, x: middle, y: y, size: min(s.size, 14), color: s.color)
    }
  }
}
