/// A vertical key to the right of the axes for a contour series coloured by level: one viridis
/// band per level, labelled with the level's value (every k-th when they would crowd).
struct Colorbar {
  let levels: [Double]
  let canvas: Canvas
  private let barWidth = 14.0
  /// Space between the axes and the bar.
  private let gap = 12.0

  /// The bar for the panel's first contour series drawn in viridis, or nil if there is none or
  /// the panel hides colour bars.
  init?(panel: Panel, canvas: Canvas) {
    guard panel.showsColorbar else { return nil }
    let contour = panel.series.lazy.compactMap { item -> ContourSeries? in
      guard case .contour(let series) = item, series.color == nil, series.levels.count >= 2 else {
        return nil
      }
      return series
    }.first
    guard let contour else { return nil }
    self.levels = contour.levels
    self.canvas = canvas
  }

  private var labels: [String] { levels.map(TickLabels.compact) }

  /// The horizontal room the bar and its labels take, gap included.
  var width: Double {
    canvas.font(size: Theme.tickFontSize)
    let widest = labels.map { canvas.textWidth($0) }.max() ?? 0
    return gap + barWidth + Theme.tickLength + 3 + widest
  }

  /// Draws the bar beside `plot`, as tall as it.
  func draw(beside plot: Rect) {
    let x = plot.maxX + gap
    let band = plot.height / Double(levels.count)
    canvas.font(size: Theme.tickFontSize)
    let every = max(1, Int((canvas.lineHeight() * 1.15 / band).rounded(.up)))
    for (index, label) in labels.enumerated() {
      let t = Double(index) / Double(levels.count - 1)
      let top = plot.maxY - band * Double(index + 1)
      canvas.rectangle(Rect(x: x, y: top, width: barWidth, height: band + 0.5))
      canvas.fill(Color.viridis(t))
      guard index % every == 0 else { continue }
      let centre = top + band / 2
      canvas.line(from: (x + barWidth, centre), to: (x + barWidth + Theme.tickLength, centre))
      canvas.stroke(color: Theme.spine, width: 1)
      canvas.text(
        label, x: x + barWidth + Theme.tickLength + 3, y: centre, anchorX: 0, anchorY: 0.5,
        color: Theme.text)
    }
    canvas.rectangle(
      Rect(x: x + 0.5, y: plot.y + 0.5, width: barWidth - 1, height: plot.height - 1))
    canvas.stroke(color: Theme.spine, width: 1)
  }
}
