import DescentTensor
import Foundation

/// A fixture of kind `optimizer` (see FORMAT.md).
struct OptimizerFixture: Decodable {
  struct Group: Decodable {
    let params: [Int]
    let options: [String: JSONValue]
  }
  let name: String
  let optimizer: String
  let options: [String: JSONValue]
  let paramGroups: [Group]?
  let dtype: String
  let params: [FixtureTensor]
  let grads: [[[Double]?]]
  let expected: [[[Double]]]
  let finalState: [String: [String: JSONValue]]?
  /// The parameters after `eval()` following the last step (schedule-free optimizers).
  let expectedEval: [[Double]]?
  /// Tolerances replacing the dtype's, for the parameters and for the final state.
  let tolerance: FixtureTolerances?
  /// `bfloat16`: the moments are stored in bfloat16 (Descent's `stateDType`).
  let stateDType: String?

  /// `{"params": {"rtol", "atol"}, "state": {"rtol", "atol"}}`.
  struct FixtureTolerances: Decodable {
    let params: FixtureTolerance?
    let state: FixtureTolerance?
  }
  /// One `{"rtol", "atol"}`.
  struct FixtureTolerance: Decodable {
    let rtol: Double
    let atol: Double
    var tolerance: Tolerance { Tolerance(rtol: rtol, atol: atol) }
  }

  enum CodingKeys: String, CodingKey {
    case name, optimizer, options, dtype, params, grads, expected, tolerance
    case paramGroups = "param_groups"
    case finalState = "final_state"
    case expectedEval = "expected_eval"
    case stateDType = "state_dtype"
  }
}

/// PyTorch's choices of implementation, which do not change the numbers; Descent has one
/// implementation and drops them from a fixture's options.
let implementationSwitches: Set = ["foreach", "fused", "capturable", "differentiable"]

/// Options of a fixture as Descent hyperparameters, implementation switches dropped.
func hyperparameters(_ options: [String: JSONValue], field: String) throws -> [String:
  HyperparameterValue]
{
  var result: [String: HyperparameterValue] = [:]
  for (key, value) in options where !implementationSwitches.contains(key) {
    guard let hyperparameter = value.hyperparameter else {
      throw ConformanceError.invalidField("\(field).\(key)", "not a number, boolean or pair")
    }
    result[OptimizerCatalog.swiftName(key)] = hyperparameter
  }
  return result
}

/// Runs `optimizer` fixtures: steps the optimizer through the recorded gradients in the
/// fixture's dtype and compares every parameter after every step, then the final state.
public struct OptimizerFixtureRunner: FixtureRunner {
  /// `"optimizer"`.
  public var kind: String { "optimizer" }

  /// A runner.
  public init() {}

  /// Checks the fixture in `data`.
  public func run(_ data: Data, options: ConformanceOptions) throws -> ConformanceResult {
    let fixture = try decodeFixture(OptimizerFixture.self, from: data)
    switch fixture.dtype {
    case "float32": return try run(fixture, as: Float.self, options: options)
    case "float64": return try run(fixture, as: Double.self, options: options)
    default:
      throw ConformanceError.invalidField("dtype", "'\(fixture.dtype)' is not float32 or float64")
    }
  }

