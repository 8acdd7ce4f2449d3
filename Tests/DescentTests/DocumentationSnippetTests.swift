import Descent
import Testing

// The code of the DocC articles (Sources/Descent/Descent.docc), compiled and run with
// `import Descent` alone, as a user of the `Descent` product writes it.

/// GettingStarted.md's model.
private final class TwoLayerNet: Module {
  let hidden = Linear<Float>(2, 16)
  let output = Linear<Float>(16, 2)
  func forward(_ x: Tensor<Float>) -> Tensor<Float> { output(hidden(x).relu()) }
}

/// WritingYourOwnOptimizer.md's rule: momentum as an average of gradients.
private struct AveragedMomentum: ElementwiseAlgorithm {
  typealias Scalar = Float
  static var name: String { "AveragedMomentum" }

  let beta: Float
  let oneMinusBeta: Float
  let lr: Float

  init(_ settings: SGDHyperparameters, state _: inout ParameterState<Float>) {
    beta = Float(settings.momentum)
    oneMinusBeta = 1 - beta
    lr = Float(settings.lr)
  }

  static func initialState(for parameter: Parameter<Float>, _: SGDHyperparameters)
    -> ParameterState<Float>
  {
    ParameterState(count: parameter.count, buffers: [("exp_avg", 0)])
  }

  @inline(__always)
  func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Float {
    slots.buffer0 = L(repeating: beta) * slots.buffer0 + L(repeating: oneMinusBeta) * slots.grad
    slots.param = slots.param - L(repeating: lr) * slots.buffer0
  }
}

@Suite struct DocumentationSnippetTests {
  @Test func gettingStartedTrains() throws {
    GlobalGenerator.manualSeed(0)
    let net = TwoLayerNet()
    let optimizer = try Adam(net.parameters(), lr: 0.05)
    let x = Tensor<Float>.randn([64, 2])
    let labels = (0..<64).map { x.scalars[2 * $0] > 0 ? 1 : 0 }
    var losses: [Float] = []
    for _ in 0..<100 {
      optimizer.zeroGrad()
      let loss = crossEntropy(logits: net(x), labels: labels)
      loss.backward()
      optimizer.step()
      losses.append(loss.scalars[0])
    }
    let predictions = withNoGrad { net(x) }
    #expect(predictions.shape == [64, 2])
    #expect(losses.last! < 0.3 * losses.first!)

    let scheduler = try StepLR(optimizer, stepSize: 30, gamma: 0.1)
    for _ in 0..<90 { scheduler.step() }
    #expect(abs(optimizer.learningRate(ofGroup: 0) - 0.05e-3) < 1e-12)
  }

  /// The rule's numbers are the average's, worked out here by hand on `loss = sum(p²) / 2`
  /// (whose gradient is `p`), and its buffer is in the state dict.
  @Test func averagedMomentumFollowsItsFormula() throws {
    let parameter = Parameter(Tensor<Float>([1, -2, 3, 0.5]))
    let settings = try SGDHyperparameters.given(["lr": 0.1, "momentum": 0.9])
    let optimizer = try Optimizer<AveragedMomentum>(
      groups: [ParameterGroup([parameter])], defaults: settings)
    var expected: [Float] = [1, -2, 3, 0.5]
    var average: [Float] = [0, 0, 0, 0]
    for _ in 0..<5 {
      optimizer.zeroGrad()
      (parameter.value.square().sum() * 0.5).backward()
      optimizer.step()
      for index in expected.indices {
        average[index] = 0.9 * average[index] + 0.1 * expected[index]
        expected[index] -= 0.1 * average[index]
      }
    }
    for (value, wanted) in zip(parameter.value.scalars, expected) {
      #expect(abs(value - wanted) <= 1e-6 * max(1, abs(wanted)))
    }
    #expect(optimizer.state(of: parameter)?.buffer("exp_avg") != nil)
  }

  /// FromPyTorchToDescent.md's names, called as its tables write them.
  @Test func pyTorchNamesAreDescents() throws {
    GlobalGenerator.manualSeed(2)
    let a = Linear<Float>(3, 3).parameters()
    let b = Linear<Float>(3, 1).parameters()
    let c = Linear<Float>(1, 1).parameters()
    let optimizer = try Adam([ParameterGroup(a), ParameterGroup(b, ["lr": 0.01])], lr: 1e-3)
    try optimizer.addParamGroup(ParameterGroup(c, ["lr": 0.01]))
    #expect(optimizer.paramGroups.count == 3)
    #expect(optimizer.paramGroups[1].hyperparameters.lr == 0.01)
    optimizer.setLearningRate(0.02, ofGroup: 0)
    #expect(optimizer.learningRate(ofGroup: 0) == 0.02)
    let x = Tensor<Float>.randn([4, 3]).requiringGrad()
    let loss = x.matmul(x.transposed()).sum()
    loss.backward()
    #expect(x.grad != nil)
    let parameters = a + b + c
    for parameter in parameters { parameter.grad = Tensor<Float>(ones: parameter.shape) }
    let norm = try clipGradNorm(parameters, maxNorm: 1.0)
    #expect(norm > 1)
    try clipGradValue(parameters, clipValue: 0.1)
    #expect(parameters.allSatisfy { $0.grad!.scalars.allSatisfy { abs($0) <= 0.1 } })
    optimizer.step()
    let scheduler = try StepLR(optimizer, stepSize: 30)
    #expect(scheduler.lastLR == [0.02, 0.01, 0.01])
    let state = optimizer.stateDict()
    try optimizer.loadStateDict(state)
    #expect(withNoGrad { x.detached.matmul(x.detached.transposed()) }.shape == [4, 4])

    let model = Sequential<Float>(Linear(3, 3), BatchNorm1d(numFeatures: 3))
    let swa = AveragedModel(model)
    let swaScheduler = try SWALR(optimizer, swaLR: 0.05)
    swa.updateParameters()
    swaScheduler.step()
    updateBatchNorm(model, batches: [x.detached])
    #expect(model.namedBuffers()[2].buffer.value.item == 1, "one batch tracked")
    let other = Sequential<Float>(Linear(3, 3), BatchNorm1d(numFeatures: 3))
    try model.loadStateDict(other.stateDict())
    #expect(model.stateDict().map(\.tensor) == other.stateDict().map(\.tensor))
  }

  /// `import Descent` alone reaches every re-exported module: DescentData and DescentTraining too.
  @Test func umbrellaReachesDataAndTraining() {
    #expect(DailyTemperatures.make(days: 3, seed: 0).count == 3)
    #expect(TestSurface.allCases.count == 5)
  }
}
