import DescentTraining
import Foundation
import Testing

@testable import DescentOptim

/// The folder holding PyTorch's fixtures.
private let fixtureFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("DescentOptimTests/Fixtures")

/// Every `loop-rosenbrock-*` and `loop-beale-*` fixture.
private func trajectoryCases() throws -> [TrajectoryFixture] {
  let files = try FileManager.default.contentsOfDirectory(atPath: fixtureFolder.path)
    .filter { $0.hasPrefix("loop-rosenbrock-") || $0.hasPrefix("loop-beale-") }.sorted()
  return try files.map {
    try JSONDecoder().decode(
      TrajectoryFixture.self, from: Data(contentsOf: fixtureFolder.appendingPathComponent($0)))
  }
}

@Suite("Path runner against PyTorch's trajectories")
struct PathRunnerFixtureTests {
  @Test func fixturesArePresent() throws {
    let cases = try trajectoryCases()
    #expect(cases.count >= 12)
    #expect(Set(cases.map(\.function)) == ["rosenbrock", "beale"])
  }

  /// Each point of the runner's path matches PyTorch's within FORMAT.md's trajectory tolerance
  /// (rtol 1e-8, atol 1e-10).
  @Test(arguments: try trajectoryCases())
  func matchesFixture(_ fixture: TrajectoryFixture) throws {
    let surface = try #require(TestSurface(rawValue: fixture.function))
    var options: [String: HyperparameterValue] = [:]
    for (key, value) in fixture.options {
      guard let option = value.hyperparameter else {
        Issue.record("\(fixture.name): option \(key) is not a hyperparameter")
        return
      }
      options[OptimizerCatalog.swiftName(key)] = option
    }
    let recipe = OptimizerRecipe(
      label: fixture.optimizer, className: fixture.optimizer, options: options)
    let path = try PathRunner(surface: surface, steps: fixture.steps).run(
      recipe, from: PlanePoint(x: fixture.start[0], y: fixture.start[1]))
    #expect(path.points.count == fixture.expected.count)
    var worst = 0.0
    for (point, expected) in zip(path.points, fixture.expected) {
      for (actual, wanted) in zip([point.x, point.y], expected) {
        let excess = abs(actual - wanted) - (1e-8 * abs(wanted) + 1e-10)
        worst = max(worst, excess)
      }
    }
    #expect(worst <= 0, "\(fixture.name): off by \(worst) beyond tolerance")
  }
}
