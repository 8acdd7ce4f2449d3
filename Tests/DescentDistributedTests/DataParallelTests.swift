import DescentData
import DescentNN
import DescentOptim
import DescentTensor
import DescentTraining
import Foundation
import Testing

/// 2 ranks × batch 16 against 1 process × batch 32 on the digits MLP, launched with mpirun.
@Suite(.serialized) struct DataParallelTests {
  /// An optimizer as the tests run it: its CLI arguments and the same options in code.
  struct Setting: CustomTestStringConvertible, Sendable {
    var name: String
    var lr: Double
    var momentum: Double?
    var testDescription: String { name }
    var arguments: [String] {
      ["--optimizer", name, "--lr", "\(lr)"] + (momentum.map { ["--momentum", "\($0)"] } ?? [])
    }
    var options: [String: HyperparameterValue] {
      var options: [String: HyperparameterValue] = ["lr": .number(lr)]
      if let momentum { options["momentum"] = .number(momentum) }
      return options
    }
  }

  static let settings = [
    Setting(name: "SGD", lr: 0.05, momentum: 0.9), Setting(name: "Adam", lr: 0.001),
    Setting(name: "Adagrad", lr: 0.05),
  ]

  static func trainingSet() throws -> Dataset<Float> {
    try Digits.load(as: Float.self).split(testFraction: 0.2, seed: 0).train
  }

  /// One process, batch 32, `steps` steps from `start` (or from the seed's initial model),
  /// written independently of DescentDistributed: the general autograd batch and the
  /// optimizer's step.
  static func reference(
    _ setting: Setting, steps: Range<Int>, from checkpoint: URL? = nil
  ) throws -> (model: Sequential<Float>, optimizer: any TrainingOptimizer<Float>) {
    let train = try trainingSet()
    let model = DigitsMLP.make(seed: 0, as: Float.self)
    let optimizer = try OptimizerCatalog.make(
      setting.name, parameters: model.parameters(), options: setting.options)
    if let checkpoint {
      let progress = try TrainingCheckpoint(
        model: model, optimizer: optimizer
      ).load(from: checkpoint)
      #expect(progress.step == steps.lowerBound)
    }
    let batches = try BatchLoader(train, batchSize: 32, seed: 0).batchIndices(epoch: 0)
    for rows in batches[steps] {
      optimizer.step {
        optimizer.zeroGrad(setToNil: true)
        return ClassifierBatch.lossAndGradient(
          model: model, features: train.features, rows: rows,
          labels: rows.map { train.labels[$0] }
        ).loss
      }
    }
    return (model, optimizer)
  }

  /// The parameters saved in `checkpoint`.
  static func parameters(in checkpoint: URL) throws -> [Tensor<Float>] {
    let model = DigitsMLP.make(seed: 99, as: Float.self)
    try TrainingCheckpoint(model: model).load(from: checkpoint)
    return model.parameters().map(\.value)
  }

  /// max |a − b| / max |b| over all elements.
  static func relativeDifference(_ a: [Tensor<Float>], _ b: [Tensor<Float>]) -> Double {
    var difference = 0.0
    var scale = 0.0
    for (x, y) in zip(a, b) {
      #expect(x.shape == y.shape)
      for (u, v) in zip(x.scalars, y.scalars) {
        difference = max(difference, Double(abs(u - v)))
        scale = max(scale, Double(abs(v)))
      }
    }
    return difference / scale
  }

  static func temporaryFile(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent(
      "descent-mpi-\(ProcessInfo.processInfo.processIdentifier)-\(name).safetensors")
  }

  /// The per-rank optimizer-state sizes a run printed.
  static func stateCounts(_ output: String) -> [Int] {
    guard
      let line = output.split(separator: "\n").first(where: {
        $0.hasPrefix("optimizer state elements per rank:")
      })
    else { return [] }
    return line.split(separator: ":")[1].split(separator: " ").compactMap { Int($0) }
  }

  @Test(arguments: settings, [false, true])
  func twoRanksOfSixteenFollowOneProcessOfThirtyTwo(setting: Setting, zero: Bool) throws {
    let file = Self.temporaryFile("\(setting.name)-\(zero)")
    defer { try? FileManager.default.removeItem(at: file) }
    let run = try MPILauncher.descent(
      ranks: 2,
      ["train", "--distributed", "--batch-size", "32", "--steps", "20", "--checkpoint", file.path]
        + (zero ? ["--zero"] : []) + setting.arguments)
    try #require(run.status == 0, "\(run.output)")
    let reference = try Self.reference(setting, steps: 0..<20)
    let distributed = try Self.parameters(in: file)
    let initial = DigitsMLP.make(seed: 0, as: Float.self).parameters().map(\.value)
    #expect(Self.relativeDifference(distributed, initial) > 1e-3, "the run trained")
    #expect(Self.relativeDifference(distributed, reference.model.parameters().map(\.value)) < 1e-5)
    // ZeRO-1 holds half of the state on each rank; without it each rank holds all of it.
    let whole = ShardedOptimizerStateCount.of(reference.optimizer)
    #expect(whole > 0)
    #expect(Self.stateCounts(run.output) == (zero ? [whole / 2, whole / 2] : [whole, whole]))
  }

