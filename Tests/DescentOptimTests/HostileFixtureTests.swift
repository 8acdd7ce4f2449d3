import Foundation
import Testing

@testable import DescentOptim

/// `{"shape": shape, "data": [0, 1, ...]}` holding as many values as the shape.
private func tensor(_ shape: [Int], value: (Int) -> Double = { Double($0 % 3) }) -> [String: Any] {
  ["shape": shape, "data": (0..<shape.reduce(1, *)).map(value)]
}

/// A layer fixture of `module` with `kwargs` and `state`, called on one input of `shape` (or
/// the given `input`).
private func layerFixture(
  _ module: String, _ kwargs: [String: Any], state: [String: [Int]] = [:], input shape: [Int],
  values: @escaping (Int) -> Double = { Double($0 % 3) }, mode: String = "eval"
) throws -> Data {
  let fixture: [String: Any] = [
    "kind": "layer", "name": "hostile", "module": module, "kwargs": kwargs, "mode": mode,
    "state_dict": state.mapValues { tensor($0, value: { _ in 1 }) },
    "inputs": [tensor(shape, value: values)], "output": tensor([1]), "grad_output": tensor([1]),
    "grad_inputs": [NSNull()], "grad_params": [String: Any](),
  ]
  return try JSONSerialization.data(withJSONObject: fixture)
}

/// Runs `data` with the standard runner of its kind: the error thrown (`nil` when none).
private func rejection(_ data: Data) throws -> ConformanceError? {
  let folder = try checkpointFolder()
  defer { try? FileManager.default.removeItem(at: folder) }
  let url = folder.appendingPathComponent("fixture.json")
  try data.write(to: url)
  do {
    _ = try ConformanceRegistry.standard.run(fixtureAt: url)
    return nil
  } catch let error as ConformanceError {
    return error
  }
}

