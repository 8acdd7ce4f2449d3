import Foundation

/// Where everything in a panel goes, computed from text sizes before anything is drawn.
struct PanelLayout {
  var plot: Rect
  var xMap: AxisMap
  var yMap: AxisMap
  var xTicks: [Double]
  var xTickLabels: [String]
  var yTicks: [Double]
  var yTickLabels: [String]
  var yTickLabelWidth: Double
}

extension PanelRenderer {
  /// The axis ranges fitted to the panel's data (or its fixed limits).
  private func fittedAxes() -> (x: AxisMap, y: AxisMap) {
    var paddedX: [Double] = []
    var paddedY: [Double] = []
    var tightX: [Double] = []
    var tightY: [Double] = []
    for item in panel.series {
      switch item {
      case .line(let s): append(s.x, s.y, to: &paddedX, &paddedY)
      case .scatter(let s): append(s.x, s.y, to: &paddedX, &paddedY)
      case .markers(let s): append(s.x, s.y, to: &paddedX, &paddedY)
      case .contour(let s):
        tightX += [s.x.min(), s.x.max()].compactMap { $0 }
        tightY += [s.y.min(), s.y.max()].compactMap { $0 }
      }
    }
    let fallback = AxisMap(scale: .linear, lower: 0, upper: 1)
    let x =
      (try? AxisMap.fit(
        scale: panel.xScale, limits: panel.xLimits, padded: paddedX, tight: tightX, panel: index,
        axis: "x")) ?? fallback
    let y =
      (try? AxisMap.fit(
        scale: panel.yScale, limits: panel.yLimits, padded: paddedY, tight: tightY, panel: index,
        axis: "y")) ?? fallback
    return (x, y)
  }

  /// Adds the points drawable on both axes (a point off a log axis must not stretch the other).
  private func append(_ x: [Double], _ y: [Double], to xs: inout [Double], _ ys: inout [Double]) {
    for (px, py) in zip(x, y)
    where AxisMap.transform(px, panel.xScale) != nil && AxisMap.transform(py, panel.yScale) != nil {
      xs.append(px)
      ys.append(py)
    }
  }

  /// Margins from the text sizes, then tick counts that fit the room left.
  func makeLayout() -> PanelLayout {
    var (xMap, yMap) = fittedAxes()
    let pad = Theme.cellPadding
    canvas.font(size: Theme.titleFontSize, bold: true)
    let titleHeight = canvas.lineHeight()
    canvas.font(size: Theme.labelFontSize)
    let labelHeight = canvas.lineHeight()
    canvas.font(size: Theme.tickFontSize)
    let tickHeight = canvas.lineHeight()
    let hasTitle = !(panel.title ?? "").isEmpty
    let hasXLabel = !(panel.xLabel ?? "").isEmpty
    let hasYLabel = !(panel.yLabel ?? "").isEmpty

    let top = (cell.y + pad + (hasTitle ? titleHeight + Theme.gap : tickHeight / 2)).rounded()
    let bottom =
      (cell.maxY - pad - tickHeight - Theme.tickLength - 3
      - (hasXLabel ? labelHeight + Theme.gap : 0)).rounded()
    yMap.pixelLower = bottom
    yMap.pixelUpper = top
    let yTicks = yMap.ticks(maxCount: max(2, Int((bottom - top) / 42)))
    let yTickLabels = TickLabels.format(yTicks, logarithmic: panel.yScale == .log)
    let yTickLabelWidth = yTickLabels.map { canvas.textWidth($0) }.max() ?? 0

    let left =
      (cell.x + pad + (hasYLabel ? labelHeight + Theme.gap : 0) + yTickLabelWidth
      + Theme.tickLength + 4).rounded()
    var right = (cell.maxX - pad - 8).rounded()
    let legend = Legend(series: panel.series, canvas: canvas)
    if panel.legend == .outsideRight && !legend.entries.isEmpty {
      right = (cell.maxX - pad - legend.size.width - Legend.outsideGap).rounded()
    }
    if let colorbar = Colorbar(panel: panel, canvas: canvas) {
      right = (right - colorbar.width).rounded()
    }
    xMap.pixelLower = left
    xMap.pixelUpper = right
    // As many x ticks as fit with their labels apart, but never fewer than two when possible.
    var maxCount = max(3, Int((right - left) / 50))
    var xTicks: [Double] = []
    var xTickLabels: [String] = []
    while maxCount >= 2 {
      let ticks = xMap.ticks(maxCount: maxCount)
      if ticks.count < 2 && xTicks.count >= 2 { break }
      let labels = TickLabels.format(ticks, logarithmic: panel.xScale == .log)
      (xTicks, xTickLabels) = (ticks, labels)
      let widest = labels.map { canvas.textWidth($0) }.max() ?? 0
      let pixels = ticks.compactMap { xMap.pixel($0) }
      let spacing = zip(pixels.dropFirst(), pixels).map { $0 - $1 }.min() ?? .infinity
      if spacing >= widest + 14 { break }
      maxCount -= 1
    }
    // Let the last tick label overhang no further than the cell's padding.
    if panel.legend != .outsideRight, Colorbar(panel: panel, canvas: canvas) == nil,
      let last = xTicks.last, let pixel = xMap.pixel(last),
      let label = xTickLabels.last
    {
      let overhang = pixel + canvas.textWidth(label) / 2 - (cell.maxX - pad)
      if overhang > 0 {
        right = (right - overhang).rounded(.down)
        xMap.pixelUpper = right
      }
    }
    let plot = Rect(x: left, y: top, width: right - left, height: bottom - top)
    return PanelLayout(
      plot: plot, xMap: xMap, yMap: yMap, xTicks: xTicks, xTickLabels: xTickLabels,
      yTicks: yTicks, yTickLabels: yTickLabels, yTickLabelWidth: yTickLabelWidth)
  }
}
