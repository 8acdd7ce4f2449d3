import DescentOptim
import DescentTensor
import Foundation
import Testing

/// What a fixture's `final_state` holds for one 8-bit parameter.
private struct EightBitFixture: Decodable {
  struct State: Decodable {
    let qmap1: [Double]?
    let qmap2: [Double]?
  }
  let finalState: [String: State]

  enum CodingKeys: String, CodingKey {
    case finalState = "final_state"
  }
}

/// Moments in bfloat16, bitsandbytes' blockwise 8-bit state, and the state dicts and checkpoints
/// that carry them (the numbers themselves are the fixtures', checked by ConformanceFixtureTests).
@Suite struct LowPrecisionStateTests {
  /// Parameters large enough for 8-bit state (two blocks short of a whole number of blocks, so the
  /// last block is partial), and a small one that keeps float32 state.
  static let shapes = [[4096 + 200], [10]]

  @Test func dynamicMapsAreBitsandbytes() throws {
    let data = try Data(contentsOf: fixtureURL("optim-adam8bit-f32.json"))
    let state = try #require(
      try JSONDecoder().decode(EightBitFixture.self, from: data).finalState["0"])
    #expect(BlockwiseQuantization.codebook(signed: true).map(Double.init) == state.qmap1)
    #expect(BlockwiseQuantization.codebook(signed: false).map(Double.init) == state.qmap2)
  }

  @Test func bfloat16MomentsAreStoredRoundedAndTakeHalfTheMemory() throws {
    let parameters = makeParameters(Self.shapes, as: Float.self)
    let optimizer = try Adam(parameters, lr: 0.01, stateDType: .bfloat16)
    runSteps(optimizer, parameters, count: 3)
    let state = try #require(optimizer.state(of: parameters[0]))
    #expect(state.encoding == .bfloat16)
    #expect(state.storage.isEmpty && state.packed.count == 2 * 2 * parameters[0].count)
    for name in ["exp_avg", "exp_avg_sq"] {
      let values = try #require(state.buffer(name))
      // A bfloat16 is a float32 whose low 16 bits are zero.
      #expect(values.allSatisfy { $0.bitPattern & 0xFFFF == 0 })
      #expect(values.contains { $0 != 0 })
    }
    #expect(optimizer.description.contains("    stateDType: bfloat16\n"))
    #expect(!(try Adam(parameters)).description.contains("stateDType"))
  }

  @Test func eightBitStateTakesOneBytePerElementPerBuffer() throws {
    let parameters = makeParameters(Self.shapes, as: Float.self)
    let optimizer = try Adam8bit(parameters, lr: 0.01)
    runSteps(optimizer, parameters, count: 2)
    let large = try #require(optimizer.state(of: parameters[0]))
    #expect(large.encoding == .blockwise8bit(signed: [true, false]))
    #expect(large.packed.count == 2 * parameters[0].count)
    #expect(large.absmax.count == 2 * 17)
    let small = try #require(optimizer.state(of: parameters[1]))
    #expect(small.encoding == .plain && small.storage.count == 2 * 10)
    let record = try #require(optimizer.stateDict().state[0])
    #expect(
      record.bufferOrder == ["state1", "qmap1", "state2", "qmap2", "absmax1", "absmax2"])
    #expect(record.buffers["state1"]?.allSatisfy { $0 >= 0 && $0 <= 255 } == true)
  }

  @Test(arguments: ["Adam", "AdamW", "Adam8bit", "AdamW8bit", "SGD8bit", "Lion8bit"])
  func stateDictRoundTripResumesBitForBit(_ name: String) throws {
    let options: [String: HyperparameterValue] =
      name.hasPrefix("Adam") && !name.hasSuffix("8bit")
      ? ["lr": 0.01, "stateDType": .text("bfloat16")] : (richOptions[name] ?? [:])
    let straightParameters = makeParameters(Self.shapes, as: Float.self)
    let straight = try catalogOptimizer(name, straightParameters, options)
    runSteps(straight, straightParameters, count: 6)

    let firstParameters = makeParameters(Self.shapes, as: Float.self)
    let first = try catalogOptimizer(name, firstParameters, options)
    runSteps(first, firstParameters, count: 3)
    let resumedParameters = cloned(firstParameters)
    let resumed = try catalogOptimizer(name, resumedParameters, options)
    try resumed.loadStateDict(first.stateDict())
    #expect(resumed.stateDict() == first.stateDict())
    runSteps(resumed, resumedParameters, from: 3, count: 3)
    for (a, b) in zip(resumedParameters, straightParameters) {
      #expect(a.value.scalars == b.value.scalars)
    }
    #expect(resumed.stateDict() == straight.stateDict())
  }

  @Test func eightBitStateSurvivesACheckpointFile() throws {
    let folder = try checkpointFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("run.safetensors")
    func run() throws -> (
      [Parameter<Float>], any TrainingOptimizer<Float>, TrainingCheckpoint<Float>
    ) {
      let parameters = makeParameters(Self.shapes, as: Float.self)
      let optimizer = try OptimizerCatalog.make("AdamW8bit", parameters: parameters)
      let checkpoint = try TrainingCheckpoint(
        namedParameters: parameters.enumerated().map { ("p\($0)", $1) }, optimizer: optimizer)
      return (parameters, optimizer, checkpoint)
    }
    let (parameters, optimizer, checkpoint) = try run()
    runSteps(optimizer, parameters, count: 3)
    try checkpoint.save(to: file)
    let (loadedParameters, loaded, loadedCheckpoint) = try run()
    _ = try loadedCheckpoint.load(from: file)
    #expect(loaded.stateDict() == optimizer.stateDict())
    runSteps(optimizer, parameters, from: 3, count: 2)
    runSteps(loaded, loadedParameters, from: 3, count: 2)
    for (a, b) in zip(loadedParameters, parameters) {
      #expect(a.value.scalars == b.value.scalars)
    }
  }

  /// Issue 15: a state dict (or checkpoint) without a buffer the optimizer needs is refused,
  /// naming the parameter and the buffer, instead of training to inf.
  @Test(arguments: [
    ("Adam", "exp_avg_sq"), ("Adam8bit", "absmax2"), ("Adam8bit", "qmap1"), ("SGD8bit", "state1"),
    ("NAdam", "exp_avg"),
  ])
  func missingBufferIsRefusedByName(_ name: String, _ buffer: String) throws {
    let parameters = makeParameters(Self.shapes, as: Float.self)
    let optimizer = try catalogOptimizer(name, parameters)
    runSteps(optimizer, parameters, count: 2)
    var dict = optimizer.stateDict()
    dict.state[0]?.buffers[buffer] = nil
    dict.state[0]?.bufferOrder.removeAll { $0 == buffer }
    let before = optimizer.stateDict()
    do {
      try optimizer.loadStateDict(dict)
      Issue.record("a state dict without \(buffer) loaded")
    } catch let OptimizerError.stateDictMismatch(_, reason) {
      #expect(reason.contains("parameter 0") && reason.contains("'\(buffer)' is missing"))
    }
    #expect(optimizer.stateDict() == before)
  }

  @Test func missingScalarIsRefusedByName() throws {
    let parameters = makeParameters(Self.shapes, as: Double.self)
    let optimizer = try NAdam(parameters)
    runSteps(optimizer, parameters, count: 1)
    var dict = optimizer.stateDict()
    dict.state[1]?.scalars["mu_product"] = nil
    #expect(throws: OptimizerError.self) { try optimizer.loadStateDict(dict) }
    do {
      try optimizer.loadStateDict(dict)
    } catch {
      #expect("\(error)".contains("parameter 1: scalar 'mu_product' is missing"))
    }
  }

  @Test func corruptEightBitStateIsRefused() throws {
    let parameters = makeParameters(Self.shapes, as: Float.self)
    let optimizer = try Lion8bit(parameters)
    runSteps(optimizer, parameters, count: 1)
    for (buffer, value) in [("state1", 256.0), ("absmax1", -1), ("qmap1", 0.5)] {
      var dict = optimizer.stateDict()
      dict.state[0]?.buffers[buffer]?[0] = value
      #expect(throws: OptimizerError.self) { try optimizer.loadStateDict(dict) }
    }
  }

  @Test func hostileHyperparametersAreRefused() {
    let parameters = makeParameters(Self.shapes, as: Float.self)
    for (name, options) in [
      ("Adam8bit", ["lr": HyperparameterValue.number(.nan)]),
      ("Adam8bit", ["lr": .number(.infinity)]),
      ("AdamW8bit", ["betas": .pair(0.9, 1)]),
      ("Lion8bit", ["weightDecay": .number(-1)]),
      ("SGD8bit", ["momentum": .number(0)]),
      ("SGD8bit", ["nesterov": .flag(true)]),
      ("Adam", ["stateDType": .text("float16")]),
      ("Adam", ["stateDType": .number(16)]),
      ("Adam", ["eps": .number(-.infinity)]),
    ] {
      #expect(throws: OptimizerError.self, "\(name) \(options)") {
        _ = try catalogOptimizer(name, parameters, options)
      }
    }
  }

  @Test func eightBitOptimizersPrintTheirHyperparameters() throws {
    let parameters = makeParameters(Self.shapes, as: Float.self)
    #expect(
      try Adam8bit(parameters).description == """
        Adam8bit (
        Parameter Group 0
            betas: (0.9, 0.999)
            eps: 1e-08
            lr: 0.001
            weightDecay: 0.0
        )
        """)
    #expect(try AdamW8bit(parameters).description.contains("    weightDecay: 0.01\n"))
    #expect(try SGD8bit(parameters, lr: 0.01).description.contains("    momentum: 0.9\n"))
    #expect(try Lion8bit(parameters).description.contains("    lr: 0.0001\n"))
  }

  @Test func registryNamesEveryOptimizerOnce() {
    let names = OptimizerCatalog.entries.map { $0.name.lowercased() }
    let aliases = OptimizerCatalog.entries.flatMap(\.aliases)
    #expect(Set(names + aliases).count == names.count + aliases.count)
    #expect(OptimizerCatalog.entry(named: "adam8bit")?.name == "Adam8bit")
    #expect(OptimizerCatalog.entry(named: "adamw-8bit")?.name == "AdamW8bit")
    #expect(OptimizerCatalog.entry(named: "Muon")?.takesAnyShape == false)
    #expect(OptimizerCatalog.entry(named: "LBFGS")?.isElementwise == false)
    #expect(OptimizerCatalog.entry(named: "Lion8bit")?.keepsBlockwiseState == true)
    #expect(OptimizerCatalog.entry(named: "Lion")?.keepsBlockwiseState == false)
    for entry in OptimizerCatalog.entries {
      #expect(UpdateRules.rule(for: entry.name) != nil, "\(entry.name) has no update rule")
    }
  }

  @Test func declaredFieldsRoundTripAndNameTorchSpellings() throws {
    let fields = AdamHyperparameters.fields
    #expect(fields.map(\.torchName).contains("decoupled_weight_decay"))
    var settings = AdamHyperparameters()
    settings.stateDType = .bfloat16
    settings.lr = 0.5
    #expect(try AdamHyperparameters(entries: settings.entries) == settings)
    #expect(
      try MuonHyperparameters(entries: MuonHyperparameters().entries) == MuonHyperparameters())
    let muon = try Muon([Parameter(Tensor<Float>(zeros: [2, 3]))], nsSteps: 4)
    #expect(muon.description.contains("    nsSteps: 4\n"))
  }
}
