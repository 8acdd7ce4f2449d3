/// A straight piece of an iso-line, in data coordinates.
public struct ContourSegment: Sendable, Equatable {
  /// Start point (x, y).
  public var start: (x: Double, y: Double)
  /// End point (x, y).
  public var end: (x: Double, y: Double)

  /// A segment from `start` to `end`.
  public init(start: (x: Double, y: Double), end: (x: Double, y: Double)) {
    self.start = start
    self.end = end
  }

  /// Exact equality of both end points.
  public static func == (lhs: ContourSegment, rhs: ContourSegment) -> Bool {
    lhs.start == rhs.start && lhs.end == rhs.end
  }
}

/// Iso-lines of a function sampled on a rectangular grid, by marching squares with linear
/// interpolation along cell edges. Saddle cells are resolved by the mean of their four corners.
public enum MarchingSquares {
  /// Segments where the grid crosses `level`. `z[i][j]` is the value at `(x[j], y[i])`.
  /// Cells with a non-finite corner are skipped; the grid must already be validated
  /// (`z.count == y.count`, every row `x.count` long).
  public static func segments(x: [Double], y: [Double], z: [[Double]], level: Double)
    -> [ContourSegment]
  {
    guard x.count >= 2, y.count >= 2 else { return [] }
    var result: [ContourSegment] = []
    for i in 0..<(y.count - 1) {
      let lowRow = z[i]
      let highRow = z[i + 1]
      for j in 0..<(x.count - 1) {
        // Corners counter-clockwise from bottom-left; edge k joins corner k and corner k + 1.
        let values = (lowRow[j], lowRow[j + 1], highRow[j + 1], highRow[j])
        guard values.0.isFinite, values.1.isFinite, values.2.isFinite, values.3.isFinite else {
          continue
        }
        let above = (values.0 >= level, values.1 >= level, values.2 >= level, values.3 >= level)
        if above.0 == above.1 && above.1 == above.2 && above.2 == above.3 { continue }
        let cell = Cell(
          x0: x[j], x1: x[j + 1], y0: y[i], y1: y[i + 1], values: values, level: level)
        let crossed = [
          above.0 != above.1, above.1 != above.2, above.2 != above.3, above.3 != above.0,
        ]
        let edges = crossed.indices.filter { crossed[$0] }
        if edges.count == 2 {
          result.append(
            ContourSegment(start: cell.crossing(edges[0]), end: cell.crossing(edges[1])))
        } else {
          // Saddle (corners 0 and 2 on one side, 1 and 3 on the other). If the cell's mean is on
          // corner 0's side, corners 0 and 2 connect through the centre and the lines cut off
          // corners 1 (edges 0, 1) and 3 (edges 2, 3); otherwise they cut off corners 0 and 2.
          let mean = (values.0 + values.1 + values.2 + values.3) / 4
          let pairs = ((mean >= level) == above.0) ? [(0, 1), (2, 3)] : [(3, 0), (1, 2)]
          for (first, second) in pairs {
            result.append(ContourSegment(start: cell.crossing(first), end: cell.crossing(second)))
          }
        }
      }
    }
    return result
  }

  /// One grid cell and the level being traced through it.
  private struct Cell {
    let x0: Double, x1: Double, y0: Double, y1: Double
    let values: (Double, Double, Double, Double)
    let level: Double

    /// Where the level crosses edge `edge`, by linear interpolation between its corners.
    func crossing(_ edge: Int) -> (x: Double, y: Double) {
      func at(_ a: Double, _ b: Double) -> Double { (level - a) / (b - a) }
      switch edge {
      case 0: return (x0 + (x1 - x0) * at(values.0, values.1), y0)
      case 1: return (x1, y0 + (y1 - y0) * at(values.1, values.2))
      case 2: return (x1 + (x0 - x1) * at(values.2, values.3), y1)
      default: return (x0, y1 + (y0 - y1) * at(values.3, values.0))
      }
    }
  }
}
