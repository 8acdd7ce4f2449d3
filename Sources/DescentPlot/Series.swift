/// One thing drawn in a panel, in data coordinates.
public enum Series: Sendable, Equatable {
  /// A polyline; non-finite points break it.
  case line(LineSeries)
  /// Unconnected dots; non-finite points are skipped.
  case scatter(ScatterSeries)
  /// Iso-lines of a gridded function.
  case contour(ContourSeries)
  /// Emphasised points (start, minimum, end).
  case markers(MarkerSeries)

  /// The legend text, if any.
  var label: String? {
    switch self {
    case .line(let s): return s.label
    case .scatter(let s): return s.label
    case .contour(let s): return s.label
    case .markers(let s): return s.label
    }
  }
}

/// A polyline through (x[i], y[i]).
public struct LineSeries: Sendable, Equatable {
  /// Horizontal coordinates.
  public var x: [Double]
  /// Vertical coordinates, one per x.
  public var y: [Double]
  /// Legend text (nil: not in the legend).
  public var label: String?
  /// Stroke colour.
  public var color: Color
  /// Stroke width in pixels.
  public var width: Double
  /// Stroke pattern.
  public var dash: Dash
}

/// Dots at (x[i], y[i]).
public struct ScatterSeries: Sendable, Equatable {
  /// Horizontal coordinates.
  public var x: [Double]
  /// Vertical coordinates, one per x.
  public var y: [Double]
  /// Legend text (nil: not in the legend).
  public var label: String?
  /// Fill colour.
  public var color: Color
  /// Dot diameter in pixels.
  public var size: Double
}

/// Iso-lines of z over the grid x × y (`z[i][j]` at `(x[j], y[i])`).
public struct ContourSeries: Sendable, Equatable {
  /// Grid columns, increasing.
  public var x: [Double]
  /// Grid rows, increasing.
  public var y: [Double]
  /// Values, `y.count` rows of `x.count`.
  public var z: [[Double]]
  /// The values at which iso-lines are drawn.
  public var levels: [Double]
  /// Legend text (nil: not in the legend).
  public var label: String?
  /// A single colour for every level, or nil for the viridis map from low to high level.
  public var color: Color?
  /// Stroke width in pixels.
  public var width: Double
  /// Multiplies the colours' alpha, 0...1.
  public var opacity: Double
}

/// Emphasised points of one shape.
public struct MarkerSeries: Sendable, Equatable {
  /// Horizontal coordinates.
  public var x: [Double]
  /// Vertical coordinates, one per x.
  public var y: [Double]
  /// The marker drawn at each point.
  public var shape: MarkerShape
  /// Legend text (nil: not in the legend).
  public var label: String?
  /// Fill (or stroke, for crosses) colour.
  public var color: Color
  /// Marker size (outer diameter) in pixels.
  public var size: Double
}
