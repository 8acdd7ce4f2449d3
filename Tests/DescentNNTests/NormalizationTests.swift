import DescentNN
import Foundation
import Testing

/// The fixtures of the normalization, dropout, embedding and activation layers.
private let layerFixtureNames = [
  "layer-batchnorm1d-train", "layer-batchnorm2d-eval", "layer-batchnorm2d-train",
  "layer-dropout-eval", "layer-embedding", "layer-embedding-padding", "layer-gelu",
  "layer-gelu-tanh", "layer-layernorm", "layer-layernorm-2d-eps", "layer-leakyrelu",
  "layer-logsoftmax", "layer-relu", "layer-sigmoid", "layer-silu", "layer-softmax", "layer-tanh",
]

/// The fixture name prefixes those names cover.
private let layerFixturePrefixes = [
  "layer-batchnorm", "layer-layernorm", "layer-dropout", "layer-embedding", "layer-gelu",
  "layer-silu", "layer-leakyrelu", "layer-softmax", "layer-logsoftmax", "layer-relu", "layer-tanh",
  "layer-sigmoid",
]

/// A fixture's `kwargs` as catalog arguments (JSON booleans, integers and floats told apart by
/// the number's type, since `0` and `false` both read as `Bool` on Linux).
private func normalizationLayerArguments(_ kwargs: [String: Any]) throws -> LayerArguments {
  func argument(_ value: Any) throws -> LayerArgument {
    switch value {
    case is NSNull: return .none
    case let text as String: return .text(text)
    case let number as NSNumber:
      switch String(cString: number.objCType) {
      case "c", "B": return .boolean(number.boolValue)
      case "d", "f": return .number(number.doubleValue)
      default: return .integer(number.intValue)
      }
    case let list as [Any]:
      return .integers(try list.map { try #require(($0 as? NSNumber)?.intValue) })
    default:
      Issue.record("unexpected kwarg value \(value)")
      return .none
    }
  }
  return LayerArguments(try kwargs.mapValues(argument))
}

@Suite("Normalization layer fixtures")
struct NormalizationFixtureTests {
  @Test func everyFixtureIsCovered() throws {
    let found = try layerFixturePrefixes.flatMap { try NNFixture.names(prefix: $0) }
    #expect(Set(found) == Set(layerFixtureNames))
  }

  /// Builds the fixture's layer, loads its state, runs forward and backward, and compares every
  /// number and the printed form with PyTorch's.
  @Test(arguments: layerFixtureNames)
  func matchesPyTorch(_ name: String) throws {
    let fixture = try NNFixture(name)
    let moduleName = try #require(fixture.json["module"] as? String)
    let module = try LayerCatalog.make(
      moduleName, try normalizationLayerArguments(fixture.kwargs), as: Double.self)
    let mode = try #require(fixture.json["mode"] as? String)
    module.train(mode == "train")
    try module.loadStateDict(try fixture.tensors("state_dict"))

    let inputs = try fixture.tensorList("inputs")
    let expectedInputGrads = try fixture.tensorList("grad_inputs")
    let input = try #require(inputs.first ?? nil)
    let differentiable = expectedInputGrads.first.map { $0 != nil } ?? false
    let x = differentiable ? input.requiringGrad() : input
    let output = module.forward(x)
    expectClose(output, try fixture.tensor("output"), "\(name): output")

    output.backward(try fixture.tensor("grad_output"))
    if differentiable, let expected = expectedInputGrads[0] {
      expectClose(try #require(x.grad), expected, "\(name): input gradient")
    }
    let expectedParameterGrads = try fixture.tensors("grad_params")
    let parameters = module.namedParameters()
    #expect(Set(parameters.map(\.name)) == Set(expectedParameterGrads.keys))
    for (parameterName, parameter) in parameters {
      let expected = try #require(expectedParameterGrads[parameterName])
      expectClose(
        try #require(parameter.grad, "\(parameterName) has no gradient"), expected,
        "\(name): gradient of \(parameterName)")
    }

    let expectedState = try fixture.tensors("state_dict_after")
    let state = module.stateDict()
    #expect(Set(state.map(\.name)) == Set(expectedState.keys))
    for (key, tensor) in state {
      expectClose(tensor, try #require(expectedState[key]), "\(name): state \(key)")
    }
    #expect("\(module)" == fixture.json["repr"] as? String)
  }
}

/// Compares autograd's gradients of `f` (weighted by fixed random numbers into a scalar) with
/// central finite differences, in Double.
private func expectNormalizationGradients(
  _ shapes: [[Int]], seed: UInt64 = 11, tolerance: Double = 1e-6,
  sourceLocation: SourceLocation = #_sourceLocation,
  _ f: ([Tensor<Double>]) -> Tensor<Double>
) {
  expectGradientsMatchFiniteDifferences(
    shapes: shapes, seed: seed, tolerance: tolerance, sourceLocation: sourceLocation, f)
}

@Suite("Normalization")
struct NormalizationTests {
  @Test func batchNormGradientsWithBatchStatistics() {
    for shape in [[5, 3], [4, 3, 2], [2, 3, 2, 3]] {
      expectNormalizationGradients([shape, [3], [3]]) { values in
        values[0].batchNorm(weight: values[1], bias: values[2]).output
      }
    }
    expectNormalizationGradients([[4, 2, 3]]) { $0[0].batchNorm().output }
    expectNormalizationGradients([[4, 2, 3], [2]]) { values in
      values[0].batchNorm(weight: values[1]).output
    }
  }

  @Test func batchNormGradientsWithGivenStatistics() {
    let mean = Tensor<Double>([0.3, -0.2, 1.1])
    let variance = Tensor<Double>([0.5, 2.0, 1.3])
    expectNormalizationGradients([[4, 3, 2], [3], [3]]) { values in
      values[0].batchNorm(mean: mean, variance: variance, weight: values[1], bias: values[2])
    }
  }

  @Test func batchNormOnAView() {
    // A transposed (non-contiguous) input gives the same result as its contiguous copy.
    var generator = SeededGenerator(seed: 4)
    let x = Tensor<Double>(normal: [3, 5], generator: &generator)
    let viewed = x.transposed().batchNorm().output
    let copied = Tensor<Double>(shape: [5, 3], scalars: x.transposed().scalars).batchNorm().output
    expectClose(viewed, copied, "transposed input")
  }

  @Test func layerNormGradients() {
    expectNormalizationGradients([[3, 2, 4], [2, 4], [2, 4]]) { values in
      values[0].layerNorm(normalizedShape: [2, 4], weight: values[1], bias: values[2])
    }
    expectNormalizationGradients([[4, 5]]) { $0[0].layerNorm(normalizedShape: [5]) }
    expectNormalizationGradients([[4, 5], [5]]) { values in
      values[0].layerNorm(normalizedShape: [5], bias: values[1], eps: 1e-3)
    }
  }

  @Test func activationGradients() {
    expectNormalizationGradients([[3, 4]]) { $0[0].gelu() }
    expectNormalizationGradients([[3, 4]]) { $0[0].gelu(approximate: .tanh) }
    expectNormalizationGradients([[3, 4]]) { $0[0].silu() }
    expectNormalizationGradients([[3, 4]]) { $0[0].leakyRelu(negativeSlope: 0.2) }
  }

  @Test func activationValues() {
    let x = Tensor<Double>([-2, -0.5, 0, 0.5, 2])
    let gelu = x.scalars.map { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }
    expectClose(x.gelu(), Tensor(gelu), "gelu")
    let silu = x.scalars.map { $0 / (1 + exp(-$0)) }
    expectClose(x.silu(), Tensor(silu), "silu")
    expectClose(x.leakyRelu(), Tensor([-0.02, -0.005, 0, 0.5, 2]), "leakyRelu")
    let floats = Tensor<Float>([-2, -0.5, 0, 0.5, 2])
    for (value, expected) in zip(
      floats.gelu(approximate: .tanh).scalars, x.gelu(approximate: .tanh).scalars)
    {
      #expect(abs(Double(value) - expected) <= 1e-6)
    }
  }

  @Test func batchNormModuleGradientsInTraining() {
    let layer = BatchNorm1d<Double>(numFeatures: 3)
    layer.weight!.value = Tensor([0.5, -1.5, 2])
    layer.bias!.value = Tensor([0.1, 0.2, -0.3])
    expectNormalizationGradients([[4, 3, 2]]) { layer($0[0]) }
    expectNormalizationGradients([[6, 3]]) { layer($0[0]) }
  }

  @Test func runningStatisticsMoveWithMomentum() {
    let layer = BatchNorm1d<Double>(numFeatures: 2, momentum: 0.25)
    let x = Tensor<Double>(rows: [[1, 10], [2, 20], [6, 30]])
    _ = layer(x)
    // Means 3 and 20; unbiased variances 7 and 100.
    expectClose(layer.runningMean!.value, Tensor([0.75, 5]), "running mean")
    expectClose(layer.runningVar!.value, Tensor([0.75 + 0.25 * 7, 0.75 + 25]), "running var")
    #expect(layer.numBatchesTracked!.value.item == 1)
    _ = layer(x)
    #expect(layer.numBatchesTracked!.value.item == 2)
    expectClose(layer.runningMean!.value, Tensor([0.75 * 0.75 + 0.75, 0.75 * 5 + 5]), "mean")
  }

  @Test func cumulativeAverageWithoutMomentum() {
    let layer = BatchNorm1d<Double>(numFeatures: 1, momentum: nil)
    _ = layer(Tensor<Double>(rows: [[1], [3]]))
    expectClose(layer.runningMean!.value, Tensor([2]), "after one batch")
    expectClose(layer.runningVar!.value, Tensor([2]), "after one batch")
    _ = layer(Tensor<Double>(rows: [[5], [9]]))
    expectClose(layer.runningMean!.value, Tensor([(2 + 7) / 2.0]), "average of two batches")
    expectClose(layer.runningVar!.value, Tensor([(2 + 8) / 2.0]), "average of two batches")
    #expect(
      layer.description
        == "BatchNorm1d(1, eps=1e-05, momentum=None, affine=True, bias=True, track_running_stats=True)"
    )
  }

  @Test func evaluationUsesRunningStatistics() {
    let layer = BatchNorm2d<Double>(numFeatures: 2, eps: 0)
    layer.runningMean!.value = Tensor([1, -1])
    layer.runningVar!.value = Tensor([4, 0.25])
    layer.weight!.value = Tensor([2, 1])
    layer.bias!.value = Tensor([0, 1])
    layer.eval()
    let x = Tensor<Double>(shape: [1, 2, 1, 2], scalars: [3, 5, -1, 0])
    expectClose(layer(x), Tensor(shape: [1, 2, 1, 2], scalars: [2, 4, 1, 3]), "eval output")
    #expect(layer.numBatchesTracked!.value.item == 0)
    layer.train()
    _ = layer(x)
    #expect(layer.numBatchesTracked!.value.item == 0 + 1)
  }

  @Test func withoutRunningStatisticsOrAffine() {
    let layer = BatchNorm1d<Double>(numFeatures: 2, affine: false, trackRunningStats: false)
    #expect(layer.stateDict().isEmpty)
    #expect(layer.parameters().isEmpty)
    layer.eval()
    let x = Tensor<Double>(rows: [[1, 2], [3, 6]])
    // Evaluation without running statistics normalizes with the batch's own.
    expectClose(layer(x), Tensor(rows: [[-1, -1], [1, 1]]), rtol: 1e-5, "batch statistics")
    #expect(
      layer.description
        == "BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=False, bias=True, track_running_stats=False)"
    )
  }

  @Test func batchNormStateDictInPyTorchOrder() {
    let layer = BatchNorm2d<Float>(numFeatures: 3)
    #expect(
      layer.stateDict().map(\.name) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked",
      ])
    #expect(layer.namedParameters().map(\.name) == ["weight", "bias"])
    #expect(layer.namedBuffers().map(\.buffer.isInteger) == [false, false, true])
    #expect(layer.weight!.value.scalars == [1, 1, 1] && layer.bias!.value.scalars == [0, 0, 0])
    let noBias = BatchNorm2d<Float>(numFeatures: 3, bias: false)
    #expect(noBias.namedParameters().map(\.name) == ["weight"])
  }

  @Test func floatBatchNormAgreesWithDouble() {
    var generator = SeededGenerator(seed: 9)
    let x = Tensor<Double>(normal: [4, 3, 5, 5], generator: &generator)
    let single = BatchNorm2d<Float>(numFeatures: 3)(x.converted(to: Float.self))
    let double = BatchNorm2d<Double>(numFeatures: 3)(x)
    for (a, b) in zip(single.scalars, double.scalars) { #expect(abs(Double(a) - b) < 1e-5) }
  }

  @Test func largeInputsRunInParallelWithTheSameResult() {
    // Large enough for the worker pool; checked against a direct computation.
    var generator = SeededGenerator(seed: 5)
    let x = Tensor<Double>(normal: [64, 8, 16, 16], generator: &generator)
    let (output, mean, variance) = x.batchNorm()
    let values = x.scalars
    for channel in [0, 5] {
      var selected: [Double] = []
      for n in 0..<64 { selected += values[(n * 8 + channel) * 256..<(n * 8 + channel + 1) * 256] }
      let m = selected.reduce(0, +) / Double(selected.count)
      let v = selected.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(selected.count)
      #expect(abs(mean.scalars[channel] - m) < 1e-12 && abs(variance.scalars[channel] - v) < 1e-12)
      let first = (values[channel * 256] - m) / (v + 1e-5).squareRoot()
      #expect(abs(output.scalars[channel * 256] - first) < 1e-12)
    }
    let rows = x.reshaped([512, 256]).layerNorm(normalizedShape: [256])
    let row = Array(values[256 * 7..<256 * 8])
    let m = row.reduce(0, +) / 256
    let v = row.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 256
    #expect(abs(rows.scalars[256 * 7 + 3] - (row[3] - m) / (v + 1e-5).squareRoot()) < 1e-12)
  }

  @Test func layerNormModule() {
    let layer = LayerNorm<Double>(normalizedShape: 4)
    #expect(layer.description == "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)")
    #expect(layer.stateDict().map(\.name) == ["weight", "bias"])
    let plain = LayerNorm<Double>(normalizedShape: [2, 2], eps: 1e-3, elementwiseAffine: false)
    #expect(plain.parameters().isEmpty)
    #expect(
      plain.description == "LayerNorm((2, 2), eps=0.001, elementwise_affine=False, bias=True)")
    let x = Tensor<Double>(shape: [1, 2, 2], scalars: [1, 2, 3, 4])
    let expected = [-1.5, -0.5, 0.5, 1.5].map { $0 / (1.25 + 1e-3).squareRoot() }
    expectClose(plain(x), Tensor(shape: [1, 2, 2], scalars: expected), "normalized")
    let noBias = LayerNorm<Double>(normalizedShape: 4, bias: false)
    #expect(noBias.stateDict().map(\.name) == ["weight"])
  }

  /// `updateBatchNorm` makes the running statistics the plain average of the batches' (mean,
  /// unbiased variance), computed here from the layer's inputs; afterwards the momentum rules
  /// again and every module is back in its mode.
  @Test func updateBatchNormAveragesTheBatches() {
    var generator = SeededGenerator(seed: 4)
    let linear = Linear<Double>(3, 4, generator: &generator)
    let norm = BatchNorm1d<Double>(numFeatures: 4)
    let dropout = Dropout<Double>(p: 0.5)
    let model = Sequential<Double>(linear, norm, dropout)
    let batches = [5, 7, 4].map { Tensor<Double>(normal: [$0, 3], generator: &generator) }
    for batch in batches { _ = model(batch) }  // statistics of the weights before
    model.eval()
    dropout.train()
    updateBatchNorm(model, batches: batches)

    /// The per-channel mean and unbiased variance of the layer's input for `batch`.
    func statistics(_ batch: Tensor<Double>) -> (mean: [Double], variance: [Double]) {
      let rows = Double(batch.shape[0])
      let h = withNoGrad { linear(batch) }.scalars
      var (sum, squares) = ([Double](repeating: 0, count: 4), [Double](repeating: 0, count: 4))
      for (index, value) in h.enumerated() { sum[index % 4] += value }
      let mean = sum.map { $0 / rows }
      for (index, value) in h.enumerated() {
        squares[index % 4] += (value - mean[index % 4]) * (value - mean[index % 4])
      }
      return (mean, squares.map { $0 / (rows - 1) })
    }
    let all = batches.map(statistics)
    let mean = (0..<4).map { c in all.reduce(0) { $0 + $1.mean[c] } / 3 }
    let variance = (0..<4).map { c in all.reduce(0) { $0 + $1.variance[c] } / 3 }
    func close(_ a: [Double], _ b: [Double]) -> Bool {
      zip(a, b).allSatisfy { abs($0 - $1) < 1e-12 }
    }
    #expect(close(norm.runningMean!.value.scalars, mean))
    #expect(close(norm.runningVar!.value.scalars, variance))
    #expect(norm.numBatchesTracked!.value.item == 3)
    #expect(!norm.isTraining && dropout.isTraining)

    norm.train()
    _ = withNoGrad { norm(linear(batches[0])) }
    let moved = zip(mean, all[0].mean).map { 0.9 * $0 + 0.1 * $1 }
    #expect(close(norm.runningMean!.value.scalars, moved), "momentum 0.1 again")
  }
}
