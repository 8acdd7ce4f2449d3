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
      for j in 0..<(x.count - 1) {
        // Corners counter-clockwise from bottom-left: (j,i), (j+1,i), (j+1,i+1), (j,i+1).
        let corners = [
          (x[j], y[i], z[i][j]), (x[j + 1], y[i], z[i][j + 1]),
          (x[j + 1], y[i + 1], z[i + 1][j + 1]), (x[j], y[i + 1], z[i + 1][j]),
        ]
        guard corners.allSatisfy({ $0.2.isFinite }) else { continue }
        let above = corners.map { $0.2 >= level }
        // Crossing points on the four edges (edge k joins corner k and k+1).
        var crossings: [Int: (x: Double, y: Double)] = [:]
        for edge in 0..<4 where above[edge] != above[(edge + 1) % 4] {
          let a = corners[edge]
          let b = corners[(edge + 1) % 4]
          let t = (level - a.2) / (b.2 - a.2)
          crossings[edge] = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
        }
        let edges = crossings.keys.sorted()
        if edges.count == 2 {
          result.append(ContourSegment(start: crossings[edges[0]]!, end: crossings[edges[1]]!))
        } else if edges.count == 4 {
          // Saddle: join edges so that the centre value's side stays connected.
          let centreAbove = corners.map { $0.2 }.reduce(0, +) / 4 >= level
          let pairs = (centreAbove == above[0]) ? [(0, 1), (2, 3)] : [(3, 0), (1, 2)]
          // If the centre agrees with corner 0, corner 0's region joins the centre, so the lines cut
          // off corners 1 and 3: edges (0,1) and (2,3). Otherwise they cut off corners 0 and 2.
          for (first, second) in pairs {
            result.append(ContourSegment(start: crossings[first]!, end: crossings[second]!))
          }
        }
      }
    }
    return result
  }
}
