import Descent
import Foundation
import Testing

// The twins of the README's quick start, training loop, tensor and layer snippets: each test
// holds its snippet's code line for line (`ReadmeSyncTests` checks it), with checks after it.

// class SimpleNet(nn.Module): fc1 = Linear(10, 100); fc2 = Linear(100, 5)
final class SimpleNet: Module {
  let fc1 = Linear<Float>(10, 100)
  let fc2 = Linear<Float>(100, 5)
  func forward(_ x: Tensor<Float>) -> Tensor<Float> { fc2(fc1(x).relu()) }
}

@Suite("README quick start and tour")
struct ReadmeQuickStartTests {
  @Test func quickStartRunsAndPrints() throws {
    let linear = Linear<Float>(5, 1)
    print(linear)
    #expect("\(linear)" == "Linear(in_features=5, out_features=1, bias=True)")
    let sgd = try SGD(linear.parameters(), lr: 0.001, momentum: 0.9)
    print(sgd)
    #expect("\(sgd)".hasPrefix("SGD (\nParameter Group 0\n    dampening: 0.0\n    lr: 0.001\n"))

    let net = SimpleNet()
    print(net)
    #expect(
      "\(net)" == """
        SimpleNet(
          (fc1): Linear(in_features=10, out_features=100, bias=True)
          (fc2): Linear(in_features=100, out_features=5, bias=True)
        )
        """)
    let adagrad = try Adagrad(net.parameters(), lr: 0.01)
    let rmsprop = try RMSprop(net.parameters(), lr: 0.01, alpha: 0.99, momentum: 0.9)
    let adam = try Adam(net.parameters(), lr: 0.01, betas: (0.9, 0.999), eps: 1e-8)
    #expect("\(adagrad)".contains("initialAccumulatorValue: 0.0"))
    #expect("\(rmsprop)".contains("alpha: 0.99"))

    var generator = SeededGenerator(seed: 0)
    let x = Tensor<Float>(normal: [32, 10], generator: &generator)
    let labels = (0..<32).map { $0 % 5 }
    adam.zeroGrad()
    let loss = crossEntropy(logits: net(x), labels: labels)
    loss.backward()
    adam.step()
    // Adam's first step moves every weight by lr against its gradient's sign (to within eps):
    // a small step down the slope lowers the loss.
    #expect(net.parameters().allSatisfy { $0.grad != nil })
    #expect(crossEntropy(logits: net(x), labels: labels).item < loss.item)
  }

  /// The arena snippet: an optimizer of the flat parameter trains the quick start's net.
  @Test func arenaSnippetTrainsTheNet() throws {
    let quickStart = QuickStart()
    let net = quickStart.net
    let arena = try ParameterArena(net.parameters())
    let fastAdam = try Adam([arena.flat], lr: 0.01)
    #expect(arena.count == 10 * 100 + 100 + 100 * 5 + 5)
    let before = quickStart.loss()
    for _ in 0..<20 {
      fastAdam.zeroGrad()
      quickStart.loss().backward()
      fastAdam.step()
    }
    #expect(quickStart.loss().item < before.item / 2)
  }

  @Test func trainingLoopSnippetTrainsAndWritesItsCheckpoint() throws {
    let runs = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: runs) }
    let digits: Dataset<Float> = try Digits.load()
    let (train, test) = digits.split(testFraction: 0.2, seed: 0)
    let model = DigitsMLP.make(inputs: 64, hiddenLayers: [64], classes: 10, seed: 0, as: Float.self)
    let trainer = Trainer(
      model: model, optimizer: try AdamW(model.parameters(), lr: 1e-2),
      loader: try BatchLoader(train, batchSize: 64, seed: 0))
    var plan = TrainingPlan(epochs: 5)
    plan.scheduler = .init(name: "CosineAnnealingLR", options: ["T_max": .number(5)])
    plan.averaging = .exponential(decay: 0.99)
    plan.clipNorm = 1
    plan.checkpoint = runs.appendingPathComponent("run.safetensors")
    let loop = try TrainingLoop(trainer: trainer, plan: plan)
    var accuracies: [Double] = []
    try loop.run(test: test) { report in
      print(report.epoch, report.train.loss, report.test.accuracy)
      accuracies.append(report.test.accuracy)
    }
    #expect(accuracies.count == 5)
    #expect(accuracies.last! > 0.9)
    let saved = try CheckpointContents(of: plan.checkpoint!)
    #expect(saved.progress.epoch == 5)
    #expect(saved.scheduler == "CosineAnnealingLR")
  }

  /// Views, products, the printed form, a leaf's gradient (checked against its closed form),
  /// no-grad and an in-place update.
  @Test func tensorSnippetRunsAndPrints() {
    GlobalGenerator.manualSeed(0)
    let x = Tensor<Float>.randn([4, 3])
    let row = x[0]
    let columns = x[..., 1..<3]
    let gram = x.matmul(x.transposed())
    let total = gram.relu().sum(axis: 1)
    print(Tensor<Float>.arange(0, 6).reshaped([2, 3]))
    #expect(row.scalars == Array(x.scalars[0..<3]))
    #expect(columns.shape == [4, 2] && columns.storage === x.storage)
    #expect(total.shape == [4])
    #expect(
      "\(Tensor<Float>.arange(0, 6).reshaped([2, 3]))" == """
        tensor([[0., 1., 2.],
                [3., 4., 5.]])
        """)

    let w = Tensor<Float>.randn([3]).requiringGrad()
    let loss = (x.matmul(w) - 1).square().mean()
    loss.backward()
    print(w.grad!)
    // d/dw mean((xw - 1)^2) = 2/n x^T (xw - 1).
    let residual = x.matmul(w.detached) - 1
    let expected = (x.transposed().matmul(residual) * (2 / 4)).scalars
    #expect(zip(w.grad!.scalars, expected).allSatisfy { abs($0 - $1) < 1e-5 })
    let prediction = withNoGrad { x.matmul(w) }
    #expect(!prediction.requiresGrad)
    var buffer = Tensor<Float>(zeros: [3])
    buffer.add_(w.detached, alpha: 0.5)
    #expect(buffer.scalars == w.detached.scalars.map { 0.5 * $0 })
  }

  /// The layers snippet: a CNN's backward reaches every weight, its state dict has PyTorch's
  /// keys, and its file restores the weights it held.
  @Test func layerSnippetRunsSavesAndLoads() throws {
    let runs = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: runs) }
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
    try ModelStateFile.save(cnn, to: runs.appendingPathComponent("cnn.safetensors"))
    let before = cnn(images).scalars
    for parameter in cnn.parameters() { parameter.value = Tensor(zeros: parameter.shape) }
    try ModelStateFile.load(into: cnn, from: runs.appendingPathComponent("cnn.safetensors"))
    #expect(cnn(images).scalars == before)
  }
}
