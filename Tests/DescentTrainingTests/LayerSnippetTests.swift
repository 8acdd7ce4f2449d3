import DescentNN
import DescentOptim
import Foundation
import Testing

/// The README's layers snippet, line for line (the file goes to a temporary folder).
@Suite("README layers snippet")
struct LayerSnippetTests {
  @Test func cnnSnippetRunsSavesAndLoads() throws {
    GlobalGenerator.manualSeed(0)
    let cnn = Sequential<Float>(
      Conv2d(inChannels: 1, outChannels: 8, kernelSize: 3, padding: 1),
      BatchNorm2d(numFeatures: 8),
      ReLU(), MaxPool2d(kernelSize: 2), Flatten(), Linear(8 * 4 * 4, 10))
    let images = Tensor<Float>.randn([32, 1, 8, 8])
    let loss = crossEntropy(
      logits: cnn(images), labels: (0..<32).map { $0 % 10 }, labelSmoothing: 0.1)
    loss.backward()
    #expect(cnn.parameters().allSatisfy { $0.grad != nil })
    cnn.eval()
    #expect(!cnn.isTraining)
    let state = cnn.stateDict()
    #expect(
      state.prefix(7).map(\.name) == [
        "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
        "1.num_batches_tracked",
      ])
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "descent-readme-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("cnn.safetensors")
    try ModelStateFile.save(cnn, to: file)
    let before = cnn(images).scalars
    for parameter in cnn.parameters() { parameter.value = Tensor(zeros: parameter.shape) }
    try ModelStateFile.load(into: cnn, from: file)
    #expect(cnn(images).scalars == before)
  }
}
