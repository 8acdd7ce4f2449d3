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

/// Runs an `ewma` fixture (`ewma-*.json`): both conventions of ``ewma(_:beta:biasCorrected:)``
/// against PyTorch's numbers in float64 tolerance (rtol 1e-9, atol 1e-12).
///
/// - Returns: the fixture's name, whether it passed, the worst absolute deviation and a message
///   (the first mismatch, or why the fixture could not be run).
public func runEWMAFixture(at url: URL) -> (
  name: String, passed: Bool, worstDeviation: Double, message: String
) {
  let fixture: EWMAFixture
  switch loadScheduleFixture(EWMAFixture.self, kind: "ewma", at: url, kindOf: \.kind) {
  case .success(let loaded): fixture = loaded
  case .failure(let error):
    return (url.deletingPathExtension().lastPathComponent, false, .infinity, error.message)
  }
  do {
    let first = scheduleFixtureComparison(
      try ewma(fixture.data, beta: fixture.beta), fixture.expectedFirstValue, what: "first_value")
    let corrected = scheduleFixtureComparison(
      try ewma(fixture.data, beta: fixture.beta, biasCorrected: true),
      fixture.expectedBiasCorrected,
      what: "bias_corrected")
    let worst = max(first.worstDeviation, corrected.worstDeviation)
    return (
      fixture.name, first.passed && corrected.passed, worst,
      first.passed ? corrected.message : first.message
    )
  } catch {
    return (fixture.name, false, .infinity, "\(error)")
  }
}
