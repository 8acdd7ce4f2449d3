import DescentNN
import Foundation
import Testing

/// What the convolution and pooling tests share: running a `layer` fixture through
/// ``LayerCatalog`` and finite-difference gradient checks.
enum ConvolutionTestSupport {
  /// A fixture's `kwargs` as catalog arguments (JSON booleans, integers, numbers, strings,
  /// integer arrays and `null`).
  static func arguments(_ kwargs: [String: Any]) throws -> LayerArguments {
    var values: [String: LayerArgument] = [:]
    for (name, value) in kwargs {
      switch value {
      case is NSNull: values[name] = LayerArgument.none
      case let text as String: values[name] = .text(text)
      case let list as [Any]:
        values[name] = .integers(try list.map { try #require($0 as? NSNumber).intValue })
      case let number as NSNumber:
        let type = String(cString: number.objCType)
        if type == "c" {
          values[name] = .boolean(number.boolValue)
        } else if type == "d" || type == "f" {
          values[name] = .number(number.doubleValue)
        } else {
          values[name] = .integer(number.intValue)
        }
      default: Issue.record("kwarg \(name) of unexpected type \(type(of: value))")
      }
    }
    return LayerArguments(values)
  }

  /// Builds the fixture's module through the catalog, loads its state dict, runs the forward
  /// and backward passes and compares output, gradients and printed form with PyTorch's.
  static func runLayerFixture(_ name: String) throws {
    let fixture = try NNFixture(name)
    let moduleName = try #require(fixture.json["module"] as? String)
    let module = try LayerCatalog.make(moduleName, try arguments(fixture.kwargs), as: Double.self)
    try module.loadStateDict(try fixture.tensors("state_dict"))
    if fixture.json["mode"] as? String == "eval" { module.eval() }
    let inputs = try fixture.tensorList("inputs").map { try #require($0) }
    #expect(inputs.count == 1)
    let input = inputs[0].requiringGrad()
    let output = module(input)
    expectClose(output, try fixture.tensor("output"), "\(name): output")
    output.backward(try fixture.tensor("grad_output"))
    let expectedInputGrad = try #require(try fixture.tensorList("grad_inputs")[0])
    expectClose(try #require(input.grad), expectedInputGrad, "\(name): input gradient")
    let expectedParameterGrads = try fixture.tensors("grad_params")
    let parameters = module.namedParameters()
    #expect(Set(parameters.map(\.name)) == Set(expectedParameterGrads.keys))
    for (parameterName, parameter) in parameters {
      let expected = try #require(expectedParameterGrads[parameterName])
      expectClose(try #require(parameter.grad), expected, "\(name): gradient of \(parameterName)")
    }
    for (key, tensor) in module.stateDict() {
      expectClose(
        tensor, try #require(try fixture.tensors("state_dict_after")[key]), "\(name): \(key)")
    }
    #expect("\(module)" == fixture.json["repr"] as? String)
  }

  /// Compares autograd's gradients of `f` (reduced to a scalar through a fixed random weighting)
  /// with central finite differences, in Double, for inputs drawn uniformly from `[-2, 2)`.
  static func checkGradient(
    _ shapes: [[Int]], seed: UInt64 = 1, tolerance: Double = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Tensor<Double>]) -> Tensor<Double>
  ) {
    expectGradientsMatchFiniteDifferences(
      shapes: shapes, seed: seed, tolerance: tolerance, sourceLocation: sourceLocation, f)
  }
}

@Suite("Convolution layers")
struct ConvolutionTests {
  @Test func fixturesArePresent() throws {
    #expect(
      try NNFixture.names(prefix: "layer-conv") == [
        "layer-conv1d", "layer-conv2d", "layer-conv2d-groups-dilation", "layer-conv2d-stride-pad",
      ])
  }

  @Test(arguments: try NNFixture.names(prefix: "layer-conv"))
  func matchesPyTorch(fixture: String) throws {
    try ConvolutionTestSupport.runLayerFixture(fixture)
  }

  @Test func conv2dGradientOddShapes() {
    ConvolutionTestSupport.checkGradient([[2, 3, 5, 7], [4, 3, 3, 2], [4]]) { t in
      t[0].conv2d(weight: t[1], bias: t[2])
    }
  }

  @Test func conv2dGradientStridePadding() {
    ConvolutionTestSupport.checkGradient([[2, 2, 7, 6], [3, 2, 3, 3], [3]], seed: 2) { t in
      t[0].conv2d(weight: t[1], bias: t[2], stride: [2, 1], padding: [1, 2])
    }
    ConvolutionTestSupport.checkGradient([[1, 2, 6, 5], [2, 2, 3, 2]], seed: 3) { t in
      t[0].conv2d(weight: t[1], stride: 2, padding: 1)
    }
  }

  @Test func conv2dGradientDilationGroups() {
    ConvolutionTestSupport.checkGradient([[2, 4, 7, 8], [6, 2, 2, 3], [6]], seed: 4) { t in
      t[0].conv2d(
        weight: t[1], bias: t[2], stride: [1, 2], padding: 1, dilation: [2, 1], groups: 2)
    }
    // Depthwise: one channel per group.
    ConvolutionTestSupport.checkGradient([[2, 3, 5, 5], [3, 1, 3, 3]], seed: 5) { t in
      t[0].conv2d(weight: t[1], padding: 1, groups: 3)
    }
  }

  @Test func conv2dSamePaddingKeepsExtents() {
    // An even kernel: PyTorch pads one zero before and two after along the width.
    ConvolutionTestSupport.checkGradient([[1, 2, 5, 6], [2, 2, 2, 4], [2]], seed: 6) { t in
      let out = t[0].conv2d(weight: t[1], bias: t[2], padding: .same, dilation: [1, 1])
      #expect(out.shape == [1, 2, 5, 6])
      return out
    }
    // "same" with an odd kernel is the symmetric padding; "valid" is none.
    var generator = SeededGenerator(seed: 7)
    let x = Tensor<Double>(uniform: [2, 2, 6, 6], generator: &generator)
    let w = Tensor<Double>(uniform: [3, 2, 3, 3], generator: &generator)
    #expect(x.conv2d(weight: w, padding: .same) == x.conv2d(weight: w, padding: 1))
    #expect(x.conv2d(weight: w, padding: .valid) == x.conv2d(weight: w))
  }

  @Test func conv2dSamePaddingMatchesExplicitZeros() {
    // Kernel width 4, dilation 1: one zero before, two after; the same as padding the input by
    // hand with those zeros and convolving without padding.
    var generator = SeededGenerator(seed: 8)
    let x = Tensor<Double>(uniform: [1, 1, 3, 4], generator: &generator)
    let w = Tensor<Double>(uniform: [1, 1, 1, 4], generator: &generator)
    let rows = (0..<3).map { row in [0] + x.scalars[(row * 4)..<(row * 4 + 4)] + [0, 0] }
    let padded = Tensor<Double>(shape: [1, 1, 3, 7], scalars: Array(rows.joined()))
    expectClose(x.conv2d(weight: w, padding: .same), padded.conv2d(weight: w), "same")
  }

  @Test func conv1dGradients() {
    ConvolutionTestSupport.checkGradient([[2, 3, 9], [2, 3, 3], [2]], seed: 9) { t in
      t[0].conv1d(weight: t[1], bias: t[2], stride: 2, padding: 1, dilation: 2)
    }
    ConvolutionTestSupport.checkGradient([[2, 4, 7], [6, 2, 2]], seed: 10) { t in
      t[0].conv1d(weight: t[1], padding: .same, groups: 2)
    }
  }

  @Test func conv2dMatchesDirectSum() {
    // A direct evaluation of the definition, with stride, padding, dilation and groups.
    var generator = SeededGenerator(seed: 11)
    let (n, c, h, w, o, groups) = (2, 4, 6, 5, 6, 2)
    let (kh, kw, sh, sw, ph, pw, dh, dw) = (3, 2, 2, 1, 1, 2, 1, 2)
    let x = Tensor<Double>(uniform: [n, c, h, w], low: -1, high: 1, generator: &generator)
    let weight = Tensor<Double>(
      uniform: [o, c / groups, kh, kw], low: -1, high: 1, generator: &generator)
    let bias = Tensor<Double>(uniform: [o], low: -1, high: 1, generator: &generator)
    let out = x.conv2d(
      weight: weight, bias: bias, stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw],
      groups: groups)
    let oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1
    let ow = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1
    #expect(out.shape == [n, o, oh, ow])
    let (xs, ws, bs) = (x.scalars, weight.scalars, bias.scalars)
    var expected: [Double] = []
    let (cg, og) = (c / groups, o / groups)
    for sample in 0..<n {
      for channel in 0..<o {
        for row in 0..<oh {
          for column in 0..<ow {
            var sum = bs[channel]
            for local in 0..<cg {
              let input = (channel / og) * cg + local
              for i in 0..<kh {
                for j in 0..<kw {
                  let (ih, iw) = (row * sh - ph + i * dh, column * sw - pw + j * dw)
                  guard ih >= 0 && ih < h && iw >= 0 && iw < w else { continue }
                  sum +=
                    xs[((sample * c + input) * h + ih) * w + iw]
                    * ws[((channel * cg + local) * kh + i) * kw + j]
                }
              }
            }
            expected.append(sum)
          }
        }
      }
    }
    expectClose(out, Tensor(shape: [n, o, oh, ow], scalars: expected), "direct sum")
  }

  /// Runs `conv` on the batch `x` and on each of its samples alone, and expects the same outputs
  /// and gradients (the batch runs in chunks of several samples, the samples one by one).
  static func expectBatchMatchesSamples(
    _ conv: Conv2d<Double>, _ x: Tensor<Double>, generator: inout SeededGenerator,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let input = x.requiringGrad()
    let output = conv(input)
    let seed = Tensor<Double>(
      uniform: output.shape, low: -1, high: 1, generator: &generator)
    conv.zeroGrad()
    output.backward(seed)
    let batchWeightGrad = conv.weight.grad!
    let batchBiasGrad = conv.bias!.grad!
    conv.zeroGrad()
    for sample in 0..<x.shape[0] {
      let one = x.rows(sample..<(sample + 1)).requiringGrad()
      let out = conv(one)
      expectClose(
        out, output.rows(sample..<(sample + 1)), "output of sample \(sample)",
        sourceLocation: sourceLocation)
      out.backward(seed.rows(sample..<(sample + 1)))
      expectClose(
        one.grad!, input.grad!.rows(sample..<(sample + 1)), "input gradient of sample \(sample)",
        sourceLocation: sourceLocation)
    }
    expectClose(
      conv.weight.grad!, batchWeightGrad, rtol: 1e-10, atol: 1e-10, "weight gradient",
      sourceLocation: sourceLocation)
    expectClose(
      conv.bias!.grad!, batchBiasGrad, rtol: 1e-10, atol: 1e-10, "bias gradient",
      sourceLocation: sourceLocation)
  }

  @Test func batchesRunInParallelChunksWithTheSameResult() {
    // 64 samples of 8x8: chunks of several samples, run as parallel tasks, with the columns
    // kept for the backward pass.
    var generator = SeededGenerator(seed: 12)
    let conv = Conv2d<Double>(
      inChannels: 8, outChannels: 16, kernelSize: 3, padding: 1, generator: &generator)
    let x = Tensor<Double>(uniform: [64, 8, 8, 8], low: -1, high: 1, generator: &generator)
    Self.expectBatchMatchesSamples(conv, x, generator: &generator)
    let grouped = Conv2d<Double>(
      inChannels: 6, outChannels: 4, kernelSize: [3, 2], stride: [1, 2], padding: 1,
      dilation: [2, 1], groups: 2, generator: &generator)
    let y = Tensor<Double>(uniform: [37, 6, 9, 7], low: -1, high: 1, generator: &generator)
    Self.expectBatchMatchesSamples(grouped, y, generator: &generator)
    // 32 -> 32 channels: one sample per chunk, eight chunks per range of the weight gradient.
    let wide = Conv2d<Double>(
      inChannels: 32, outChannels: 32, kernelSize: 3, padding: 1, generator: &generator)
    let z = Tensor<Double>(uniform: [19, 32, 8, 8], low: -1, high: 1, generator: &generator)
    Self.expectBatchMatchesSamples(wide, z, generator: &generator)
  }

  @Test func largeInputsUnfoldAgainInTheBackwardPass() {
    // 9 x 250,000 columns per sample, four samples: too many to keep, so the backward pass
    // unfolds the input again, one sample at a time.
    var generator = SeededGenerator(seed: 13)
    let conv = Conv2d<Double>(
      inChannels: 1, outChannels: 2, kernelSize: 3, padding: 1, generator: &generator)
    let x = Tensor<Double>(uniform: [4, 1, 500, 500], low: -1, high: 1, generator: &generator)
    Self.expectBatchMatchesSamples(conv, x, generator: &generator)
  }

  @Test func gradientsOfOnlySomeInputs() {
    // A frozen weight (only the input's gradient) and a constant input (only the weight's).
    var generator = SeededGenerator(seed: 14)
    let x = Tensor<Double>(uniform: [9, 3, 6, 6], low: -1, high: 1, generator: &generator)
    let w = Tensor<Double>(uniform: [4, 3, 3, 3], low: -1, high: 1, generator: &generator)
    let seed = Tensor<Double>(uniform: [9, 4, 6, 6], low: -1, high: 1, generator: &generator)
    let (xLeaf, wLeaf) = (x.requiringGrad(), w.requiringGrad())
    xLeaf.conv2d(weight: wLeaf, padding: 1).backward(seed)
    let inputOnly = x.requiringGrad()
    inputOnly.conv2d(weight: w, padding: 1).backward(seed)
    #expect(inputOnly.grad == xLeaf.grad)
    let weightOnly = w.requiringGrad()
    x.conv2d(weight: weightOnly, padding: 1).backward(seed)
    #expect(weightOnly.grad == wLeaf.grad)
    #expect(withNoGrad { xLeaf.conv2d(weight: wLeaf, padding: 1) }.requiresGrad == false)
  }

  @Test func unbatchedInputIsOneSample() {
    var generator = SeededGenerator(seed: 15)
    let conv2 = Conv2d<Double>(
      inChannels: 2, outChannels: 3, kernelSize: [3, 2], stride: 2, generator: &generator)
    let image = Tensor<Double>(uniform: [2, 7, 6], generator: &generator)
    #expect(conv2(image) == conv2(image.unsqueezed(at: 0)).squeezed(axis: 0))
    let conv1 = Conv1d<Double>(inChannels: 2, outChannels: 3, kernelSize: 3, generator: &generator)
    let signal = Tensor<Double>(uniform: [2, 8], generator: &generator)
    #expect(conv1(signal).shape == [3, 6])
    #expect(conv1(signal) == conv1(signal.unsqueezed(at: 0)).squeezed(axis: 0))
  }

  @Test func floatMatchesDouble() {
    var generator = SeededGenerator(seed: 14)
    let x = Tensor<Double>(uniform: [4, 3, 8, 8], low: -1, high: 1, generator: &generator)
    let w = Tensor<Double>(uniform: [5, 3, 3, 3], low: -1, high: 1, generator: &generator)
    let b = Tensor<Double>(uniform: [5], low: -1, high: 1, generator: &generator)
    let exact = x.conv2d(weight: w, bias: b, padding: 1)
    let single = x.converted(to: Float.self).conv2d(
      weight: w.converted(to: Float.self), bias: b.converted(to: Float.self), padding: 1)
    expectClose(single.converted(to: Double.self), exact, rtol: 1e-4, atol: 1e-5, "float32")
  }

  @Test func parametersInitialisationAndNames() {
    GlobalGenerator.manualSeed(3)
    let conv = Conv2d<Float>(inChannels: 4, outChannels: 6, kernelSize: 3, groups: 2)
    #expect(conv.namedParameters().map(\.name) == ["weight", "bias"])
    #expect(conv.weight.shape == [6, 2, 3, 3])
    #expect(conv.bias?.shape == [6])
    let bound = 1 / Float(2 * 3 * 3).squareRoot()
    #expect(conv.weight.value.scalars.allSatisfy { abs($0) <= bound })
    #expect(conv.bias!.value.scalars.allSatisfy { abs($0) <= bound })
    GlobalGenerator.manualSeed(3)
    let again = Conv2d<Float>(inChannels: 4, outChannels: 6, kernelSize: 3, groups: 2)
    #expect(again.weight.value == conv.weight.value)
    let conv1 = Conv1d<Double>(inChannels: 3, outChannels: 2, kernelSize: 5, bias: false)
    #expect(conv1.namedParameters().map(\.name) == ["weight"])
    #expect(conv1.weight.shape == [2, 3, 5])
    #expect(conv1.stateDict().map(\.name) == ["weight"])
  }

  @Test func printsLikePyTorch() {
    #expect(
      "\(Conv2d<Float>(inChannels: 1, outChannels: 8, kernelSize: 3, stride: 1, padding: 1))"
        == "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))")
    #expect(
      "\(Conv2d<Float>(inChannels: 2, outChannels: 2, kernelSize: [3, 1], padding: .same))"
        == "Conv2d(2, 2, kernel_size=(3, 1), stride=(1, 1), padding=same)")
    #expect(
      "\(Conv2d<Float>(inChannels: 2, outChannels: 2, kernelSize: 2, padding: .valid))"
        == "Conv2d(2, 2, kernel_size=(2, 2), stride=(1, 1), padding=valid)")
    #expect(
      Conv1d<Float>(
        inChannels: 4, outChannels: 2, kernelSize: 3, stride: 2, dilation: 3, groups: 2, bias: false
      ).description
        == "Conv1d(4, 2, kernel_size=(3,), stride=(2,), dilation=(3,), groups=2, bias=False)")
  }

  @Test func catalogRejectsBadArguments() {
    func make(_ name: String, _ values: [String: LayerArgument]) throws {
      _ = try LayerCatalog.make(name, LayerArguments(values), as: Float.self)
    }
    let base: [String: LayerArgument] = [
      "in_channels": .integer(4), "out_channels": .integer(6), "kernel_size": .integer(3),
    ]
    func rejects(_ name: String, _ changes: [String: LayerArgument], argument: String) {
      let error = #expect(throws: LayerCatalogError.self) {
        try make(name, base.merging(changes) { $1 })
      }
      guard case .invalidArgument(let rejected, _) = error else {
        Issue.record("\(name) \(changes): \(String(describing: error))")
        return
      }
      #expect(rejected == argument, "\(name) \(changes)")
    }
    rejects("Conv2d", ["in_channels": .integer(0)], argument: "in_channels")
    rejects("Conv2d", ["out_channels": .integer(-1)], argument: "out_channels")
    rejects("Conv2d", ["kernel_size": .integers([3, 0])], argument: "kernel_size")
    rejects("Conv2d", ["kernel_size": .integers([3, 3, 3])], argument: "kernel_size")
    rejects("Conv1d", ["kernel_size": .integers([3, 3])], argument: "kernel_size")
    rejects("Conv2d", ["stride": .integer(0)], argument: "stride")
    rejects("Conv2d", ["dilation": .integers([1, 0])], argument: "dilation")
    rejects("Conv2d", ["padding": .integer(-1)], argument: "padding")
    rejects("Conv2d", ["padding": .text("full")], argument: "padding")
    rejects("Conv2d", ["padding": .text("same"), "stride": .integer(2)], argument: "padding")
    rejects("Conv2d", ["groups": .integer(0)], argument: "groups")
    rejects("Conv2d", ["groups": .integer(3)], argument: "in_channels")
    rejects(
      "Conv2d", ["groups": .integer(4), "out_channels": .integer(6)], argument: "out_channels")
    rejects("Conv2d", ["padding_mode": .text("reflect")], argument: "padding_mode")
    rejects("Conv2d", ["bias": .integer(1)], argument: "bias")
    #expect(throws: LayerCatalogError.missingArgument("kernel_size")) {
      try make("Conv2d", ["in_channels": .integer(1), "out_channels": .integer(1)])
    }
    #expect(throws: Never.self) {
      try make("Conv2d", base.merging(["padding": .text("same"), "groups": .integer(2)]) { $1 })
      try make("Conv1d", base.merging(["padding": .text("valid"), "stride": .integer(2)]) { $1 })
    }
  }

  @Test func catalogBuildsFromTorchNames() throws {
    let values: [String: LayerArgument] = [
      "in_channels": .integer(4), "out_channels": .integer(4), "kernel_size": .integers([2, 3]),
      "stride": .integer(1), "padding": .integers([1, 0]), "dilation": .integer(2),
      "groups": .integer(2), "bias": .boolean(false), "padding_mode": .text("zeros"),
    ]
    let conv = try LayerCatalog.make("Conv2d", LayerArguments(values), as: Double.self)
    #expect(
      "\(conv)"
        == "Conv2d(4, 4, kernel_size=(2, 3), stride=(1, 1), padding=(1, 0), dilation=(2, 2),"
        + " groups=2, bias=False)"
    )
  }
}
