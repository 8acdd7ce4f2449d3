import DescentNN
import Foundation
import Testing

/// A fixture's constructor `kwargs` as catalog arguments (JSON booleans by their known names).
private func attentionArguments(_ kwargs: [String: Any]) throws -> LayerArguments {
  let booleans: Set<String> = ["bias", "batch_first", "add_bias_kv", "add_zero_attn"]
  var values: [String: LayerArgument] = [:]
  for (name, value) in kwargs {
    let number = try #require(value as? NSNumber, "kwarg \(name) is not a number")
    if booleans.contains(name) {
      values[name] = .boolean(number.boolValue)
    } else if number.doubleValue == number.doubleValue.rounded() {
      values[name] = .integer(number.intValue)
    } else {
      values[name] = .number(number.doubleValue)
    }
  }
  return LayerArguments(values)
}

/// The attention layer a fixture describes, with the fixture's parameters loaded.
private func attentionLayer(_ fixture: NNFixture) throws -> MultiheadAttention<Double> {
  let module = try LayerCatalog.make(
    "MultiheadAttention", try attentionArguments(fixture.kwargs), as: Double.self)
  let attention = try #require(module as? MultiheadAttention<Double>)
  try attention.loadStateDict(try fixture.tensors("state_dict"))
  return attention
}

/// How a fixture calls the layer: which of its forms.
enum AttentionCallForm: CaseIterable, Sendable {
  /// `selfAttention(x, attnMask:)` for self-attention, else `m(q, k, v, attnMask:)`.
  case natural
  /// `m(q, k, v, ...)` always (the input three times for self-attention).
  case general
  /// As `natural`, but a causal mask given as `isCausal: true`.
  case causalFlag
}

@Suite("MultiheadAttention")
struct AttentionTests {
  @Test(
    arguments: try NNFixture.names(prefix: "layer-multiheadattention"), AttentionCallForm.allCases)
  func matchesPyTorchFixture(_ name: String, _ call: AttentionCallForm) throws {
    let fixture = try NNFixture(name)
    let attention = try attentionLayer(fixture)
    let callKwargs = fixture.json["call_kwargs"] as? [String: Any] ?? [:]
    let isSelfAttention = callKwargs["self_attention"] as? Bool ?? false
    let isCausal = callKwargs["attn_mask"] as? String == "causal"
    let inputs = try fixture.tensorList("inputs").map { try #require($0).requiringGrad() }
    let length = inputs[0].shape[1]
    let mask = isCausal ? MultiheadAttention<Double>.causalMask(length) : nil
    let output: Tensor<Double>
    switch call {
    case .natural where isSelfAttention:
      output = attention.selfAttention(inputs[0], attnMask: mask)
    case .general where isSelfAttention:
      output = attention(inputs[0], inputs[0], inputs[0], attnMask: mask)
    case .causalFlag where isSelfAttention:
      output = attention.selfAttention(
        inputs[0], attnMask: isCausal ? nil : mask, isCausal: isCausal)
    case .causalFlag:
      output = attention(
        inputs[0], inputs[1], inputs[2], attnMask: isCausal ? nil : mask, isCausal: isCausal)
    default:
      output = attention(inputs[0], inputs[1], inputs[2], attnMask: mask)
    }
    expectClose(output, try fixture.tensor("output"), "\(name) output")
    output.backward(try fixture.tensor("grad_output"))
    let expectedInputGrads = try fixture.tensorList("grad_inputs")
    #expect(expectedInputGrads.count == inputs.count)
    for (index, (input, expected)) in zip(inputs, expectedInputGrads).enumerated() {
      expectClose(try #require(input.grad), try #require(expected), "\(name) grad_inputs[\(index)]")
    }
    let expectedParameterGrads = try fixture.tensors("grad_params")
    let parameters = attention.namedParameters()
    #expect(Set(parameters.map(\.name)) == Set(expectedParameterGrads.keys))
    for (parameterName, parameter) in parameters {
      expectClose(
        try #require(parameter.grad), try #require(expectedParameterGrads[parameterName]),
        "\(name) grad_params[\(parameterName)]")
    }
    let after = try fixture.tensors("state_dict_after")
    for (key, tensor) in attention.stateDict() {
      expectClose(tensor, try #require(after[key]), "\(name) state_dict_after[\(key)]")
    }
  }

  @Test(arguments: try NNFixture.names(prefix: "layer-multiheadattention"))
  func printsLikePyTorch(_ name: String) throws {
    let fixture = try NNFixture(name)
    let expected = try #require(fixture.json["repr"] as? String)
    #expect(try attentionLayer(fixture).description == expected)
  }

  @Test func stateDictNamesAndShapesArePyTorchs() {
    let attention = MultiheadAttention<Double>(8, 2)
    #expect(
      attention.stateDict().map(\.name) == [
        "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias",
      ])
    #expect(attention.parameters().map(\.shape) == [[24, 8], [24], [8, 8], [8]])
    let unbiased = MultiheadAttention<Double>(6, 3, bias: false)
    #expect(unbiased.stateDict().map(\.name) == ["in_proj_weight", "out_proj.weight"])
    #expect(
      unbiased.description
        == "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=6, "
        + "out_features=6, bias=False)\n)")
    #expect(attention.headDim == 4)
  }

  @Test func printsIndentedInsideAModel() {
    final class Block: Module {
      let attention = MultiheadAttention<Double>(4, 2)
      func forward(_ x: Tensor<Double>) -> Tensor<Double> { attention(x) }
    }
    let expected = """
      Block(
        (attention): MultiheadAttention(
          (out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4, bias=True)
        )
      )
      """
    let block = Block()
    #expect(block.description == expected)
    #expect(
      block.namedParameters().map(\.name) == [
        "attention.in_proj_weight", "attention.in_proj_bias", "attention.out_proj.weight",
        "attention.out_proj.bias",
      ])
  }

