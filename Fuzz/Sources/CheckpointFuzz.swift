import DescentNN
@_spi(Fuzzing) import DescentOptim
import Foundation

/// Fuzzes the safetensors reader and checkpoint loading: a file is parsed with its checksums
/// checked, then loaded without them (so the mutations reach the manifest, the optimizer's,
/// scheduler's and averaging's states) into a live run built for it, which then trains two
/// steps; a model state file is loaded into a model.
enum CheckpointFuzz {
  /// Runs `bytes` as a checkpoint and as a model state file.
  static func run(_ bytes: [UInt8]) {
    _ = CheckpointFuzzing.parses(bytes)
    _ = try? ModelStateFile.load(
      into: FuzzRun.model(), bytes: bytes, path: "fuzz", verifyingChecksums: false)
    guard let parts = CheckpointFuzzing.parts(of: bytes),
      let run = try? FuzzRun(
        optimizer: parts.optimizer ?? "SGD", scheduler: parts.scheduler,
        averaging: parts.averaging)
    else { return }
    guard
      (try? run.checkpoint.load(bytes: bytes, path: "fuzz", verifyingChecksums: false)) != nil
    else { return }
    run.train(steps: 2)
  }

  /// Writes checkpoints of several optimizers, schedulers and averages, and a model state file,
  /// each after three steps, into `folder`.
  static func writeSeeds(in folder: URL) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let runs: [(String, String?, String?)] = [
      ("Adam", "CosineAnnealingLR", "exponential"), ("SGD", "StepLR", nil),
      ("Adam", "OneCycleLR", "runningMean"), ("Adafactor", "ExponentialLR", nil),
      ("RMSprop", "ReduceLROnPlateau", nil),
      ("ASGD", "CyclicLR", nil), ("Rprop", nil, "exponential"),
    ]
    for (optimizer, scheduler, averaging) in runs {
      let run = try FuzzRun(optimizer: optimizer, scheduler: scheduler, averaging: averaging)
      run.train(steps: 3)
      let name = [optimizer, scheduler, averaging].compactMap { $0 }.joined(separator: "-")
      try run.checkpoint.save(
        to: folder.appendingPathComponent("\(name).safetensors"),
        progress: TrainingProgress(epoch: 1, step: 3))
    }
    try ModelStateFile.save(
      FuzzRun.model(), to: folder.appendingPathComponent("model-state.safetensors"))
  }
}

/// A small run whose parts have the kinds a checkpoint's manifest names.
private struct FuzzRun {
  let model: Sequential<Double>
  let optimizer: any TrainingOptimizer<Double>
  let scheduler: (any LRScheduler)?
  let averaging: AveragedModel<Double>?

  /// The options a scheduler of each kind is built with.
  static let schedulerOptions: [String: [String: JSONValue]] = [
    "StepLR": ["step_size": .number(2)], "CosineAnnealingLR": ["T_max": .number(5)],
    "OneCycleLR": ["max_lr": .number(0.1), "total_steps": .number(50)],
    "CyclicLR": ["base_lr": .number(0.01), "max_lr": .number(0.1), "cycle_momentum": .bool(false)],
    "ReduceLROnPlateau": [:], "ExponentialLR": ["gamma": .number(0.9)],
    "MultiStepLR": ["milestones": .array([.number(2), .number(4)])], "LinearLR": [:],
    "ConstantLR": [:], "PolynomialLR": [:], "CosineAnnealingWarmRestarts": ["T_0": .number(3)],
  ]

  /// A 3-4-2 perceptron with fixed weights.
  static func model() -> Sequential<Double> {
    var generator = SeededGenerator(seed: 3)
    return Sequential([
      Linear<Double>(3, 4, generator: &generator), ReLU<Double>(),
      Linear<Double>(4, 2, generator: &generator),
    ])
  }

  /// A run of the named optimizer (with its defaults), scheduler and averaging rule.
  init(optimizer name: String, scheduler kind: String?, averaging rule: String?) throws {
    model = Self.model()
    optimizer = try OptimizerCatalog.make(name, parameters: model.parameters())
    if let kind {
      guard let options = Self.schedulerOptions[kind] else {
        throw CheckpointError.missingPart(kind)
      }
      scheduler = try makeLRScheduler(kind, options: options, optimizer: optimizer)
    } else {
      scheduler = nil
    }
    switch rule {
    case nil: averaging = nil
    case "exponential": averaging = AveragedModel(model, rule: try .exponential(decay: 0.9))
    default: averaging = AveragedModel(model)
    }
  }

  var checkpoint: TrainingCheckpoint<Double> {
    TrainingCheckpoint(
      model: model, optimizer: optimizer, scheduler: scheduler, averaging: averaging)
  }

  /// `steps` optimizer steps on fixed data, each followed by a scheduler step and an update of
  /// the average.
  func train(steps: Int) {
    var generator = SeededGenerator(seed: 5)
    let input = Tensor<Double>(normal: [4, 3], generator: &generator)
    for step in 0..<steps {
      optimizer.step {
        optimizer.zeroGrad(setToNil: true)
        let loss = crossEntropy(logits: model(input), labels: [0, 1, 1, 0])
        loss.backward()
        return loss.item
      }
      if let plateau = scheduler as? ReduceLROnPlateau {
        plateau.step(metric: Double(step))
      } else if let stepped = scheduler as? any EpochLRScheduler {
        guard (try? stepped.checkedStep()) != nil else { return }
      }
      averaging?.updateParameters()
    }
  }
}
