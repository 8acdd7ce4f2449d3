import DescentNN
import DescentOptim
import Testing

/// The README's quick start, line for line, so that it keeps compiling and printing what it says.
@Suite("README quick start")
struct QuickStartTests {
  final class SimpleNet: Module {
    let fc1 = Linear<Float>(10, 100)
    let fc2 = Linear<Float>(100, 5)
    func forward(_ x: Tensor<Float>) -> Tensor<Float> { fc2(fc1(x).relu()) }
  }

  @Test func seedSnippetsRunAndPrint() throws {
    let linear = Linear<Float>(5, 1)
    #expect("\(linear)" == "Linear(in_features=5, out_features=1, bias=True)")
    let sgd = try SGD(linear.parameters(), lr: 0.001, momentum: 0.9)
    #expect("\(sgd)".hasPrefix("SGD (\nParameter Group 0\n    dampening: 0.0\n    lr: 0.001\n"))

    let net = SimpleNet()
    #expect("\(net)".hasPrefix("SimpleNet(\n  (fc1): Linear(in_features=10, out_features=100"))
    let adagrad = try Adagrad(net.parameters(), lr: 0.01)
    let rmsprop = try RMSprop(net.parameters(), lr: 0.01, alpha: 0.99, momentum: 0.9)
    let adam = try Adam(net.parameters(), lr: 0.01, betas: (0.9, 0.999), eps: 1e-8)
    #expect("\(adagrad)".contains("initialAccumulatorValue: 0.0"))
    #expect("\(rmsprop)".contains("alpha: 0.99"))

    let (before, after) = try Self.trainingLoss(net, adam)
    #expect(after < before / 2)
  }

  /// The arena snippet: the same training through one flat parameter.
  @Test func arenaSnippetTrainsTheSameNet() throws {
    let net = SimpleNet()
    let arena = try ParameterArena(net.parameters())
    let fastAdam = try Adam([arena.flat], lr: 0.01)
    #expect(arena.count == 10 * 100 + 100 + 100 * 5 + 5)

    let (before, after) = try Self.trainingLoss(net, fastAdam)
    #expect(after < before / 2)
  }

  /// The README's training step, 20 times on one seeded batch: the loss before and after.
  static func trainingLoss(_ net: SimpleNet, _ optimizer: Adam<Float>) throws -> (
    before: Float, after: Float
  ) {
    var generator = SeededGenerator(seed: 0)
    let x = Tensor<Float>(normal: [32, 10], generator: &generator)
    let labels = (0..<32).map { $0 % 5 }
    let before = crossEntropy(logits: net(x), labels: labels).item
    for _ in 0..<20 {
      optimizer.zeroGrad()
      let loss = crossEntropy(logits: net(x), labels: labels)
      loss.backward()
      optimizer.step()
    }
    return (before, crossEntropy(logits: net(x), labels: labels).item)
  }

  /// The README's tensor snippet, line for line: views, products, the printed form, a leaf's
  /// gradient (checked against its closed form), no-grad and an in-place update.
  @Test func tensorSnippetRunsAndPrints() {
    GlobalGenerator.manualSeed(0)
    let x = Tensor<Float>.randn([4, 3])
    let row = x[0]
    let columns = x[..., 1..<3]
    let gram = x.matmul(x.transposed())
    let total = gram.relu().sum(axis: 1)
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
}
