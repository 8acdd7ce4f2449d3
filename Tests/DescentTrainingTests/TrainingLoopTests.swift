import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Foundation
import Testing

/// The library's training loop, driven from Swift as a user would: a plan with a scheduler, an
/// average, clipping and accumulation; interrupted and resumed runs equal uninterrupted ones.
@Suite struct TrainingLoopTests {
  static func data() throws -> (train: Dataset<Float>, test: Dataset<Float>) {
    let digits: Dataset<Float> = try Digits.load()
    return digits.subset(Array(0..<400)).split(testFraction: 0.25, seed: 1)
  }

  /// A loop of the digits MLP with Adam under `plan`, run to its end; returns the final weights
  /// and the epoch reports.
  static func run(_ plan: TrainingPlan) throws -> (weights: [[Float]], reports: [EpochReport]) {
    let (train, test) = try data()
    let model = DigitsMLP.make(hidden: 12, seed: 4, as: Float.self)
    let trainer = Trainer(
      model: model, optimizer: try Adam(model.parameters(), lr: 0.01),
      loader: try BatchLoader(train, batchSize: 16, seed: 2))
    let loop = try TrainingLoop(trainer: trainer, plan: plan)
    var reports: [EpochReport] = []
    try loop.run(test: test) { reports.append($0) }
    return (model.parameters().map(\.value.scalars), reports)
  }

  static func file(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent(
      "descent-loop-\(ProcessInfo.processInfo.processIdentifier)-\(name).safetensors")
  }

  static func plan(epochs: Int, steps: Int? = nil) -> TrainingPlan {
    var plan = TrainingPlan(epochs: epochs)
    plan.steps = steps
    plan.scheduler = .init(
      name: "StepLR", options: ["step_size": .number(1), "gamma": .number(0.7)])
    plan.averaging = .exponential(decay: 0.9)
    plan.clipNorm = 2
    plan.accumulate = 2
    return plan
  }

  @Test func aRunStoppedAfterAnEpochAndResumedEqualsOneRun() throws {
    let whole = try Self.run(Self.plan(epochs: 3))
    #expect(whole.reports.map(\.epoch) == [1, 2, 3])
    let checkpoint = Self.file("epoch")
    defer { try? FileManager.default.removeItem(at: checkpoint) }
    var first = Self.plan(epochs: 2)
    first.checkpoint = checkpoint
    _ = try Self.run(first)
    var rest = Self.plan(epochs: 3)
    rest.resume = checkpoint
    let resumed = try Self.run(rest)
    #expect(resumed.reports.map(\.epoch) == [3])
    #expect(resumed.weights == whole.weights)
    #expect(resumed.reports.last?.test == whole.reports.last?.test)
  }

  /// `steps` can stop inside an epoch; resuming continues with the rest of that epoch's batches.
  @Test func aRunStoppedInsideAnEpochResumesThere() throws {
    // 300 training samples: 19 batches of 16, accumulated in pairs: 10 steps an epoch.
    let stepsPerEpoch = 10
    let whole = try Self.run(Self.plan(epochs: 2))
    let checkpoint = Self.file("step")
    defer { try? FileManager.default.removeItem(at: checkpoint) }
    var first = Self.plan(epochs: 2, steps: stepsPerEpoch + 3)
    first.checkpoint = checkpoint
    let stopped = try Self.run(first)
    #expect(stopped.reports.map(\.epoch) == [1, 2], "the partial epoch reports too")
    var rest = Self.plan(epochs: 2)
    rest.resume = checkpoint
    let resumed = try Self.run(rest)
    #expect(resumed.weights == whole.weights)
  }

