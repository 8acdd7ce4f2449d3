import DescentTensor
import Foundation

/// A fixture of kind `trajectory` (see FORMAT.md).
struct TrajectoryFixture: Decodable {
  let name: String
  let function: String
  let optimizer: String
  let options: [String: JSONValue]
  let start: [Double]
  let steps: Int
  let expected: [[Double]]
}

/// The 2-D test functions of trajectory fixtures, with their gradients.
public enum TestFunction: String, Sendable, CaseIterable {
  /// `(1 - x)^2 + 100 (y - x^2)^2`, minimum at (1, 1).
  case rosenbrock
  /// Beale's function, minimum at (3, 0.5).
  case beale

  /// The function's value at `(x, y)`.
  public func value(_ x: Double, _ y: Double) -> Double {
    switch self {
    case .rosenbrock:
      return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
    case .beale:
      let (t1, t2, t3) = bealeTerms(x, y)
      return t1 * t1 + t2 * t2 + t3 * t3
    }
  }

  /// The gradient at `(x, y)`, with FORMAT.md's formulas.
  public func gradient(_ x: Double, _ y: Double) -> (Double, Double) {
    switch self {
    case .rosenbrock:
      let (a, b) = (1.0, 100.0)
      return (-2 * (a - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x))
    case .beale:
      let (t1, t2, t3) = bealeTerms(x, y)
      let gx = 2 * t1 * (y - 1) + 2 * t2 * (y * y - 1) + 2 * t3 * (y * y * y - 1)
      let gy = 2 * t1 * x + 2 * t2 * (2 * x * y) + 2 * t3 * (3 * x * y * y)
      return (gx, gy)
    }
  }

  private func bealeTerms(_ x: Double, _ y: Double) -> (Double, Double, Double) {
    (1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y * y * y)
  }
}

/// Runs `trajectory` fixtures: a float64 closed loop on a 2-D test function.
public struct TrajectoryFixtureRunner: FixtureRunner {
  /// `"trajectory"`.
  public var kind: String { "trajectory" }

  /// A runner.
  public init() {}

  /// Checks the fixture in `data`.
  public func run(_ data: Data, options: ConformanceOptions) throws -> ConformanceResult {
    let fixture = try decodeFixture(TrajectoryFixture.self, from: data)
    guard let function = TestFunction(rawValue: fixture.function) else {
      throw ConformanceError.invalidField("function", "unknown function '\(fixture.function)'")
    }
    guard fixture.start.count == 2, fixture.steps >= 0,
      fixture.expected.count - 1 == fixture.steps
    else {
      throw ConformanceError.invalidField("expected", "a 2-D start and steps + 1 points are needed")
    }
    let point = Parameter(Tensor<Double>(fixture.start))
    let optimizer = try OptimizerCatalog.make(
      fixture.optimizer, groups: [ParameterGroup([point])],
      options: hyperparameters(fixture.options, field: "options"))
    optimizer.kernelPath = options.kernelPath
    var tally = DeviationTally(tolerance: .trajectory)
    tally.compare(point.value.scalars, fixture.expected[0], "start")
    for step in stride(from: 1, through: fixture.steps, by: 1) {
      let xy = point.value.scalars
      let (gx, gy) = function.gradient(xy[0], xy[1])
      point.grad = Tensor([gx, gy])
      optimizer.step()
      tally.compare(point.value.scalars, fixture.expected[step], "point \(step)")
    }
    return tally.result(name: fixture.name, kind: kind)
  }
}
