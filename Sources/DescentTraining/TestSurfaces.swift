import DescentOptim

/// A point of the plane.
public struct PlanePoint: Equatable, Sendable {
  /// Horizontal coordinate.
  public var x: Double
  /// Vertical coordinate.
  public var y: Double

  /// The point `(x, y)`.
  public init(x: Double, y: Double) {
    self.x = x
    self.y = y
  }

  /// The Euclidean distance to `other`.
  public func distance(to other: PlanePoint) -> Double {
    ((x - other.x) * (x - other.x) + (y - other.y) * (y - other.y)).squareRoot()
  }

  /// Whether both coordinates are finite.
  public var isFinite: Bool { x.isFinite && y.isFinite }
}

/// The 2-D functions optimizers are drawn on: classic test landscapes with known minima.
///
/// Rosenbrock and Beale use the fixtures' gradient formulas (``TestFunction`` of DescentOptim).
/// Every surface is non-negative with minimum value 0, so log-spaced contour levels suit all.
public enum TestSurface: String, Sendable, CaseIterable {
  /// `(1 - x)^2 + 100 (y - x^2)^2`: a curved, narrow valley; minimum at (1, 1).
  case rosenbrock
  /// Beale's function: flat plateaus and steep walls; minimum at (3, 0.5).
  case beale
  /// `x^2 + (y^2 - 1)^2 / 4`: a saddle point at (0, 0) between minima at (0, ±1).
  case saddle
  /// Himmelblau's function `(x^2 + y - 11)^2 + (x + y^2 - 7)^2`: four minima.
  case himmelblau
  /// `(x^2 + 25 y^2) / 2`: an ill-conditioned quadratic bowl (condition number 25); minimum at 0.
  case quadratic

  /// The function's value at `(x, y)`.
  public func value(_ x: Double, _ y: Double) -> Double {
    switch self {
    case .rosenbrock: return TestFunction.rosenbrock.value(x, y)
    case .beale: return TestFunction.beale.value(x, y)
    case .saddle: return x * x + (y * y - 1) * (y * y - 1) / 4
    case .himmelblau:
      let (a, b) = himmelblauTerms(x, y)
      return a * a + b * b
    case .quadratic: return (x * x + 25 * y * y) / 2
    }
  }

  /// The gradient `(df/dx, df/dy)` at `(x, y)`.
  public func gradient(_ x: Double, _ y: Double) -> (Double, Double) {
    switch self {
    case .rosenbrock: return TestFunction.rosenbrock.gradient(x, y)
    case .beale: return TestFunction.beale.gradient(x, y)
    case .saddle: return (2 * x, y * (y * y - 1))
    case .himmelblau:
      let (a, b) = himmelblauTerms(x, y)
      return (4 * x * a + 2 * b, 2 * a + 4 * y * b)
    case .quadratic: return (x, 25 * y)
    }
  }

  private func himmelblauTerms(_ x: Double, _ y: Double) -> (Double, Double) {
    (x * x + y - 11, x + y * y - 7)
  }

  /// The ratio of the largest to the smallest curvature (Hessian eigenvalue) at the minimum, for
  /// the quadratic, whose curvature is the same everywhere (25: 1 along x, 25 along y); `nil` for
  /// the others, whose curvature changes from place to place.
  public var conditionNumber: Double? {
    switch self {
    case .quadratic: return 25
    default: return nil
    }
  }

  /// The global minima (all of value 0).
  public var minima: [PlanePoint] {
    switch self {
    case .rosenbrock: return [PlanePoint(x: 1, y: 1)]
    case .beale: return [PlanePoint(x: 3, y: 0.5)]
    case .saddle: return [PlanePoint(x: 0, y: 1), PlanePoint(x: 0, y: -1)]
    case .himmelblau:
      return [
        PlanePoint(x: 3, y: 2), PlanePoint(x: -2.805118086952745, y: 3.131312518250573),
        PlanePoint(x: -3.779310253377747, y: -3.283185991286170),
        PlanePoint(x: 3.584428340330492, y: -1.848126526964404),
      ]
    case .quadratic: return [PlanePoint(x: 0, y: 0)]
    }
  }

  /// The distance from `point` to the nearest minimum.
  public func distanceToNearestMinimum(_ point: PlanePoint) -> Double {
    minima.map { point.distance(to: $0) }.min() ?? .infinity
  }

  /// Where paths start unless told otherwise.
  public var defaultStart: PlanePoint {
    switch self {
    case .rosenbrock: return PlanePoint(x: -1.5, y: 2)
    case .beale: return PlanePoint(x: 1, y: 1.5)
    case .saddle: return PlanePoint(x: -1.5, y: 0.01)
    case .himmelblau: return PlanePoint(x: 0, y: 0)
    case .quadratic: return PlanePoint(x: -4, y: 1.5)
    }
  }

  /// The region drawn: x range and y range.
  public var region: (x: ClosedRange<Double>, y: ClosedRange<Double>) {
    switch self {
    case .rosenbrock: return (-2...2, -1...3)
    case .beale: return (-0.5...4.5, -1...2.5)
    case .saddle: return (-2...2, -1.6...1.6)
    case .himmelblau: return (-5...5, -5...5)
    case .quadratic: return (-5...5, -2...2)
    }
  }
}
