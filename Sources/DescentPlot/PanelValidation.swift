extension Panel {
  /// Throws the first inconsistency: mismatched x/y lengths, a contour grid of the wrong shape,
  /// or fixed limits that are empty, non-finite, or not positive on a log axis.
  func validate(index: Int) throws(PlotError) {
    for (seriesIndex, item) in series.enumerated() {
      switch item {
      case .line(let s): try checkLengths(s.x, s.y, index, seriesIndex)
      case .scatter(let s): try checkLengths(s.x, s.y, index, seriesIndex)
      case .markers(let s): try checkLengths(s.x, s.y, index, seriesIndex)
      case .contour(let s):
        guard s.z.count == s.y.count else {
          throw .invalidContourGrid(
            panel: index, series: seriesIndex,
            reason: "z has \(s.z.count) rows but y has \(s.y.count) values")
        }
        if let row = s.z.firstIndex(where: { $0.count != s.x.count }) {
          throw .invalidContourGrid(
            panel: index, series: seriesIndex,
            reason: "z row \(row) has \(s.z[row].count) values but x has \(s.x.count)")
        }
      }
    }
    _ = try AxisMap.fit(
      scale: xScale, limits: xLimits, padded: [], tight: [], panel: index, axis: "x")
    _ = try AxisMap.fit(
      scale: yScale, limits: yLimits, padded: [], tight: [], panel: index, axis: "y")
  }

  private func checkLengths(_ x: [Double], _ y: [Double], _ panel: Int, _ series: Int)
    throws(PlotError)
  {
    guard x.count == y.count else {
      throw .mismatchedLengths(panel: panel, series: series, x: x.count, y: y.count)
    }
  }
}
