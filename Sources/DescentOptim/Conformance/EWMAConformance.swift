import Foundation

/// A fixture of kind `ewma` (see reference/FORMAT.md).
private struct EWMAFixture: Decodable {
  var kind: String
  var name: String
  var beta: Double
  var data: [Double]
  var expectedFirstValue: [Double]
  var expectedBiasCorrected: [Double]

  enum CodingKeys: String, CodingKey {
    case kind, name, beta, data
    case expectedFirstValue = "expected_first_value"
    case expectedBiasCorrected = "expected_bias_corrected"
  }
}

/// Runs `ewma` fixtures (`ewma-*.json`): both conventions of ``ewma(_:beta:biasCorrected:)``
/// against PyTorch's numbers in float64 tolerance.
public struct EWMAFixtureRunner: FixtureRunner {
  /// `"ewma"`.
  public var kind: String { "ewma" }

  /// A runner.
  public init() {}

  /// Checks the fixture in `data`.
  public func run(_ data: Data, options: ConformanceOptions) throws -> ConformanceResult {
    let fixture = try decodeFixture(EWMAFixture.self, from: data)
    var tally = DeviationTally(tolerance: .float64)
    tally.compare(
      try ewma(fixture.data, beta: fixture.beta), fixture.expectedFirstValue, "first_value")
    tally.compare(
      try ewma(fixture.data, beta: fixture.beta, biasCorrected: true),
      fixture.expectedBiasCorrected, "bias_corrected")
    return tally.result(name: fixture.name, kind: kind)
  }
}
