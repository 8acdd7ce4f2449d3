import DescentNN
import Testing

@Suite("Pooling layers and Flatten")
struct PoolingTests {
  @Test func fixturesArePresent() throws {
    let names = try ["layer-maxpool", "layer-avgpool", "layer-adaptiveavgpool", "layer-flatten"]
      .flatMap { try NNFixture.names(prefix: $0) }
    #expect(
      names == [
        "layer-maxpool2d", "layer-maxpool2d-stride-pad", "layer-avgpool2d",
        "layer-adaptiveavgpool2d", "layer-flatten",
      ])
  }

  @Test(
    arguments: try ["layer-maxpool", "layer-avgpool", "layer-adaptiveavgpool", "layer-flatten"]
      .flatMap { try NNFixture.names(prefix: $0) })
  func matchesPyTorch(fixture: String) throws {
    try ConvolutionTestSupport.runLayerFixture(fixture)
  }

  @Test func maxPoolGradients() {
    ConvolutionTestSupport.checkGradient([[2, 2, 7, 6]], seed: 21) { t in
      t[0].maxPool2d(kernelSize: 3, stride: 2, padding: 1)
    }
    ConvolutionTestSupport.checkGradient([[1, 3, 7, 8]], seed: 22) { t in
      t[0].maxPool2d(kernelSize: [2, 3], stride: [1, 2], padding: [1, 0], dilation: [2, 1])
    }
    ConvolutionTestSupport.checkGradient([[2, 1, 5, 5]], seed: 23) { t in
      let out = t[0].maxPool2d(kernelSize: 2, ceilMode: true)
      #expect(out.shape == [2, 1, 3, 3])
      return out
    }
  }

  @Test func maxPoolTiesAndPadding() {
    // Equal maxima: the first in the window wins; padding never wins, even over -infinity.
    let x = Tensor<Double>(shape: [1, 1, 2, 2], scalars: [5, 5, 5, 5]).requiringGrad()
    let out = x.maxPool2d(kernelSize: 2)
    out.backward(Tensor(ones: [1, 1, 1, 1]))
    #expect(x.grad!.scalars == [1, 0, 0, 0])
    let negative = Tensor<Double>(repeating: -.infinity, shape: [1, 1, 2, 2]).requiringGrad()
    let pooled = negative.maxPool2d(kernelSize: 3, stride: 1, padding: 1)
    #expect(pooled.scalars.allSatisfy { $0 == -.infinity })
    pooled.backward(Tensor(ones: [1, 1, 2, 2]))
    // Clipped to the input, every window starts at (0, 0), which PyTorch picks when nothing
    // beats -infinity.
    #expect(negative.grad!.scalars == [4, 0, 0, 0])
    // NaN wins, and of several NaNs the last one (PyTorch's `value > max || isnan(value)`), in
    // the unrolled 2x2 windows and in the general loop alike.
    for (input, kernel) in [
      (Tensor<Double>(shape: [1, 1, 2, 2], scalars: [1, .nan, .nan, 3]), IntOrTuple(2)),
      (Tensor<Double>(shape: [1, 1, 1, 4], scalars: [.nan, 2, .nan, 1]), IntOrTuple([1, 4])),
    ] {
      let leaf = input.requiringGrad()
      let pooled = leaf.maxPool2d(kernelSize: kernel)
      #expect(pooled.item.isNaN)
      pooled.backward(Tensor(ones: [1, 1, 1, 1]))
      #expect(leaf.grad!.scalars == [0, 0, 1, 0])
    }
  }

  @Test func avgPoolGradients() {
    ConvolutionTestSupport.checkGradient([[2, 2, 7, 6]], seed: 24) { t in
      t[0].avgPool2d(kernelSize: 3, stride: 2, padding: 1)
    }
    ConvolutionTestSupport.checkGradient([[1, 2, 7, 6]], seed: 25) { t in
      t[0].avgPool2d(
        kernelSize: [3, 2], stride: [2, 1], padding: [1, 1], ceilMode: true,
        countIncludePad: false)
    }
    ConvolutionTestSupport.checkGradient([[1, 2, 5, 5]], seed: 26) { t in
      t[0].avgPool2d(kernelSize: 2, padding: 1, divisorOverride: 3)
    }
  }

  @Test func avgPoolDivisors() {
    // A 2x2 input of ones, 3x3 windows with padding 1 and stride 1: each window covers 4 input
    // elements of 9 (count_include_pad) or of 4 (without).
    let ones = Tensor<Double>(ones: [1, 1, 2, 2])
    #expect(
      ones.avgPool2d(kernelSize: 3, stride: 1, padding: 1).scalars
        == Array(repeating: 4.0 / 9, count: 4))
    #expect(
      ones.avgPool2d(kernelSize: 3, stride: 1, padding: 1, countIncludePad: false).scalars
        == [1, 1, 1, 1])
    #expect(
      ones.avgPool2d(kernelSize: 3, stride: 1, padding: 1, divisorOverride: 2).scalars
        == [2, 2, 2, 2])
    // ceil_mode: a 5-wide row with kernel 2, stride 2 gives 3 windows, the last one element wide;
    // with count_include_pad it divides by the window clipped to the padded input (1 here).
    let row = Tensor<Double>(shape: [1, 1, 1, 5], scalars: [1, 2, 3, 4, 5])
    #expect(row.avgPool2d(kernelSize: [1, 2], ceilMode: true).scalars == [1.5, 3.5, 5])
    #expect(row.avgPool2d(kernelSize: [1, 2]).scalars == [1.5, 3.5])
  }

  @Test func adaptiveAvgPoolGradientsAndWindows() {
    ConvolutionTestSupport.checkGradient([[2, 3, 7, 5]], seed: 27) { t in
      t[0].adaptiveAvgPool2d(outputSize: [3, 2])
    }
    // 5 inputs to 3 outputs: windows 0..<2, 1..<4, 3..<5.
    let row = Tensor<Double>(shape: [1, 1, 1, 5], scalars: [1, 2, 3, 4, 5])
    #expect(row.adaptiveAvgPool2d(outputSize: [1, 3]).scalars == [1.5, 3, 4.5])
    // Larger output than input: windows repeat elements.
    #expect(row.adaptiveAvgPool2d(outputSize: [2, 5]).shape == [1, 1, 2, 5])
  }

  @Test func unbatchedInputs() {
    var generator = SeededGenerator(seed: 28)
    let x = Tensor<Double>(uniform: [3, 6, 6], generator: &generator)
    let batched = x.unsqueezed(at: 0)
    #expect(
      MaxPool2d<Double>(kernelSize: 2)(x)
        == MaxPool2d<Double>(kernelSize: 2)(batched).squeezed(axis: 0))
    #expect(AvgPool2d<Double>(kernelSize: 3, stride: 1)(x).shape == [3, 4, 4])
    #expect(AdaptiveAvgPool2d<Double>(outputSize: 1)(x).shape == [3, 1, 1])
  }

  @Test func flattenAxes() {
    let x = Tensor<Double>(shape: [2, 3, 4, 5], scalars: (0..<120).map(Double.init)).requiringGrad()
    #expect(Flatten<Double>()(x).shape == [2, 60])
    #expect(Flatten<Double>(startDim: 0, endDim: 1)(x).shape == [6, 4, 5])
    #expect(Flatten<Double>(startDim: -2)(x).shape == [2, 3, 20])
    #expect(Flatten<Double>(startDim: 2, endDim: 2)(x).shape == [2, 3, 4, 5])
    let flat = Flatten<Double>()(x.transposed(1, 2))
    #expect(flat.shape == [2, 60])
    flat.backward(Tensor(ones: [2, 60]))
    #expect(x.grad == Tensor(ones: [2, 3, 4, 5]))
  }

  @Test func printsLikePyTorch() {
    #expect(
      "\(MaxPool2d<Float>(kernelSize: [2, 2]))"
        == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=0, dilation=1, ceil_mode=False)")
    #expect(
      "\(MaxPool2d<Float>(kernelSize: 3, stride: [2, 1], padding: 1, ceilMode: true))"
        == "MaxPool2d(kernel_size=3, stride=(2, 1), padding=1, dilation=1, ceil_mode=True)")
    #expect(
      "\(AvgPool2d<Float>(kernelSize: 3, padding: 1, countIncludePad: false))"
        == "AvgPool2d(kernel_size=3, stride=3, padding=1)")
    #expect("\(AdaptiveAvgPool2d<Float>(outputSize: 1))" == "AdaptiveAvgPool2d(output_size=1)")
    #expect(
      "\(AdaptiveAvgPool2d<Float>(outputSize: [2, 3]))" == "AdaptiveAvgPool2d(output_size=(2, 3))")
    #expect("\(Flatten<Float>(startDim: 0))" == "Flatten(start_dim=0, end_dim=-1)")
  }

  @Test func catalogBuildsAndRejects() throws {
    func make(_ name: String, _ values: [String: LayerArgument]) throws -> any Module<Float> {
      try LayerCatalog.make(name, LayerArguments(values), as: Float.self)
    }
    #expect(
      try make(
        "MaxPool2d", ["kernel_size": .integers([3, 3]), "stride": .none, "padding": .integer(1)]
      ).description
        == "MaxPool2d(kernel_size=(3, 3), stride=(3, 3), padding=1, dilation=1, ceil_mode=False)")
    #expect(
      "\(try make("AvgPool2d", ["kernel_size": .integer(2), "divisor_override": .none]))"
        == "AvgPool2d(kernel_size=2, stride=2, padding=0)")
    #expect(
      "\(try make("Flatten", ["start_dim": .integer(2)]))" == "Flatten(start_dim=2, end_dim=-1)")
    func rejects(_ name: String, _ values: [String: LayerArgument], argument: String) {
      let error = #expect(throws: LayerCatalogError.self) {
        _ = try make(name, values)
      }
      guard case .invalidArgument(let rejected, _) = error else {
        Issue.record("\(name) \(values): \(String(describing: error))")
        return
      }
      #expect(rejected == argument, "\(name) \(values)")
    }
    rejects("MaxPool2d", ["kernel_size": .integer(0)], argument: "kernel_size")
    rejects("MaxPool2d", ["kernel_size": .integer(2), "stride": .integer(0)], argument: "stride")
    rejects("MaxPool2d", ["kernel_size": .integer(2), "padding": .integer(2)], argument: "padding")
    rejects(
      "MaxPool2d", ["kernel_size": .integer(3), "padding": .integer(-1)], argument: "padding")
    rejects(
      "MaxPool2d", ["kernel_size": .integer(2), "dilation": .integer(0)], argument: "dilation")
    rejects(
      "MaxPool2d", ["kernel_size": .integer(2), "return_indices": .boolean(true)],
      argument: "return_indices")
    rejects("AvgPool2d", ["kernel_size": .integers([2, 2, 2])], argument: "kernel_size")
    rejects(
      "AvgPool2d", ["kernel_size": .integer(2), "divisor_override": .integer(0)],
      argument: "divisor_override")
    rejects("AdaptiveAvgPool2d", ["output_size": .integers([0, 1])], argument: "output_size")
    rejects("Flatten", ["start_dim": .text("1")], argument: "start_dim")
  }
}
