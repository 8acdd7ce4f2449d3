import Descent
import Foundation

/// The quick start's `net`, `x`, `labels` and `adam`, which the README's recipes continue: `x` is
/// the quick start's, and the net's weights are drawn from a generator seeded with `seed` (not
/// the global one, which tests running in parallel share), so that two contexts of the same
/// seed are the same.
struct QuickStart {
  let net = SimpleNet()
  let x: Tensor<Float>
  let labels = (0..<32).map { $0 % 5 }
  let adam: Adam<Float>

  init(seed: UInt64 = 1) {
    var weights = SeededGenerator(seed: seed)
    for parameter in net.parameters() {
      parameter.value = Tensor(uniform: parameter.shape, low: -0.3, high: 0.3, generator: &weights)
    }
    var generator = SeededGenerator(seed: 0)
    x = Tensor<Float>(normal: [32, 10], generator: &generator)
    adam = try! Adam(net.parameters(), lr: 0.01, betas: (0.9, 0.999), eps: 1e-8)
  }

  /// The cross-entropy of the net on the batch, with its graph.
  func loss() -> Tensor<Float> { crossEntropy(logits: net(x), labels: labels) }

  /// The net's weights, parameter by parameter.
  var weights: [[Float]] { net.parameters().map(\.value.scalars) }
}

/// A new empty folder under the temporary directory, for the files a snippet writes; the caller
/// removes it.
func temporaryFolder() throws -> URL {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "descent-readme-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  return folder
}
