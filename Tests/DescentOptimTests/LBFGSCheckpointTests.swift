import DescentNN
import DescentTensor
import Foundation
import Testing

@testable import DescentOptim

extension LBFGS: ResumableOptimizer {}

/// The chained Rosenbrock function `sum (1 - x_i)^2 + 100 (x_{i+1} - x_i^2)^2` over the flat
/// vector of `parameters`, with its closed-form gradient stored in them.
func chainedRosenbrockLoss(_ parameters: [Parameter<Double>]) -> Double {
  let x = parameters.flatMap { $0.value.scalars }
  var loss = 0.0
  var gradient = Array(repeating: 0.0, count: x.count)
  for i in 0..<x.count - 1 {
    let (u, v) = (1 - x[i], x[i + 1] - x[i] * x[i])
    loss += u * u + 100 * v * v
    gradient[i] += -2 * u - 400 * x[i] * v
    gradient[i + 1] += 200 * v
  }
  var offset = 0
  for parameter in parameters {
    parameter.grad = Tensor(
      shape: parameter.shape, scalars: Array(gradient[offset..<offset + parameter.count]))
    offset += parameter.count
  }
  return loss
}

/// Five elements in two parameters (a vector and a matrix), away from the minimum.
func chainedRosenbrockStart() -> [Parameter<Double>] {
  [
    Parameter(Tensor<Double>([-1.2, 1])),
    Parameter(Tensor<Double>(shape: [1, 3], scalars: [-0.5, 0.8, 1.1])),
  ]
}

/// The parameters' values as bit patterns, for exact comparison.
func bits(_ parameters: [Parameter<Double>]) -> [[UInt64]] {
  parameters.map { $0.value.scalars.map(\.bitPattern) }
}

@Suite struct LBFGSCheckpointTests {
  /// LBFGS over the chained Rosenbrock start, with a short history so that pairs are dropped.
  static func lbfgs(_ parameters: [Parameter<Double>], lineSearch: Bool) throws -> LBFGS<Double> {
    try LBFGS(
      parameters, lr: lineSearch ? 1 : 0.1, maxIter: 4, historySize: 3,
      lineSearchFn: lineSearch ? .strongWolfe : nil)
  }

