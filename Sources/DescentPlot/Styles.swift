/// How a line is stroked.
public enum Dash: String, Sendable, Equatable, Codable, CaseIterable {
  /// A continuous line.
  case solid
  /// Long dashes.
  case dashed
  /// Dots.
  case dotted
  /// Alternating dashes and dots.
  case dashDot

  /// The on/off pattern in units of the line width (empty for solid).
  func pattern(width: Double) -> [Double] {
    let unit = max(width, 1)
    switch self {
    case .solid: return []
    case .dashed: return [3.7 * unit, 1.6 * unit]
    case .dotted: return [1 * unit, 1.65 * unit]
    case .dashDot: return [6.4 * unit, 1.6 * unit, 1 * unit, 1.6 * unit]
    }
  }
}

/// The shape of a point marker (start, minimum, end of a path).
public enum MarkerShape: String, Sendable, Equatable, Codable, CaseIterable {
  /// A filled five-pointed star with a dark outline.
  case star
  /// A filled circle with a dark outline.
  case circle
  /// A diagonal cross, stroked.
  case cross
  /// A filled square with a dark outline.
  case square
}

/// How values map to an axis.
public enum AxisScale: String, Sendable, Equatable, Codable {
  /// Evenly spaced values.
  case linear
  /// Evenly spaced powers of ten; values <= 0 are not drawn (lines break there).
  case log
}

/// Where a panel's legend goes.
public enum LegendPosition: String, Sendable, Equatable, Codable, CaseIterable {
  /// The corner or edge that covers the fewest data points (matplotlib's "best").
  case best
  /// Top right inside the axes.
  case upperRight
  /// Top left inside the axes.
  case upperLeft
  /// Bottom left inside the axes.
  case lowerLeft
  /// Bottom right inside the axes.
  case lowerRight
  /// To the right of the axes, top-aligned; the axes shrink to make room (for many series).
  case outsideRight
  /// No legend.
  case hidden
}
