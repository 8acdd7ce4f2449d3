import DescentNN
import Foundation

/// A `layer` fixture (FORMAT.md): a torch.nn module's forward and backward in float64.
struct LayerFixture: Decodable {
  let name: String
  let module: String
  let kwargs: [String: JSONValue]
  let callKwargs: [String: JSONValue]?
  let mode: String
  let stateDict: [String: FixtureTensor]
  let inputs: [FixtureTensor]
  let output: FixtureTensor
  let gradOutput: FixtureTensor
  let gradInputs: [FixtureTensor?]
  let gradParams: [String: FixtureTensor]
  let stateDictAfter: [String: FixtureTensor]?
  let repr: String?

  enum CodingKeys: String, CodingKey {
    case name, module, kwargs, mode, inputs, output, repr
    case callKwargs = "call_kwargs"
    case stateDict = "state_dict"
    case gradOutput = "grad_output"
    case gradInputs = "grad_inputs"
    case gradParams = "grad_params"
    case stateDictAfter = "state_dict_after"
  }
}

/// A `{"shape", "data"}` tensor of a fixture.
struct FixtureTensor: Decodable {
  let shape: [Int]
  let data: [Double]

  /// The tensor, checked: the shape must hold the data.
  func tensor<Scalar: TensorScalar>(_ field: String, as _: Scalar.Type = Scalar.self) throws
    -> Tensor<Scalar>
  {
    var count = 1
    for extent in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: extent)
      guard extent >= 0, !overflow else {
        throw ConformanceError.invalidField(field, "shape \(shape) is not a tensor's")
      }
      count = product
    }
    guard count == data.count else {
      throw ConformanceError.invalidField(
        field, "shape \(shape) does not hold \(data.count) values")
    }
    return Tensor(shape: shape, scalars: data.map { Scalar($0) })
  }
}

extension JSONValue {
  /// The value as a layer argument (numbers that are whole become integers).
  var layerArgument: LayerArgument {
    switch self {
    case .null: return .none
    case .bool(let value): return .boolean(value)
    case .number(let value):
      return value == value.rounded() && abs(value) < 1e15 ? .integer(Int(value)) : .number(value)
    case .string(let value): return .text(value)
    case .array(let values):
      let integers = values.compactMap { value -> Int? in
        guard let number = value.number, number == number.rounded(), abs(number) < 1e15 else {
          return nil
        }
        return Int(number)
      }
      return integers.count == values.count ? .integers(integers) : .none
    case .object: return .none
    }
  }
}

/// Runs `layer` fixtures: builds the module by name from its kwargs, loads the state dict, checks
/// the output, the gradients of the inputs and parameters, the state after the forward (running
/// statistics) and the printed form.
public struct LayerFixtureRunner: FixtureRunner {
  /// `"layer"`.
  public var kind: String { "layer" }

  /// A runner.
  public init() {}