  @Test func initialisationFollowsPyTorch() {
    var generator = SeededGenerator(seed: 5)
    let attention = MultiheadAttention<Double>(32, 4, generator: &generator)
    let xavier = (6.0 / (32.0 + 96.0)).squareRoot()
    let inProj = attention.inProjWeight.value.scalars
    #expect(inProj.allSatisfy { abs($0) <= xavier })
    #expect(inProj.max()! > 0.95 * xavier && inProj.min()! < -0.95 * xavier)
    #expect(attention.inProjBias!.value.scalars.allSatisfy { $0 == 0 })
    #expect(attention.outProj.bias!.value.scalars.allSatisfy { $0 == 0 })
    let linearBound = 1 / 32.0.squareRoot()
    let outProj = attention.outProj.weight.value.scalars
    #expect(outProj.allSatisfy { abs($0) <= linearBound })
    #expect(outProj.max()! > 0.9 * linearBound)
    var again = SeededGenerator(seed: 5)
    #expect(
      MultiheadAttention<Double>(32, 4, generator: &again).inProjWeight.value
        == attention.inProjWeight.value)
  }

  @Test func catalogReadsPyTorchsArguments() throws {
    let made = try LayerCatalog.make(
      "MultiheadAttention",
      LayerArguments([
        "embed_dim": .integer(12), "num_heads": .integer(3), "batch_first": .boolean(true),
        "bias": .boolean(false), "dropout": .number(0),
      ]), as: Float.self)
    let attention = try #require(made as? MultiheadAttention<Float>)
    #expect(attention.embedDim == 12 && attention.numHeads == 3 && attention.inProjBias == nil)
  }

  @Test func catalogRejectsWhatItCannotBuild() {
    func make(_ values: [String: LayerArgument]) throws {
      _ = try LayerCatalog.make("MultiheadAttention", LayerArguments(values), as: Double.self)
    }
    let base: [String: LayerArgument] = [
      "embed_dim": .integer(8), "num_heads": .integer(2), "batch_first": .boolean(true),
    ]
    func invalid(_ name: String) -> (any Error) -> Bool {
      { error in
        guard case .invalidArgument(let argument, _) = error as? LayerCatalogError else {
          return false
        }
        return argument == name
      }
    }
    #expect(
      performing: { try make(base.merging(["batch_first": .boolean(false)]) { $1 }) },
      throws: invalid("batch_first"))
    #expect(
      performing: { try make(base.filter { $0.key != "batch_first" }) },
      throws: invalid("batch_first"))
    #expect(
      performing: { try make(base.merging(["num_heads": .integer(3)]) { $1 }) },
      throws: invalid("num_heads"))
    #expect(
      performing: { try make(base.merging(["embed_dim": .integer(0)]) { $1 }) },
      throws: invalid("embed_dim"))
    #expect(
      performing: { try make(base.merging(["dropout": .number(0.1)]) { $1 }) },
      throws: invalid("dropout"))
    #expect(
      performing: { try make(base.merging(["add_bias_kv": .boolean(true)]) { $1 }) },
      throws: invalid("add_bias_kv"))
    #expect(
      performing: { try make(base.merging(["kdim": .integer(4)]) { $1 }) },
      throws: invalid("kdim"))
    #expect(throws: LayerCatalogError.missingArgument("num_heads")) {
      try make(base.filter { $0.key != "num_heads" })
    }
    #expect(throws: LayerCatalogError.invalidArgument("batch_first", "not a boolean")) {
      try make(base.merging(["batch_first": .text("yes")]) { $1 })
    }
  }

  @Test func causalMaskIsMinusInfinityAboveTheDiagonal() {
    let mask = MultiheadAttention<Double>.causalMask(3)
    #expect(mask.shape == [3, 3])
    #expect(mask.scalars == [0, -.infinity, -.infinity, 0, 0, -.infinity, 0, 0, 0])
  }

  @Test func unbatchedInputIsOneBatch() {
    var generator = SeededGenerator(seed: 6)
    let attention = MultiheadAttention<Double>(6, 2, generator: &generator)
    let x = Tensor<Double>(normal: [4, 6], generator: &generator)
    let memory = Tensor<Double>(normal: [5, 6], generator: &generator)
    expectClose(
      attention.selfAttention(x, attnMask: nil, isCausal: true),
      attention.selfAttention(x.unsqueezed(at: 0), attnMask: nil, isCausal: true).squeezed(axis: 0),
      "self-attention")
    expectClose(
      attention(x, memory, memory),
      attention(x.unsqueezed(at: 0), memory.unsqueezed(at: 0), memory.unsqueezed(at: 0))
        .squeezed(axis: 0), "cross-attention")
  }

  @Test func aMaskPerHeadMatchesABroadcastMask() {
    var generator = SeededGenerator(seed: 7)
    let attention = MultiheadAttention<Double>(4, 2, generator: &generator)
    let x = Tensor<Double>(normal: [3, 5, 4], generator: &generator)
    let mask = Tensor<Double>(normal: [5, 5], generator: &generator)
    let perHead = mask.unsqueezed(at: 0).broadcast(to: [6, 5, 5]).contiguous()
    expectClose(
      attention.selfAttention(x, attnMask: perHead), attention.selfAttention(x, attnMask: mask),
      "3-D mask")
    expectClose(attention(x), attention.selfAttention(x, attnMask: nil), "forward")
  }

  @Test func scaledDotProductAttentionOfOneQuery() {
    // One query over two keys: the softmax of the scaled scores weights the values.
    let query = Tensor<Double>(shape: [1, 2], scalars: [1, 0])
    let key = Tensor<Double>(shape: [2, 2], scalars: [2, 0, 0, 2])
    let value = Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, -1, 0, 1])
    let weight = 1 / (1 + Double.exp(-2 / 2.0.squareRoot()))
    let expected = [weight - (1 - weight), 2 * weight, 3 * weight + (1 - weight)]
    expectClose(
      scaledDotProductAttention(query: query, key: key, value: value),
      Tensor(shape: [1, 3], scalars: expected), "attention")
    let masked = scaledDotProductAttention(
      query: query, key: key, value: value,
      attnMask: Tensor(shape: [1, 2], scalars: [0, -.infinity]))
    expectClose(masked, Tensor(shape: [1, 3], scalars: [1, 2, 3]), "masked")
  }

  @Test func floatAgreesWithDouble() throws {
    var generator = SeededGenerator(seed: 8)
    let double = MultiheadAttention<Double>(8, 4, generator: &generator)
    let single = MultiheadAttention<Float>(8, 4)
    try single.loadStateDict(
      Dictionary(
        uniqueKeysWithValues: double.stateDict().map {
          ($0.name, $0.tensor.converted(to: Float.self))
        }))
    let x = Tensor<Double>(normal: [2, 6, 8], generator: &generator)
    let reference = double.selfAttention(x, attnMask: nil, isCausal: true).scalars
    let result = single.selfAttention(x.converted(to: Float.self), attnMask: nil, isCausal: true)
      .scalars
    #expect(zip(result, reference).allSatisfy { abs(Double($0) - $1) < 1e-5 * max(1, abs($1)) })
  }

  @Test func crossAttentionGradientsMatchFiniteDifferences() {
    var generator = SeededGenerator(seed: 9)
    let attention = MultiheadAttention<Double>(4, 2, generator: &generator)
    // Non-zero biases, so that their gradients are exercised as well.
    attention.inProjBias!.value = Tensor(normal: [12], generator: &generator)
    attention.outProj.bias!.value = Tensor(normal: [4], generator: &generator)
    let query = Parameter(Tensor<Double>(normal: [2, 3, 4], generator: &generator))
    let key = Parameter(Tensor<Double>(normal: [2, 5, 4], generator: &generator))
    let value = Parameter(Tensor<Double>(normal: [2, 5, 4], generator: &generator))
    let mask = Tensor<Double>(normal: [3, 5], generator: &generator)
    let probe = Tensor<Double>(normal: [2, 3, 4], generator: &generator)
    expectGradientsMatchFiniteDifferences(
      [query, key, value] + attention.parameters(), "cross-attention"
    ) {
      (attention(query.value, key.value, value.value, attnMask: mask) * probe).sum()
    }
  }

  @Test func causalSelfAttentionGradientsMatchFiniteDifferences() {
    var generator = SeededGenerator(seed: 10)
    let attention = MultiheadAttention<Double>(6, 3, generator: &generator)
    attention.inProjBias!.value = Tensor(normal: [18], generator: &generator)
    let input = Parameter(Tensor<Double>(normal: [2, 4, 6], generator: &generator))
    let probe = Tensor<Double>(normal: [2, 4, 6], generator: &generator)
    expectGradientsMatchFiniteDifferences([input] + attention.parameters(), "self-attention") {
      (attention.selfAttention(input.value, attnMask: nil, isCausal: true) * probe).sum()
    }
  }
}