  @Test func aCheckpointWrittenByTwoShardedRanksResumesInOneProcessExactly() throws {
    let adam = Self.settings[1]
    let (half, whole, resumed) = (
      Self.temporaryFile("half"), Self.temporaryFile("whole"), Self.temporaryFile("resumed")
    )
    defer { for file in [half, whole, resumed] { try? FileManager.default.removeItem(at: file) } }
    let common = ["train", "--distributed", "--zero", "--batch-size", "32"] + adam.arguments
    for (steps, file) in [(10, half), (20, whole)] {
      let run = try MPILauncher.descent(
        ranks: 2, common + ["--steps", "\(steps)", "--checkpoint", file.path])
      try #require(run.status == 0, "\(run.output)")
    }
    // A plain single process (no MPI) loads the sharded ranks' checkpoint and continues.
    let continued = try Self.reference(adam, steps: 10..<20, from: half)
    let continuedValues = continued.model.parameters().map(\.value)
    #expect(Self.relativeDifference(continuedValues, try Self.parameters(in: whole)) < 1e-5)
    // One rank of descent resuming it does exactly what the plain process does.
    let run = try MPILauncher.descent(
      ranks: 1,
      common + ["--steps", "20", "--resume", half.path, "--checkpoint", resumed.path])
    try #require(run.status == 0, "\(run.output)")
    #expect(try Self.parameters(in: resumed) == continuedValues)
    // And two sharded ranks resume a checkpoint written by a plain single process.
    let plain = Self.temporaryFile("plain")
    defer { try? FileManager.default.removeItem(at: plain) }
    let first = try Self.reference(adam, steps: 0..<10)
    try TrainingCheckpoint(model: first.model, optimizer: first.optimizer).save(
      to: plain, progress: TrainingProgress(epoch: 0, step: 10))
    let again = try MPILauncher.descent(
      ranks: 2, common + ["--steps", "20", "--resume", plain.path, "--checkpoint", resumed.path])
    try #require(again.status == 0, "\(again.output)")
    #expect(Self.relativeDifference(try Self.parameters(in: resumed), continuedValues) < 1e-5)
  }

  @Test func ranksThatDisagreeOnTheOptimizerFailOnEveryRank() throws {
    let run = try MPILauncher.descent(
      rank0: ["train", "--distributed", "--steps", "2", "--optimizer", "Adam"],
      rank1: ["train", "--distributed", "--steps", "2", "--optimizer", "SGD"])
    #expect(run.status != 0)
    let message = "disagrees with rank 0 on the optimizer and its hyperparameters"
    #expect(run.output.components(separatedBy: message).count - 1 == 2, "\(run.output)")
  }

  @Test func aBatchTheRanksDoNotDivideFailsOnEveryRank() throws {
    let run = try MPILauncher.descent(
      ranks: 2, ["train", "--distributed", "--steps", "2", "--batch-size", "31"])
    #expect(run.status != 0)
    #expect(run.output.components(separatedBy: "not divisible by the 2 ranks").count - 1 == 2)
  }

  @Test(arguments: [2, 3])
  func everyCollectiveSumsGathersAndBroadcastsAcrossRanks(ranks: Int) throws {
    let run = try MPILauncher.run(
      try MPILauncher.mpirun(),
      [
        "--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)",
        try MPILauncher.binary("descent-mpi-check").path,
      ])
    #expect(run.status == 0, "\(run.output)")
    #expect(run.output.contains("ok collectives over \(ranks) ranks"), "\(run.output)")
  }

  @Test func distributedOutsideMPIRunSaysHowToLaunch() throws {
    let run = try MPILauncher.run(try MPILauncher.descent(), ["train", "--distributed"])
    #expect(run.status != 0)
    #expect(run.output.contains("launch it with mpirun"))
  }
}

/// The element count of an optimizer's state buffers.
enum ShardedOptimizerStateCount {
  static func of(_ optimizer: any TrainingOptimizer<Float>) -> Int {
    optimizer.stateDict().state.values.reduce(0) {
      $0 + $1.buffers.values.reduce(0) { $0 + $1.count }
    }
  }
}
