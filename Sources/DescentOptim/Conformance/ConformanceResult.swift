import Foundation

/// The outcome of checking one fixture.
public struct ConformanceResult: Sendable, Equatable, CustomStringConvertible {
  /// The fixture's `name`.
  public var name: String
  /// The fixture's `kind`.
  public var kind: String
  /// Whether every compared value was within tolerance.
  public var passed: Bool
  /// The largest `|actual - expected|` seen.
  public var worstDeviation: Double
  /// The largest `|actual - expected| / (rtol |expected| + atol)` seen (at most 1 to pass).
  public var worstRatio: Double
  /// How many values were compared.
  public var comparisons: Int
  /// What failed first, when something did.
  public var failure: String?

  /// `PASS name (kind): worst deviation ...` or `FAIL ...: reason`.
  public var description: String {
    let verdict = passed ? "PASS" : "FAIL"
    let numbers = String(
      format: "worst deviation %.3e (%.3f of tolerance), %d values", worstDeviation, worstRatio,
      comparisons)
    return "\(verdict) \(name) (\(kind)): \(numbers)" + (failure.map { ": \($0)" } ?? "")
  }
}

/// `|a - e| <= rtol |e| + atol`, as FORMAT.md states the fixtures' tolerances.
public struct Tolerance: Sendable, Equatable {
  /// The relative tolerance.
  public var rtol: Double
  /// The absolute tolerance.
  public var atol: Double

  /// A tolerance of the given parts.
  public init(rtol: Double, atol: Double) {
    self.rtol = rtol
    self.atol = atol
  }

  /// float64 optimizer, scheduler and EWMA fixtures.
  public static let float64 = Tolerance(rtol: 1e-9, atol: 1e-12)
  /// float64 trajectories.
  public static let trajectory = Tolerance(rtol: 1e-8, atol: 1e-10)
  /// LBFGS trajectories.
  public static let lbfgs = Tolerance(rtol: 1e-6, atol: 1e-9)
  /// float32 fixtures.
  public static let float32 = Tolerance(rtol: 1e-4, atol: 1e-5)

  /// The tolerance of a fixture's `dtype`.
  public static func of(dtype: String) throws -> Tolerance {
    switch dtype {
    case "float32": return .float32
    case "float64": return .float64
    default: throw ConformanceError.invalidField("dtype", "'\(dtype)' is not float32 or float64")
    }
  }
}

/// Accumulates comparisons into a ``ConformanceResult``.
public struct DeviationTally: Sendable {
  /// The tolerance values are held to.
  public let tolerance: Tolerance
  /// The largest absolute deviation so far.
  public private(set) var worstDeviation = 0.0
  /// The largest deviation relative to the tolerance so far.
  public private(set) var worstRatio = 0.0
  /// The number of comparisons so far.
  public private(set) var comparisons = 0
  /// The first failure.
  public private(set) var failure: String?

  /// An empty tally.
  public init(tolerance: Tolerance) { self.tolerance = tolerance }

  /// Compares `actual` with `expected` element by element; `what` names them in a failure.
  public mutating func compare(
    _ actual: [Double], _ expected: [Double], _ what: @autoclosure () -> String
  ) {
    guard actual.count == expected.count else {
      fail("\(what()): \(actual.count) values, expected \(expected.count)")
      return
    }
    for (index, (a, e)) in zip(actual, expected).enumerated() {
      comparisons += 1
      let deviation = abs(a - e)
      let ratio = deviation / (tolerance.rtol * abs(e) + tolerance.atol)
      worstDeviation = max(worstDeviation, deviation.isNaN ? .infinity : deviation)
      worstRatio = max(worstRatio, ratio.isNaN ? .infinity : ratio)
      if !(ratio <= 1) && failure == nil {
        failure = "\(what())[\(index)] = \(a), expected \(e)"
      }
    }
  }

  /// Records a failure that is not a numeric deviation.
  public mutating func fail(_ message: String) {
    if failure == nil { failure = message }
    worstRatio = .infinity
  }

  /// The result for a fixture.
  public func result(name: String, kind: String) -> ConformanceResult {
    ConformanceResult(
      name: name, kind: kind, passed: failure == nil, worstDeviation: worstDeviation,
      worstRatio: worstRatio, comparisons: comparisons, failure: failure)
  }
}