  @Test(arguments: [false, true])
  func stateDictThroughJSONContinuesBitForBit(lineSearch: Bool) throws {
    let straight = chainedRosenbrockStart()
    let straightLBFGS = try Self.lbfgs(straight, lineSearch: lineSearch)
    var straightLosses: [Double] = []
    for _ in 0..<6 { straightLosses.append(straightLBFGS.step { chainedRosenbrockLoss(straight) }) }

    let first = chainedRosenbrockStart()
    let firstLBFGS = try Self.lbfgs(first, lineSearch: lineSearch)
    for _ in 0..<3 { firstLBFGS.step { chainedRosenbrockLoss(first) } }
    let saved = firstLBFGS.stateDict()
    let json = try JSONEncoder().encode(saved)
    let decoded = try JSONDecoder().decode(OptimizerStateDict.self, from: json)
    #expect(decoded == saved)

    // PyTorch's structure: one group of every parameter, the state under parameter 0.
    #expect(saved.paramGroups.map(\.params) == [[0, 1]])
    #expect(saved.paramGroups[0].hyperparameters["lineSearchFn"] == .flag(lineSearch))
    #expect(saved.paramGroups[0].hyperparameters["historySize"] == .number(3))
    let record = try #require(saved.state[0])
    #expect(Array(saved.state.keys) == [0])
    #expect(record.shape == [5] && record.step == firstLBFGS.state.nIter)
    #expect(firstLBFGS.state.oldDirs.count == 3)
    #expect(
      Set(record.buffers.keys)
        == [
          "d", "prev_flat_grad", "old_dirs.0", "old_dirs.1", "old_dirs.2", "old_stps.0",
          "old_stps.1", "old_stps.2",
        ])
    #expect(record.buffers.values.allSatisfy { $0.count == 5 })
    #expect(
      Set(record.scalars.keys)
        == ["func_evals", "n_iter", "t", "H_diag", "prev_loss", "ro.0", "ro.1", "ro.2"])

    // A fresh LBFGS from the catalog takes its hyperparameters from the dict.
    let resumed = chainedRosenbrockStart()
    for (copy, original) in zip(resumed, first) { copy.value = original.value }
    let resumedLBFGS = try OptimizerCatalog.make("LBFGS", parameters: resumed)
    try resumedLBFGS.loadStateDict(decoded)
    #expect(resumedLBFGS.stateDict() == saved)
    var resumedLosses: [Double] = []
    for _ in 0..<3 {
      resumedLosses.append(resumedLBFGS.step { chainedRosenbrockLoss(resumed) })
    }
    #expect(bits(resumed) == bits(straight))
    #expect(resumedLosses.map(\.bitPattern) == straightLosses[3...].map(\.bitPattern))
    #expect(resumedLBFGS.stateDict() == straightLBFGS.stateDict())
    #expect(resumedLBFGS.description == straightLBFGS.description)
  }

  @Test func noStateBeforeAStepAndCountsOnlyAtAStationaryPoint() throws {
    let point = Parameter(Tensor<Double>([1, 1]))
    let lbfgs = try LBFGS([point])
    #expect(lbfgs.stateDict().state.isEmpty)
    lbfgs.step { rosenbrockLoss(point) }
    // As PyTorch: a first call at a stationary point stores func_evals and n_iter only.
    let record = try #require(lbfgs.stateDict().state[0])
    #expect(record.scalars == ["func_evals": 1, "n_iter": 0] && record.buffers.isEmpty)
    let copy = try LBFGS([Parameter(Tensor<Double>([1, 1]))])
    try copy.loadStateDict(lbfgs.stateDict())
    #expect(copy.state == lbfgs.state)
  }

  @Test(arguments: [false, true])
  func trainingCheckpointResumesExactly(lineSearch: Bool) throws {
    let folder = try checkpointFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("lbfgs.safetensors")
    let inputs = Tensor<Double>(shape: [4, 3], scalars: (0..<12).map { Double($0 % 5) / 4 - 0.5 })
    let labels = [0, 1, 1, 0]
    func run(seed: UInt64) throws -> (CheckpointNet, LBFGS<Double>) {
      let model = CheckpointNet(seed: seed)
      let lbfgs = try LBFGS(
        model.parameters(), lr: lineSearch ? 1 : 0.2, maxIter: 3, historySize: 2,
        lineSearchFn: lineSearch ? .strongWolfe : nil)
      return (model, lbfgs)
    }
    func step(_ model: CheckpointNet, _ lbfgs: LBFGS<Double>) -> Double {
      lbfgs.step {
        lbfgs.zeroGrad()
        let loss = crossEntropy(logits: model(inputs), labels: labels)
        loss.backward()
        return Double(loss.item)
      }
    }
    let (straight, straightLBFGS) = try run(seed: 1)
    let straightLosses = (0..<6).map { _ in step(straight, straightLBFGS) }
    let (first, firstLBFGS) = try run(seed: 1)
    for _ in 0..<3 { _ = step(first, firstLBFGS) }
    try TrainingCheckpoint(model: first, optimizer: firstLBFGS).save(to: file)

    let (resumed, resumedLBFGS) = try run(seed: 42)
    try TrainingCheckpoint(model: resumed, optimizer: resumedLBFGS).load(from: file)
    #expect(resumedLBFGS.stateDict() == firstLBFGS.stateDict())
    let resumedLosses = (0..<3).map { _ in step(resumed, resumedLBFGS) }
    #expect(bits(resumed.parameters()) == bits(straight.parameters()))
    #expect(resumedLosses.map(\.bitPattern) == straightLosses[3...].map(\.bitPattern))
    #expect(resumedLBFGS.stateDict() == straightLBFGS.stateDict())
  }

  @Test func checkpointOfAnotherOptimizerIsRefused() throws {
    let folder = try checkpointFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("adam.safetensors")
    let model = CheckpointNet(seed: 3)
    try TrainingCheckpoint(model: model, optimizer: try Adam(model.parameters())).save(to: file)
    let lbfgs = try LBFGS(model.parameters())
    #expect(throws: CheckpointError.self) {
      try TrainingCheckpoint(model: model, optimizer: lbfgs).load(from: file)
    }
  }

  /// Edits of a good state dict, each of which must be refused.
  static let corruptions: [(String, @Sendable (inout OptimizerStateDict) -> Void)] = [
    ("flat size", { $0.state[0]?.shape = [6] }),
    ("short buffer", { $0.state[0]?.buffers["old_stps.1"]?.removeLast() }),
    ("long d", { $0.state[0]?.buffers["d"]?.append(0) }),
    (
      "pair without its y",
      {
        $0.state[0]?.buffers["old_dirs.1"] = nil
        $0.state[0]?.bufferOrder.removeAll { $0 == "old_dirs.1" }
      }
    ),
    ("pair without ro", { $0.state[0]?.scalars["ro.2"] = nil }),
    ("ro beyond the pairs", { $0.state[0]?.scalars["ro.7"] = 1 }),
    (
      "buffer beyond the pairs",
      {
        $0.state[0]?.buffers["old_dirs.3"] = Array(repeating: 0, count: 5)
        $0.state[0]?.bufferOrder.append("old_dirs.3")
      }
    ),
    ("more pairs than history", { $0.paramGroups[0].hyperparameters["historySize"] = 2 }),
    ("buffer order", { $0.state[0]?.bufferOrder.removeLast() }),
    ("unknown scalar", { $0.state[0]?.scalars["al"] = 0 }),
    (
      "d missing",
      {
        $0.state[0]?.buffers["d"] = nil
        $0.state[0]?.bufferOrder.removeAll { $0 == "d" }
      }
    ),
    ("t missing", { $0.state[0]?.scalars["t"] = nil }),
    ("step is not n_iter", { $0.state[0]?.step += 1 }),
    ("fractional n_iter", { $0.state[0]?.scalars["n_iter"] = 2.5 }),
    ("negative func_evals", { $0.state[0]?.scalars["func_evals"] = -1 }),
    (
      "history without iterations",
      {
        $0.state[0]?.scalars["n_iter"] = 0
        $0.state[0]?.step = 0
      }
    ),
    ("state of parameter 1", { $0.state[1] = $0.state[0] }),
    ("two groups", { $0.paramGroups.append($0.paramGroups[0]) }),
    ("parameter order", { $0.paramGroups[0].params = [1, 0] }),
    ("negative lr", { $0.paramGroups[0].hyperparameters["lr"] = -1 }),
    ("text-like line search", { $0.paramGroups[0].hyperparameters["lineSearchFn"] = 1 }),
    ("missing hyperparameter", { $0.paramGroups[0].hyperparameters["maxEval"] = nil }),
  ]

  @Test(arguments: corruptions.indices)
  func badStateDictThrowsAndChangesNothing(_ index: Int) throws {
    let (label, corrupt) = Self.corruptions[index]
    let parameters = chainedRosenbrockStart()
    let lbfgs = try Self.lbfgs(parameters, lineSearch: true)
    for _ in 0..<3 { lbfgs.step { chainedRosenbrockLoss(parameters) } }
    let good = lbfgs.stateDict()
    #expect(good.state[0]?.buffers["old_dirs.2"] != nil)
    var bad = good
    corrupt(&bad)
    #expect(bad != good, "\(label) changed nothing")
    #expect(throws: OptimizerError.self, "\(label)") { try lbfgs.loadStateDict(bad) }
    #expect(lbfgs.stateDict() == good, "\(label)")
    // The good dict still loads.
    try lbfgs.loadStateDict(good)
    #expect(lbfgs.stateDict() == good)
  }

  @Test func stateOfAnotherFlatSizeIsRefused() throws {
    let parameters = chainedRosenbrockStart()
    let lbfgs = try Self.lbfgs(parameters, lineSearch: false)
    lbfgs.step { chainedRosenbrockLoss(parameters) }
    let other = try LBFGS([Parameter(Tensor<Double>([1, 2, 3])), Parameter(Tensor<Double>([4]))])
    let error = #expect(throws: OptimizerError.self) { try other.loadStateDict(lbfgs.stateDict()) }
    #expect(error?.description.contains("5") == true, "\(String(describing: error))")
    #expect(other.state == LBFGSState() && other.hyperparameters == LBFGSHyperparameters())
  }

  /// Without a closure, a step is one fixed-step iteration from the gradients already there:
  /// the same as a closure step with `maxIter` 1, save the unknown `prev_loss`.
  @Test func stepWithoutClosureIsOneIterationFromTheCurrentGradients() throws {
    let plain = chainedRosenbrockStart()
    let plainLBFGS = try LBFGS(plain, lr: 0.05, maxIter: 7)
    let closure = chainedRosenbrockStart()
    let closureLBFGS = try LBFGS(closure, lr: 0.05, maxIter: 1)
    for _ in 0..<4 {
      _ = chainedRosenbrockLoss(plain)
      plainLBFGS.step()
      closureLBFGS.step { chainedRosenbrockLoss(closure) }
      #expect(bits(plain) == bits(closure))
    }
    var expected = closureLBFGS.state
    expected.prevLoss = nil
    #expect(plainLBFGS.state == expected)
    #expect(plainLBFGS.state.nIter == 4 && plainLBFGS.state.funcEvals == 4)
    #expect(plainLBFGS.stateDict().state[0]?.scalars["prev_loss"] == nil)
    #expect(plainLBFGS.hyperparameters.maxIter == 7)
  }

  @Test func catalogBuildsLBFGSWithOptions() throws {
    #expect(OptimizerCatalog.names.contains("LBFGS"))
    let parameters = chainedRosenbrockStart()
    let optimizer = try OptimizerCatalog.make(
      "LBFGS", parameters: parameters, options: ["lr": 0.5, "maxIter": 8, "lineSearchFn": true])
    let lbfgs = try #require(optimizer as? LBFGS<Double>)
    #expect(optimizer.name == "LBFGS" && optimizer.paramGroupCount == 1)
    #expect(
      lbfgs.hyperparameters
        == (try LBFGSHyperparameters(lr: 0.5, maxIter: 8, lineSearchFn: .strongWolfe)))
    #expect(throws: OptimizerError.self) {
      try OptimizerCatalog.make("LBFGS", parameters: parameters, options: ["betas": .pair(0, 0)])
    }
    #expect(throws: OptimizerError.self) {
      try OptimizerCatalog.make(
        "LBFGS", groups: [ParameterGroup([parameters[0]]), ParameterGroup([parameters[1]])],
        options: [:])
    }
    // Through the protocol, the closure step is LBFGS's own.
    let loss = optimizer.step { chainedRosenbrockLoss(parameters) }
    #expect(loss == chainedRosenbrockLoss(chainedRosenbrockStart()))
    #expect(lbfgs.state.funcEvals > 1)
  }

  @Test(arguments: ["loop-lbfgs-plain.json", "loop-lbfgs-wolfe.json"])
  func fixturesPassThroughTheStandardRegistry(_ name: String) throws {
    let result = try ConformanceRegistry.standard.run(fixtureAt: fixtureURL(name))
    #expect(result.passed, "\(result)")
    #expect(result.kind == "lbfgs" && result.comparisons == 2 * 7 + 6)
  }
}