@Suite struct HostileFixtureTests {
  /// A scheduler fixture of 1e9 or -5 epochs is refused at once, with the limit.
  @Test func schedulerEpochsAreBounded() throws {
    for epochs in [1_000_000_000, -5, Int.max] {
      let fixture: [String: Any] = [
        "kind": "scheduler", "name": "long", "options": ["lr": 0.1], "epochs": epochs,
        "scheduler": "StepLR", "scheduler_options": ["step_size": 2], "expected_lr": [0.1],
      ]
      let error = try #require(
        try rejection(try JSONSerialization.data(withJSONObject: fixture)), "\(epochs)")
      #expect(
        error
          == .invalidField(
            "epochs",
            "\(epochs) is outside 0...1000000, the most "
              + "epochs a schedule is traced over"))
      #expect(error.localizedDescription == error.description)
    }
  }

  /// Inputs that do not fit the layer are errors naming the field, the shape and the layer,
  /// instead of a failed precondition inside it.
  @Test func layerInputsMustFitTheModule() throws {
    let linear = ["weight": [1, 2], "bias": [1]]
    let norm = [
      "weight": [3], "bias": [3], "running_mean": [3], "running_var": [3],
      "num_batches_tracked": [],
    ]
    let cases: [(Data, String)] = [
      (
        try layerFixture(
          "Linear", ["in_features": 2, "out_features": 1], state: linear, input: [2, 3]),
        "shape [2, 3] does not fit Linear(in_features=2, out_features=1, bias=True): the last axis"
      ),
      (
        try layerFixture(
          "Conv2d", ["in_channels": 2, "out_channels": 1, "kernel_size": 2, "bias": false],
          state: ["weight": [1, 2, 2, 2]], input: [1, 3, 4, 4]),
        "expected [batch, 2, spatial...]"
      ),
      (
        try layerFixture(
          "Conv2d", ["in_channels": 1, "out_channels": 1, "kernel_size": 3, "bias": false],
          state: ["weight": [1, 1, 3, 3]], input: [1, 1, 2, 5]),
        "spatial axis 0 padded to 2 is smaller than the kernel's 3"
      ),
      (
        try layerFixture(
          "BatchNorm1d", ["num_features": 3, "track_running_stats": false],
          state: ["weight": [3], "bias": [3]],
          input: [1, 3], mode: "train"),
        "more than one value per channel"
      ),
      (
        try layerFixture("BatchNorm2d", ["num_features": 3], state: norm, input: [2, 3, 4]),
        "expected 4 axes with 3 channels"
      ),
      (
        try layerFixture(
          "Embedding", ["num_embeddings": 4, "embedding_dim": 2], state: ["weight": [4, 2]],
          input: [3], values: { Double($0 * 2) }),
        "Embedding(4, 2)"
      ),
      (
        try layerFixture(
          "LayerNorm", ["normalized_shape": [4]], state: ["weight": [4], "bias": [4]],
          input: [2, 3]),
        "the trailing axes must be [4]"
      ),
      (try layerFixture("Flatten", ["start_dim": 5], input: [2, 3]), "axes 5...-1"),
      (
        try layerFixture("MaxPool2d", ["kernel_size": 4], input: [1, 1, 2, 2]),
        "the window does not fit"
      ),
      (try layerFixture("Softmax", ["dim": 3], input: [2, 3]), "it has no axis 3"),
      (try layerFixture("ReLU", [:], input: [0, 3]), "shape [0, 3] holds no values"),
    ]
    for (data, expected) in cases {
      let error = try #require(try rejection(data), "\(expected)")
      guard case .invalidField("inputs[0]", let reason) = error else {
        Issue.record("\(expected): \(error)")
        continue
      }
      #expect(reason.contains(expected), "\(reason)")
    }
  }

  /// Step counts of Int.max in trajectory and LBFGS fixtures are refused (they overflowed
  /// `steps + 1`; found in review of the fuzzer's fixture target).
  @Test func stepCountsDoNotOverflow() throws {
    let trajectory: [String: Any] = [
      "kind": "trajectory", "name": "t", "function": "beale", "optimizer": "Adam",
      "options": ["lr": 0.02], "dtype": "float64", "start": [1.0, 1.5], "steps": Int.max,
      "expected": [[1.0, 1.5]],
    ]
    let lbfgs: [String: Any] = [
      "kind": "lbfgs", "name": "l", "function": "rosenbrock", "optimizer": "LBFGS",
      "options": ["lr": 0.1], "dtype": "float64", "start": [-1.5, 2.0], "outer_steps": Int.max,
      "expected": [[-1.5, 2.0]], "losses": [Double](),
    ]
    for fixture in [trajectory, lbfgs] {
      let error = try #require(try rejection(try JSONSerialization.data(withJSONObject: fixture)))
      #expect(error.description.contains("fixture field 'expected'"), "\(error)")
    }
  }

  /// An optimizer fixture whose parameter shape overflows an `Int` when multiplied is refused
  /// (it crashed the whole `descent conformance` run; found by the fuzzer's fixture target).
  @Test func optimizerParameterShapesDoNotOverflow() throws {
    let fixture: [String: Any] = [
      "kind": "optimizer", "name": "o", "optimizer": "SGD", "options": ["lr": 0.1],
      "dtype": "float32",
      "params": [["shape": [2_147_483_647, 2_147_483_647, 2_147_483_647], "data": [1.0]]],
      "grads": [[[1.0]]], "expected": [[[1.0]]],
    ]
    let error = try #require(try rejection(try JSONSerialization.data(withJSONObject: fixture)))
    #expect(error.description.contains("params[0]"), "\(error)")
  }

  /// Layer arguments that would crash or exhaust memory are refused before the layer is built:
  /// a zero size (a precondition in `Linear`, found by the fuzzer), sizes above 4096, sizes that
  /// multiply past 2^24.
  @Test func layerSizesAreBounded() throws {
    let cases: [([String: Any], String, String)] = [
      (["in_features": 0, "out_features": 16], "module", "'in_features': must be positive, got 0"),
      (["in_features": 1_000_000_000, "out_features": 2], "kwargs.in_features", "above 4096"),
      (["in_features": 4096, "out_features": 4096 * 4], "kwargs.out_features", "above 4096"),
    ]
    for (kwargs, field, expected) in cases {
      let data = try layerFixture("Linear", kwargs, input: [1, 2])
      let error = try #require(try rejection(data), "\(kwargs)")
      guard case .invalidField(field, let reason) = error else {
        Issue.record("\(kwargs): \(error)")
        continue
      }
      #expect(reason.contains(expected), "\(reason)")
    }
    let conv = try layerFixture(
      "Conv2d", ["in_channels": 4096, "out_channels": 4096, "kernel_size": 4], input: [1, 2])
    #expect(try rejection(conv)?.description.contains("multiply to more than 16777216") == true)
  }

  /// A training fixture whose batches do not fit its model, or whose transformer is huge, is
  /// an error; shapes whose size overflows are refused by the tensor reader.
  @Test func trainingFixturesAreChecked() throws {
    func training(_ model: [String: Any], input: [String: Any]) throws -> Data {
      let fixture: [String: Any] = [
        "kind": "training", "name": "hostile", "model": model, "optimizer": "SGD",
        "options": ["lr": 0.1], "state_dict": [String: Any](),
        "batches": [["input": input, "target": tensor([1], value: { _ in 0 })]], "losses": [1.0],
        "final_state_dict": [String: Any](),
      ]
      return try JSONSerialization.data(withJSONObject: fixture)
    }
    let mlp: [String: Any] = ["sequential": [["Linear", ["in_features": 2, "out_features": 2]]]]
    let emptyState = try #require(try rejection(try training(mlp, input: tensor([1, 3]))))
    #expect(emptyState.description.contains("state_dict"), "\(emptyState)")
    var fixture = try #require(
      try JSONSerialization.jsonObject(with: try training(mlp, input: tensor([1, 3])))
        as? [String: Any])
    fixture["state_dict"] = ["0.weight": tensor([2, 2]), "0.bias": tensor([2])]
    let misfit = try #require(try rejection(try JSONSerialization.data(withJSONObject: fixture)))
    #expect(misfit.description.contains("batches[0].input"), "\(misfit)")
    #expect(misfit.description.contains("does not fit Linear(in_features=2"), "\(misfit)")

    let huge: [String: Any] = [
      "tiny_transformer": ["vocab": 1 << 40, "d_model": 1 << 40, "heads": 1, "length": 4]
    ]
    let sizes = try #require(try rejection(try training(huge, input: tensor([1, 2]))))
    #expect(sizes.description.contains("model.tiny_transformer"), "\(sizes)")

    let overflow: [String: Any] = [
      "shape": [2_147_483_647, 2_147_483_647, 2_147_483_647], "data": [1],
    ]
    let big: [String: Any] = ["shape": [2_147_483_647, 2_147_483_647], "data": [1]]
    fixture["batches"] = [["input": overflow, "target": tensor([1])]]
    let overflowError = try #require(
      try rejection(try JSONSerialization.data(withJSONObject: fixture)))
    #expect(overflowError.description.contains("is not a tensor's"), "\(overflowError)")
    fixture["batches"] = [["input": big, "target": tensor([1])]]
    let bigError = try #require(try rejection(try JSONSerialization.data(withJSONObject: fixture)))
    #expect(bigError.description.contains("does not hold 1 values"), "\(bigError)")
  }
}
