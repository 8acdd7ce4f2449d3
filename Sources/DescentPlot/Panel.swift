/// One set of axes in a figure: title, axis labels, scales, limits, and the series drawn in it.
///
/// Series added without a colour take the next colour of `colorCycle` (tab10 by default).
public struct Panel: Sendable, Equatable {
  /// Text above the axes (nil: none).
  public var title: String?
  /// Text under the x axis (nil: none).
  public var xLabel: String?
  /// Text left of the y axis, rotated (nil: none).
  public var yLabel: String?
  /// Fixed x range (nil: fitted to the data with a 5% margin).
  public var xLimits: ClosedRange<Double>?
  /// Fixed y range (nil: fitted to the data with a 5% margin).
  public var yLimits: ClosedRange<Double>?
  /// Linear or logarithmic x axis.
  public var xScale: AxisScale = .linear
  /// Linear or logarithmic y axis (log suits loss curves).
  public var yScale: AxisScale = .linear
  /// Where the legend goes; it is drawn only when some series has a label.
  public var legend: LegendPosition = .best
  /// Whether a colour key is drawn right of the axes for the first contour series coloured by
  /// level (one with no fixed `color`).
  public var showsColorbar = true
  /// Whether light grid lines are drawn at the ticks.
  public var showsGrid = true
  /// Colours given to series that do not name one, in order.
  public var colorCycle: [Color] = Color.tab10
  /// Everything drawn, in drawing order.
  public private(set) var series: [Series] = []
  private var cycleIndex = 0

  /// An empty panel.
  public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
  }

  /// Adds a polyline through `(x[i], y[i])`. Non-finite points (and values <= 0 on a log axis)
  /// leave a gap. `width` is in pixels.
  public mutating func line(
    x: [Double], y: [Double], label: String? = nil, color: Color? = nil, width: Double = 2,
    dash: Dash = .solid
  ) {
    let stroke = color ?? nextColor()
    series.append(
      .line(LineSeries(x: x, y: y, label: label, color: stroke, width: width, dash: dash)))
  }

  /// Adds a polyline through `(i, y[i])` for i = 0, 1, ... (e.g. a loss per step).
  public mutating func line(
    y: [Double], label: String? = nil, color: Color? = nil, width: Double = 2, dash: Dash = .solid
  ) {
    line(x: y.indices.map(Double.init), y: y, label: label, color: color, width: width, dash: dash)
  }

  /// Adds dots at `(x[i], y[i])`; non-finite points are skipped. `size` is the diameter in pixels.
  public mutating func scatter(
    x: [Double], y: [Double], label: String? = nil, color: Color? = nil, size: Double = 6
  ) {
    let fill = color ?? nextColor()
    series.append(.scatter(ScatterSeries(x: x, y: y, label: label, color: fill, size: size)))
  }

  /// Adds iso-lines of `z` over the grid `x` × `y`, where `z[i][j]` is the value at `(x[j], y[i])`
  /// (`y.count` rows of `x.count`, as numpy's meshgrid). Lines are coloured low-to-high with viridis
  /// unless `color` is given; `opacity` below 1 lets paths drawn on top stand out. Use `logSpacedLevels(min:max:count:)` for loss landscapes.
  public mutating func contour(
    x: [Double], y: [Double], z: [[Double]], levels: [Double], label: String? = nil,
    color: Color? = nil, width: Double = 1, opacity: Double = 1
  ) {
    series.append(
      .contour(
        ContourSeries(
          x: x, y: y, z: z, levels: levels.sorted(), label: label, color: color, width: width,
          opacity: opacity)))
  }

  /// Adds iso-lines at `levels` nice values spanning the finite range of `z` (log-spaced when
  /// all values are positive and span more than two decades).
  public mutating func contour(
    x: [Double], y: [Double], z: [[Double]], levels count: Int = 10, label: String? = nil,
    color: Color? = nil, width: Double = 1, opacity: Double = 1
  ) {
    let values = z.joined().filter(\.isFinite)
    var levels: [Double] = []
    if let low = values.min(), let high = values.max(), high > low {
      // `count` levels strictly inside the range: generate two more and drop the extremes.
      let spaced = low > 0 && high / low > 100 ? logSpacedLevels : linearLevels
      let all = (try? spaced(low, high, max(count, 2) + 2)) ?? []
      levels = Array(all.dropFirst().dropLast())
    }
    contour(
      x: x, y: y, z: z, levels: levels, label: label, color: color, width: width, opacity: opacity)
  }

  /// Adds emphasised points, e.g. `marker(x: [x0], y: [y0], shape: .circle, label: "start")` or a
  /// gold star at the minimum. `size` is the outer diameter in pixels.
  public mutating func marker(
    x: [Double], y: [Double], shape: MarkerShape = .star, label: String? = nil,
    color: Color? = nil, size: Double = 16
  ) {
    let fill = color ?? defaultMarkerColor(shape)
    series.append(
      .markers(MarkerSeries(x: x, y: y, shape: shape, label: label, color: fill, size: size)))
  }

  /// Adds one emphasised point.
  public mutating func marker(
    x: Double, y: Double, shape: MarkerShape = .star, label: String? = nil, color: Color? = nil,
    size: Double = 16
  ) {
    marker(x: [x], y: [y], shape: shape, label: label, color: color, size: size)
  }

  private func defaultMarkerColor(_ shape: MarkerShape) -> Color {
    switch shape {
    case .star: return .gold
    case .circle: return .white
    case .cross: return .black
    case .square: return .gray
    }
  }

  private mutating func nextColor() -> Color {
    guard !colorCycle.isEmpty else { return .black }
    defer { cycleIndex += 1 }
    return colorCycle[cycleIndex % colorCycle.count]
  }
}

/// matplotlib's name for a panel.
public typealias Axes = Panel
