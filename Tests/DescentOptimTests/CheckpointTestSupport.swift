import DescentNN
import DescentOptim
import Foundation

/// What the checkpoint tests drive: any optimizer that steps, schedules and checkpoints.
protocol ResumableOptimizer: CheckpointableOptimizer, ScheduledOptimizer {
  func step()
  func zeroGrad(setToNil: Bool)
}

extension Optimizer: ResumableOptimizer {}

/// Two layers, so that names are dotted and there are several parameters.
final class CheckpointNet: Module {
  let fc1: Linear<Double>
  let fc2: Linear<Double>

  init(seed: UInt64, hidden: Int = 5) {
    var generator = SeededGenerator(seed: seed)
    fc1 = Linear(3, hidden, generator: &generator)
    fc2 = Linear(hidden, 2, generator: &generator)
  }

  func forward(_ input: Tensor<Double>) -> Tensor<Double> { fc2(fc1(input).relu()) }
}

/// A named optimizer factory over a parameter list.
struct OptimizerCase: CustomStringConvertible, Sendable {
  let description: String
  let make: @Sendable ([Parameter<Double>]) throws -> any ResumableOptimizer
}

/// Every optimizer Descent provides (LBFGS aside: its state is not an `OptimizerStateDict`),
/// with options that exercise their state.
let everyOptimizer: [OptimizerCase] = [
  OptimizerCase(description: "SGD") { try SGD($0, lr: 0.05) },
  OptimizerCase(description: "SGD nesterov") {
    try SGD($0, lr: 0.05, momentum: 0.9, weightDecay: 0.01, nesterov: true)
  },
  OptimizerCase(description: "Adagrad") { try Adagrad($0, lr: 0.1, lrDecay: 0.01) },
  OptimizerCase(description: "RMSprop") {
    try RMSprop($0, lr: 0.01, momentum: 0.9, centered: true)
  },
  OptimizerCase(description: "Adam") { try Adam($0, lr: 0.01) },
  OptimizerCase(description: "Adam amsgrad") { try Adam($0, lr: 0.01, amsgrad: true) },
  OptimizerCase(description: "AdamW") { try AdamW($0, lr: 0.01) },
  OptimizerCase(description: "Adadelta") { try Adadelta($0) },
  OptimizerCase(description: "Adamax") { try Adamax($0) },
  OptimizerCase(description: "NAdam") { try NAdam($0) },
  OptimizerCase(description: "RAdam") { try RAdam($0) },
  OptimizerCase(description: "ASGD") { try ASGD($0, lr: 0.05, t0: 3) },
  OptimizerCase(description: "Rprop") { try Rprop($0) },
  OptimizerCase(description: "Adafactor") { try Adafactor($0, weightDecay: 0.01) },
]

/// Every optimizer the catalog builds by name (what the command line offers), with its defaults
/// (but Muon, which cannot take the net's biases).
let everyCatalogOptimizer: [OptimizerCase] = anyShapeOptimizerNames.map { name in
  OptimizerCase(description: "catalog \(name)") { parameters in
    let optimizer = try OptimizerCatalog.make(
      name, groups: [ParameterGroup(parameters)], options: [:])
    guard let resumable = optimizer as? any ResumableOptimizer else {
      throw CheckpointError.missingPart("checkpoint support in \(name)")
    }
    return resumable
  }
}

/// One training run: a model, an optimizer, a scheduler, an EMA, and the data generator.
struct CheckpointRun {
  let model: CheckpointNet
  let optimizer: any ResumableOptimizer
  let scheduler: any EpochLRScheduler
  let ema: AveragedModel<Double>
  var data: SeededGenerator

  init(_ optimizerCase: OptimizerCase, modelSeed: UInt64) throws {
    model = CheckpointNet(seed: modelSeed)
    optimizer = try optimizerCase.make(model.parameters())
    scheduler = try CosineAnnealingLR(optimizer, tMax: 7, etaMin: 0.001)
    ema = AveragedModel(
      model, rule: try .exponential(decay: 0.9, warmup: .inverseGamma(gamma: 2, power: 0.5)))
    data = SeededGenerator(seed: 99)
  }

  var checkpoint: TrainingCheckpoint<Double> {
    TrainingCheckpoint(model: model, optimizer: optimizer, scheduler: scheduler, averaging: ema)
  }

  /// One step on a fresh random batch.
  mutating func step() {
    let inputs = Tensor<Double>(normal: [4, 3], generator: &data)
    let labels = (0..<4).map { _ in Int(data.next() % 2) }
    crossEntropy(logits: model(inputs), labels: labels).backward()
    optimizer.step()
    optimizer.zeroGrad(setToNil: true)
    scheduler.step()
    ema.updateParameters()
  }

  /// Every number of the run's state, for exact comparison (weights bit for bit).
  var snapshot: RunSnapshot {
    RunSnapshot(
      weights: model.parameters().map { $0.value.scalars.map(\.bitPattern) },
      averages: ema.averages.map { $0.scalars.map(\.bitPattern) }, optimizer: optimizer.stateDict(),
      scheduler: scheduler.stateDict(), nAveraged: ema.nAveraged, data: data)
  }
}

/// A run's state, compared exactly.
struct RunSnapshot: Equatable {
  let weights: [[UInt64]]
  let averages: [[UInt64]]
  let optimizer: OptimizerStateDict
  let scheduler: SchedulerState
  let nAveraged: Int
  let data: SeededGenerator
}

/// A fresh empty folder for one test.
func checkpointFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent(
    "descent-checkpoint-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}