  /// Resuming with other hyperparameters than the checkpoint's says which value wins.
  @Test func resumingSaysWhichHyperparametersTheCheckpointReplaced() throws {
    let (train, _) = try Self.data()
    let checkpoint = Self.file("notes")
    defer { try? FileManager.default.removeItem(at: checkpoint) }
    func loop(lr: Double, momentum: Double, resume: Bool) throws -> TrainingLoop<Float> {
      let model = DigitsMLP.make(hidden: 6, seed: 1, as: Float.self)
      let trainer = Trainer(
        model: model, optimizer: try SGD(model.parameters(), lr: lr, momentum: momentum),
        loader: try BatchLoader(train, batchSize: 50, seed: 0))
      var plan = TrainingPlan(epochs: 2)
      if resume { plan.resume = checkpoint } else { plan.checkpoint = checkpoint }
      return try TrainingLoop(trainer: trainer, plan: plan)
    }
    let first = try loop(lr: 0.05, momentum: 0.9, resume: false)
    try first.runEpoch(testLoss: { 0 })
    #expect(try loop(lr: 0.05, momentum: 0.9, resume: true).resumeNotes.isEmpty)
    #expect(
      try loop(lr: 0.01, momentum: 0.9, resume: true).resumeNotes == [
        "lr: 0.05 from the checkpoint replaces 0.01"
      ])
  }

  /// A checkpoint holding a schedule and an average is not resumed by a run that would drop them.
  @Test func resumingWithoutTheCheckpointsScheduleOrAverageIsRefused() throws {
    let checkpoint = Self.file("companions")
    defer { try? FileManager.default.removeItem(at: checkpoint) }
    var first = Self.plan(epochs: 1)
    first.checkpoint = checkpoint
    _ = try Self.run(first)
    var bare = TrainingPlan(epochs: 2)
    bare.resume = checkpoint
    #expect {
      try Self.run(bare)
    } throws: { "\($0)".contains("it holds a StepLR scheduler and an exponential average") }
    var same = Self.plan(epochs: 2)
    same.resume = checkpoint
    #expect(try Self.run(same).reports.map(\.epoch) == [2])
  }

  /// A checkpoint records the data seed; resuming it with another seed is refused (the split and
  /// the batches would differ), with the same seed it goes on.
  @Test func resumingWithAnotherSeedIsRefused() throws {
    let checkpoint = Self.file("seed")
    defer { try? FileManager.default.removeItem(at: checkpoint) }
    var first = TrainingPlan(epochs: 1)
    first.seed = 7
    first.checkpoint = checkpoint
    _ = try Self.run(first)
    var other = TrainingPlan(epochs: 2)
    other.seed = 8
    other.resume = checkpoint
    #expect {
      try Self.run(other)
    } throws: { "\($0)".contains("written by a run with seed 7, this one has 8") }
    other.seed = 7
    #expect(try Self.run(other).reports.map(\.epoch) == [2])
  }

  /// A plan the optimizer cannot honour is refused before training.
  @Test func invalidPlansAreRefused() throws {
    var clipped = TrainingPlan(epochs: 1)
    clipped.clipNorm = -1
    #expect(throws: TrainingError.self) { try Self.run(clipped) }
    var short = TrainingPlan(epochs: 2)
    short.scheduler = .init(
      name: "OneCycleLR", options: ["max_lr": .number(0.1), "total_steps": .number(3)])
    #expect(throws: SchedulerError.self) { try Self.run(short) }
  }
}

/// Regression through the same loop: a ReLU MLP learns a noise-free linear function of three
/// inputs to a small fraction of the targets' variance, on data it has not seen.
@Suite struct RegressionTrainingTests {
  @Test func anMLPLearnsALinearFunction() throws {
    var generator = SeededGenerator(seed: 5)
    let inputs = Tensor<Float>(uniform: [400, 3], low: -1, high: 1, generator: &generator)
    let x = inputs.scalars
    let y: [Float] = (0..<400).map { row in
      let (a, b, c) = (x[3 * row], x[3 * row + 1], x[3 * row + 2])
      return 2 * a - 3 * b + 0.5 * c + 1
    }
    let data = try Dataset<Float>(features: inputs, targets: Tensor(shape: [400, 1], scalars: y))
    let (train, test) = data.split(testFraction: 0.25, seed: 0)
    let model = DigitsMLP.make(inputs: 3, hiddenLayers: [32], classes: 1, seed: 0, as: Float.self)
    let trainer = Trainer(
      model: model, optimizer: try Adam(model.parameters(), lr: 0.01),
      loader: try BatchLoader(train, batchSize: 32, seed: 0))
    let before = trainer.evaluate(test).loss
    let loop = try TrainingLoop(trainer: trainer, plan: TrainingPlan(epochs: 40))
    var last = before
    try loop.run(test: test) { last = $0.test.loss }
    // The targets' variance is 4 + 9 + 0.25 over 3 (uniform inputs): about 4.4.
    #expect(before > 1)
    #expect(last < 0.01, "test mean squared error \(last)")
    #expect(trainer.evaluate(test).accuracy == 0)
  }
}
