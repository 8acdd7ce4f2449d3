import DescentOptim
import Foundation
import Testing

/// The layer, loss and training fixtures (in `Tests/DescentNNTests/Fixtures`, beside this target's
/// folder in the checkout) through the conformance registry, as `descent conformance` runs them.
@Suite("Layer, loss and training fixtures through the conformance registry")
struct ModelFixtureConformanceTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("DescentNNTests/Fixtures")

  static let names: [String] =
    ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
    .filter { $0.hasSuffix(".json") }.sorted()

  @Test func everyKindIsPresent() {
    for prefix in ["layer-", "loss-", "training-"] {
      #expect(Self.names.contains { $0.hasPrefix(prefix) }, "no \(prefix) fixture")
    }
    #expect(Self.names.count >= 41)
  }

  @Test(arguments: names)
  func fixtureMatchesPyTorch(_ name: String) throws {
    let result = try ConformanceRegistry.standard.run(
      fixtureAt: Self.folder.appendingPathComponent(name))
    #expect(result.passed, "\(result)")
    #expect(result.comparisons > 0)
  }
}
