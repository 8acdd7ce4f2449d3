import DescentOptim
import Foundation
import Testing

/// The fixtures of a kind, by file name.
func fixtureURLs(prefix: String) -> [URL] {
  guard let directory = Bundle.module.resourceURL?.appendingPathComponent("Fixtures"),
    let urls = try? FileManager.default.contentsOfDirectory(
      at: directory, includingPropertiesForKeys: nil)
  else { return [] }
  return urls.filter { $0.lastPathComponent.hasPrefix(prefix) }
    .sorted { $0.lastPathComponent < $1.lastPathComponent }
}

/// Element-wise optimizer fixtures (Adafactor is not element-wise and is checked elsewhere).
let optimizerFixtures = fixtureURLs(prefix: "optim-").filter {
  !$0.lastPathComponent.contains("adafactor")
}.map(\.lastPathComponent)

let trajectoryFixtures = fixtureURLs(prefix: "loop-").filter {
  !$0.lastPathComponent.contains("lbfgs")
}.map(\.lastPathComponent)

func fixtureURL(_ name: String) throws -> URL {
  try #require(
    Bundle.module.url(
      forResource: (name as NSString).deletingPathExtension, withExtension: "json",
      subdirectory: "Fixtures"))
}

@Test func fixturesArePresent() {
  #expect(optimizerFixtures.count >= 50)
  #expect(trajectoryFixtures.count == 12)
}

@Test(arguments: optimizerFixtures)
func optimizerFixtureMatchesPyTorch(_ name: String) throws {
  for path in [KernelPath.vectorized, .scalar] {
    let result = try ConformanceRegistry.standard.run(
      fixtureAt: fixtureURL(name), options: ConformanceOptions(kernelPath: path))
    #expect(result.passed, "\(path): \(result)")
    #expect(result.comparisons > 0)
  }
}

@Test(arguments: trajectoryFixtures)
func trajectoryFixtureMatchesPyTorch(_ name: String) throws {
  let result = try ConformanceRegistry.standard.run(fixtureAt: fixtureURL(name))
  #expect(result.passed, "\(result)")
}

@Test func unknownKindIsReported() throws {
  #expect(throws: ConformanceError.unknownKind("ewma")) {
    try ConformanceRegistry([]).registering(TrajectoryFixtureRunner()).run(
      fixtureAt: fixtureURL("ewma-beta0.9.json"))
  }
}

@Test func missingFileIsReported() {
  #expect(throws: ConformanceError.self) {
    try ConformanceRegistry.standard.run(fixtureAt: URL(fileURLWithPath: "/nonexistent/x.json"))
  }
}