  private func run<Scalar: LaneScalar>(
    _ fixture: OptimizerFixture, as _: Scalar.Type, options runOptions: ConformanceOptions
  ) throws -> ConformanceResult {
    var parameters: [Parameter<Scalar>] = []
    for (index, initial) in fixture.params.enumerated() {
      parameters.append(Parameter(try initial.tensor("params[\(index)]", as: Scalar.self)))
    }
    let groups = try
      (fixture.paramGroups ?? [.init(params: Array(parameters.indices), options: [:])])
      .enumerated().map { index, group in
        guard group.params.allSatisfy(parameters.indices.contains) else {
          throw ConformanceError.invalidField("param_groups[\(index)].params", "index out of range")
        }
        return ParameterGroup(
          group.params.map { parameters[$0] },
          try hyperparameters(group.options, field: "param_groups[\(index)].options"))
      }
    var options = try hyperparameters(fixture.options, field: "options")
    if let stateDType = fixture.stateDType { options["stateDType"] = .text(stateDType) }
    let optimizer = try OptimizerCatalog.make(fixture.optimizer, groups: groups, options: options)
    optimizer.kernelPath = runOptions.kernelPath
    let dtypeTolerance = try Tolerance.of(dtype: fixture.dtype)
    var tally = DeviationTally(
      tolerance: fixture.tolerance?.params?.tolerance ?? dtypeTolerance)
    var stateTally = DeviationTally(
      tolerance: fixture.tolerance?.state?.tolerance ?? dtypeTolerance)
    guard fixture.expected.count == fixture.grads.count else {
      throw ConformanceError.invalidField("expected", "one entry per step of 'grads' is needed")
    }
    for (step, (gradients, expected)) in zip(fixture.grads, fixture.expected).enumerated() {
      guard gradients.count == parameters.count, expected.count == parameters.count else {
        throw ConformanceError.invalidField("grads[\(step)]", "one entry per parameter is needed")
      }
      for (parameter, gradient) in zip(parameters, gradients) {
        guard let gradient else {
          parameter.grad = nil
          continue
        }
        guard gradient.count == parameter.count else {
          throw ConformanceError.invalidField("grads[\(step)]", "gradient of the wrong size")
        }
        parameter.grad = Tensor(shape: parameter.shape, scalars: gradient.map { Scalar($0) })
      }
      optimizer.step()
      for (index, (parameter, values)) in zip(parameters, expected).enumerated() {
        tally.compare(
          parameter.value.scalars.map { Double($0) }, values, "step \(step + 1) param \(index)")
      }
    }
    compareFinalState(fixture.finalState ?? [:], optimizer.stateDict(), &stateTally)
    if let expectedEval = fixture.expectedEval {
      guard let switching = optimizer as? any TrainEvalSwitching else {
        throw ConformanceError.invalidField(
          "expected_eval", "\(fixture.optimizer) has no eval mode in Descent")
      }
      guard expectedEval.count == parameters.count else {
        throw ConformanceError.invalidField("expected_eval", "one entry per parameter is needed")
      }
      switching.eval()
      for (index, (parameter, values)) in zip(parameters, expectedEval).enumerated() {
        tally.compare(parameter.value.scalars.map { Double($0) }, values, "eval param \(index)")
      }
    }
    return merged(tally.result(name: fixture.name, kind: kind), stateTally)
  }

  /// The parameters' result with the state's comparisons (held to their own tolerance) folded in.
  private func merged(_ result: ConformanceResult, _ state: DeviationTally) -> ConformanceResult {
    let stateResult = state.result(name: result.name, kind: result.kind)
    var combined = result
    combined.comparisons += stateResult.comparisons
    combined.worstDeviation = max(result.worstDeviation, stateResult.worstDeviation)
    combined.worstRatio = max(result.worstRatio, stateResult.worstRatio)
    combined.failure = result.failure ?? stateResult.failure
    combined.passed = result.passed && stateResult.passed
    return combined
  }

  private func compareFinalState(
    _ expected: [String: [String: JSONValue]], _ dict: OptimizerStateDict,
    _ tally: inout DeviationTally
  ) {
    for (key, entries) in expected.sorted(by: { $0.key < $1.key }) {
      guard let index = Int(key), let record = dict.state[index] else {
        tally.fail("final_state: no state for parameter \(key)")
        continue
      }
      for (name, value) in entries.sorted(by: { $0.key < $1.key }) {
        let what = "final_state[\(key)].\(name)"
        if name == "step", let step = value.number {
          tally.compare([Double(record.step)], [step], what)
        } else if let numbers = value.numbers, let buffer = record.buffers[name] {
          tally.compare(buffer, numbers, what)
        } else if let numbers = value.numbers, let buffer = dequantized(name, record) {
          tally.compare(buffer, numbers, what)
        } else if let number = value.number, let scalar = record.scalars[name] {
          tally.compare([scalar], [number], what)
        } else if value != .null {
          tally.fail("\(what): not in Descent's state")
        }
      }
    }
  }

  /// bitsandbytes' `stateN_dequantized` from the record's `stateN` codes, `qmapN` and `absmaxN`:
  /// `qmap[code] * absmax[block]` in float32 (`nil` when the record has no such 8-bit state).
  private func dequantized(_ name: String, _ record: OptimizerStateDict.ParameterRecord)
    -> [Double]?
  {
    guard name.hasSuffix("_dequantized") else { return nil }
    let state = String(name.dropLast("_dequantized".count))
    let suffix = state.dropFirst("state".count)
    guard let codes = record.buffers[state], let map = record.buffers["qmap\(suffix)"],
      let absmax = record.buffers["absmax\(suffix)"], map.count == 256
    else { return nil }
    let block = BlockwiseQuantization.blockSize
    return codes.enumerated().map { index, code in
      guard code >= 0, code < 256, index / block < absmax.count else { return .nan }
      return Double(Float(map[Int(code)]) * Float(absmax[index / block]))
    }
  }
}
