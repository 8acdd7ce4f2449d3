extension Panel {
  /// Throws the first inconsistency: mismatched x/y lengths, a contour grid of the wrong shape,
  /// a negative or non-finite width, size or opacity, or fixed limits that are empty, non-finite, or not positive on a log axis.
  func validate(index: Int) throws(PlotError) {
    for (seriesIndex, item) in series.enumerated() {
      switch item {
      case .line(let s):
        try checkLengths(s.x, s.y, index, seriesIndex)
        try checkStyle("line width", s.width, index, seriesIndex)
      case .scatter(let s):
        try checkLengths(s.x, s.y, index, seriesIndex)
        try checkStyle("scatter size", s.size, index, seriesIndex)
      case .markers(let s):
        try checkLengths(s.x, s.y, index, seriesIndex)
        try checkStyle("marker size", s.size, index, seriesIndex)
      case .contour(let s):
        try checkStyle("contour width", s.width, index, seriesIndex)
        try checkStyle("contour opacity", s.opacity, index, seriesIndex, upTo: 1)
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

  private func checkStyle(
    _ what: String, _ value: Double, _ panel: Int, _ series: Int,
    upTo limit: Double = .greatestFiniteMagnitude
  ) throws(PlotError) {
    guard value.isFinite, value >= 0, value <= limit else {
      let range = limit == .greatestFiniteMagnitude ? "finite and >= 0" : "in 0...\(limit)"
      throw .invalidStyle(panel: panel, series: series, reason: "\(what) \(value) must be \(range)")
    }
  }
}