  /// Checks the fixture in `data`.
  public func run(_ data: Data, options: ConformanceOptions) throws -> ConformanceResult {
    let fixture = try decodeFixture(LayerFixture.self, from: data)
    try ModuleInputCheck.checkSizes(of: fixture.kwargs, field: "kwargs")
    let arguments = LayerArguments(fixture.kwargs.mapValues(\.layerArgument))
    let module: any Module<Double>
    do {
      module = try LayerCatalog.make(fixture.module, arguments, as: Double.self)
    } catch {
      throw ConformanceError.invalidField("module", "\(error)")
    }
    module.train(fixture.mode == "train")
    do {
      try module.loadStateDict(
        try fixture.stateDict.mapValues { try $0.tensor("state_dict") }, strict: true)
    } catch let error as StateDictError {
      throw ConformanceError.invalidField("state_dict", error.description)
    }
    let inputs = try fixture.inputs.enumerated().map { index, input -> Tensor<Double> in
      let tensor: Tensor<Double> = try input.tensor("inputs[\(index)]")
      let differentiable =
        fixture.gradInputs.indices.contains(index)
        && fixture.gradInputs[index] != nil
      return differentiable ? tensor.requiringGrad() : tensor
    }
    var tally = DeviationTally(tolerance: .float64)
    let output: Tensor<Double>
    if let special = try specialForward(module, inputs, fixture.callKwargs ?? [:]) {
      output = special
    } else {
      guard inputs.count == 1 else {
        throw ConformanceError.invalidField("inputs", "\(fixture.module) takes one input")
      }
      _ = try ModuleInputCheck(field: "inputs[0]", training: fixture.mode == "train")
        .outputShape(of: module, for: inputs[0])
      output = module(inputs[0])
    }
    let expectedOutput: Tensor<Double> = try fixture.output.tensor("output")
    guard output.shape == expectedOutput.shape else {
      tally.fail("output shape \(output.shape), expected \(expectedOutput.shape)")
      return tally.result(name: fixture.name, kind: kind)
    }
    tally.compare(output.scalars, expectedOutput.scalars, "output")
    let seed: Tensor<Double> = try fixture.gradOutput.tensor("grad_output")
    guard seed.shape == output.shape else {
      throw ConformanceError.invalidField("grad_output", "shape \(seed.shape) is not the output's")
    }
    if output.requiresGrad { output.backward(seed) }
    for (index, expected) in fixture.gradInputs.enumerated() {
      guard let expected, index < inputs.count else { continue }
      let gradient = inputs[index].grad ?? Tensor(zeros: inputs[index].shape)
      tally.compare(gradient.scalars, expected.data, "grad_inputs[\(index)]")
    }
    let parameters = Dictionary(uniqueKeysWithValues: module.namedParameters())
    for (name, expected) in fixture.gradParams.sorted(by: { $0.key < $1.key }) {
      guard let parameter = parameters[name] else {
        tally.fail("grad_params: no parameter '\(name)'")
        continue
      }
      let gradient = parameter.grad ?? Tensor(zeros: parameter.shape)
      tally.compare(gradient.scalars, expected.data, "grad_params.\(name)")
    }
    tally.compareState(
      of: module, with: fixture.stateDictAfter ?? [:], printed: fixture.repr, "state_dict_after")
    return tally.result(name: fixture.name, kind: kind)
  }

  /// The forward of a module that takes more than its one input (attention), as the fixture
  /// calls it; `nil` for an ordinary module.
  private func specialForward(
    _ module: any Module<Double>, _ inputs: [Tensor<Double>], _ callKwargs: [String: JSONValue]
  ) throws -> Tensor<Double>? {
    guard let attention = module as? MultiheadAttention<Double> else { return nil }
    let mask: Tensor<Double>?
    switch callKwargs["attn_mask"] {
    case nil, .some(.null): mask = nil
    case .some(.string("causal")):
      guard let length = inputs.first?.shape.dropLast().last else {
        throw ConformanceError.invalidField("inputs", "no sequence to mask")
      }
      mask = MultiheadAttention<Double>.causalMask(length)
    default: throw ConformanceError.invalidField("call_kwargs.attn_mask", "not \"causal\"")
    }
    let embed = attention.embedDim
    for (index, input) in inputs.enumerated()
    where input.rank != 3 || input.shape[2] != embed || input.shape[0] != inputs[0].shape[0] {
      throw ConformanceError.invalidField(
        "inputs[\(index)]", "shape \(input.shape) is not [batch, length, \(embed)]")
    }
    if callKwargs["self_attention"] == .bool(true) {
      guard inputs.count == 1 else {
        throw ConformanceError.invalidField("inputs", "self-attention takes one input")
      }
      return attention.selfAttention(inputs[0], attnMask: mask)
    }
    guard inputs.count == 3, inputs[1].shape == inputs[2].shape else {
      throw ConformanceError.invalidField("inputs", "attention takes query, key and value")
    }
    if let mask, mask.shape != [inputs[0].shape[1], inputs[1].shape[1]] {
      throw ConformanceError.invalidField("call_kwargs.attn_mask", "does not fit the inputs")
    }
    return attention.forward(query: inputs[0], key: inputs[1], value: inputs[2], attnMask: mask)
  }
}

extension DeviationTally {
  /// Compares `module`'s state dict with `expected` entry by entry (`field` names them in a
  /// failure), and its printed form with `printed` when given.
  mutating func compareState(
    of module: any Module<Double>, with expected: [String: FixtureTensor], printed: String?,
    _ field: String
  ) {
    let state = Dictionary(uniqueKeysWithValues: module.stateDict().map { ($0.name, $0.tensor) })
    for (name, values) in expected.sorted(by: { $0.key < $1.key }) {
      guard let tensor = state[name] else {
        fail("\(field): no entry '\(name)'")
        continue
      }
      compare(tensor.scalars, values.data, "\(field).\(name)")
    }
    if let printed, "\(module)" != printed {
      fail("printed form \"\(module)\", expected \"\(printed)\"")
    }
  }
}
