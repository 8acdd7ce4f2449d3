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
    _ setting: Setting, steps: Range<Int>, batchSize: Int = 32, from checkpoint: URL? = nil
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
    let batches = try BatchLoader(train, batchSize: batchSize, seed: 0).batchIndices(epoch: 0)
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
    counts(output, "optimizer state elements per rank:")
  }

  @Test(arguments: settings, [0, 1, 2])
  func twoRanksOfSixteenFollowOneProcessOfThirtyTwo(setting: Setting, zero: Int) throws {
    let file = Self.temporaryFile("\(setting.name)-\(zero)")
    defer { try? FileManager.default.removeItem(at: file) }
    let run = try MPILauncher.descent(
      ranks: 2,
      ["train", "--distributed", "--batch-size", "32", "--steps", "20", "--checkpoint", file.path]
        + (zero > 0 ? ["--zero", "\(zero)"] : []) + setting.arguments)
    try #require(run.status == 0, "\(run.output)")
    let reference = try Self.reference(setting, steps: 0..<20)
    let distributed = try Self.parameters(in: file)
    let initial = DigitsMLP.make(seed: 0, as: Float.self).parameters().map(\.value)
    #expect(Self.relativeDifference(distributed, initial) > 1e-3, "the run trained")
    #expect(Self.relativeDifference(distributed, reference.model.parameters().map(\.value)) < 1e-5)
    // ZeRO holds half of the state on each rank; without it each rank holds all of it. ZeRO-2
    // also keeps only half of the summed gradient (plus one bucket being reduced).
    let whole = ShardedOptimizerStateCount.of(reference.optimizer)
    let elements = reference.model.parameterCount
    #expect(whole > 0)
    #expect(Self.stateCounts(run.output) == (zero > 0 ? [whole / 2, whole / 2] : [whole, whole]))
    let gradients = [2 * elements, 2 * elements + elements / 2, elements + elements / 2][zero]
    #expect(Self.counts(run.output, "gradient elements per rank:") == [gradients, gradients])
  }

  /// Every option of `descent train` under --distributed: two ranks follow one process.
  @Test(arguments: [
    ["--scheduler", "StepLR", "--scheduler-option", "step_size=1", "--clip-norm", "0.5"],
    ["--accumulate", "3", "--ema", "0.9", "--zero", "2"],
    ["--swa", "--swa-start", "2", "--accumulate", "2", "--zero", "1"],
    ["--scheduler", "OneCycleLR", "--scheduler-option", "max_lr=0.01", "--clip-norm", "1"],
  ])
  func everyToolkitOptionWorksUnderDistributed(options: [String]) throws {
    let (single, double) = (Self.temporaryFile("single"), Self.temporaryFile("double"))
    defer { for file in [single, double] { try? FileManager.default.removeItem(at: file) } }
    let common = ["train", "--optimizer", "Adam", "--lr", "0.003", "--epochs", "3"]
    // One process takes the same options but the sharding.
    var local = options
    if let zero = local.firstIndex(of: "--zero") { local.removeSubrange(zero...(zero + 1)) }
    let one = try MPILauncher.run(
      try MPILauncher.descent(), common + local + ["--checkpoint", single.path])
    try #require(one.status == 0, "\(one.output)")
    let two = try MPILauncher.descent(
      ranks: 2, common + options + ["--distributed", "--checkpoint", double.path])
    try #require(two.status == 0, "\(two.output)")
    #expect(
      Self.relativeDifference(try Self.parameters(in: double), try Self.parameters(in: single))
        < 1e-5)
    // The printed epochs agree too (loss, accuracy, learning rate, averaged accuracy).
    let epochs = { (output: String) in
      output.split(separator: "\n").filter { $0.hasPrefix("epoch") }
    }
    #expect(epochs(one.output).count == 3)
    #expect(epochs(two.output).count == 3)
  }

  /// Regression from a CSV file: two ranks under ZeRO-1 follow one process.
  @Test func regressionOnACSVFileFollowsOneProcess() throws {
    let (data, single, double) = (
      Self.temporaryFile("regression").deletingPathExtension().appendingPathExtension("csv"),
      Self.temporaryFile("regression-single"), Self.temporaryFile("regression-double")
    )
    defer { for file in [data, single, double] { try? FileManager.default.removeItem(at: file) } }
    let rows = (0..<200).map { row -> String in
      let (a, b) = (Double(row % 17) / 17, Double(row % 5) / 5)
      return "\(a),\(b),\(3 * a - b + 0.25)"
    }
    try ("a,b,y\n" + rows.joined(separator: "\n")).write(
      to: data, atomically: true, encoding: .utf8)
    let common = [
      "train", "--data", data.path, "--task", "regression", "--hidden", "16,8", "--optimizer",
      "Adam", "--lr", "0.01", "--epochs", "2",
    ]
    let one = try MPILauncher.run(
      try MPILauncher.descent(), common + ["--checkpoint", single.path])
    try #require(one.status == 0, "\(one.output)")
    #expect(one.output.contains("final test mse"))
    let two = try MPILauncher.descent(
      ranks: 2, common + ["--distributed", "--zero", "1", "--checkpoint", double.path])
    try #require(two.status == 0, "\(two.output)")
    let model = DigitsMLP.make(
      inputs: 2, hiddenLayers: [16, 8], classes: 1, seed: 0, as: Float.self)
    func values(_ file: URL) throws -> [Tensor<Float>] {
      try TrainingCheckpoint(model: model).load(from: file)
      return model.parameters().map(\.value)
    }
    #expect(Self.relativeDifference(try values(double), try values(single)) < 1e-5)
  }

  /// The per-rank numbers a run printed after `label`.
  static func counts(_ output: String, _ label: String) -> [Int] {
    guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix(label) }) else {
      return []
    }
    return line.dropFirst(label.count).split(separator: " ").compactMap { Int($0) }
  }

  @Test func aCheckpointWrittenByTwoShardedRanksResumesInOneProcessExactly() throws {
    let adam = Self.settings[1]
    let (half, whole, resumed) = (
      Self.temporaryFile("half"), Self.temporaryFile("whole"), Self.temporaryFile("resumed")
    )
    defer { for file in [half, whole, resumed] { try? FileManager.default.removeItem(at: file) } }
    let common = ["train", "--distributed", "--zero", "2", "--batch-size", "32"] + adam.arguments
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

  /// Options that used to hang the job at full CPU when one rank differed now stop every rank
  /// with the option's name.
  @Test(arguments: [
    (["--epochs", "1"], ["--epochs", "2"], "--epochs and --steps"),
    (["--steps", "3"], ["--steps", "4"], "--epochs and --steps"),
    (
      ["--checkpoint", "/tmp/descent-a.safetensors"],
      ["--checkpoint", "/tmp/descent-b.safetensors"], "--checkpoint"
    ),
    (["--zero", "1"], ["--zero", "2"], "--zero"),
    (["--model", "mlp"], ["--model", "cnn"], "--model and its sizes"),
  ])
  func ranksThatDisagreeOnAnyOptionFailOnEveryRank(
    first: [String], second: [String], option: String
  ) throws {
    let common = ["train", "--distributed", "--epochs", "1"]
    let run = try MPILauncher.descent(rank0: common + first, rank1: common + second)
    #expect(run.status != 0)
    let message = "disagrees with rank 0 on \(option)"
    #expect(run.output.components(separatedBy: message).count - 1 == 2, "\(run.output)")
    #expect(!FileManager.default.fileExists(atPath: "/tmp/descent-a.safetensors"))
  }

  /// Ranks given checkpoints of the same name but different contents stop before training.
  @Test func ranksThatResumeFromDifferentFilesFailOnEveryRank() throws {
    let (a, b) = (Self.temporaryFile("resume-a"), Self.temporaryFile("resume-b"))
    defer { for file in [a, b] { try? FileManager.default.removeItem(at: file) } }
    for (steps, file) in [(2, a), (3, b)] {
      let run = try MPILauncher.run(
        try MPILauncher.descent(), ["train", "--steps", "\(steps)", "--checkpoint", file.path])
      try #require(run.status == 0, "\(run.output)")
    }
    let common = ["train", "--distributed", "--steps", "5"]
    let run = try MPILauncher.descent(
      rank0: common + ["--resume", a.path], rank1: common + ["--resume", b.path])
    #expect(run.status != 0)
    #expect(run.output.components(separatedBy: "on --resume").count - 1 == 2, "\(run.output)")
  }

  /// An epoch's last batch (or any batch) that the ranks cannot split evenly is weighted by
  /// each rank's share: 2 ranks of 16 and 15 follow one process of 31.
  @Test func aBatchTheRanksDoNotDivideFollowsOneProcess() throws {
    let file = Self.temporaryFile("odd")
    defer { try? FileManager.default.removeItem(at: file) }
    let adam = Self.settings[1]
    let run = try MPILauncher.descent(
      ranks: 2,
      ["train", "--distributed", "--steps", "12", "--batch-size", "31", "--checkpoint", file.path]
        + adam.arguments)
    try #require(run.status == 0, "\(run.output)")
    let reference = try Self.reference(adam, steps: 0..<12, batchSize: 31)
    #expect(
      Self.relativeDifference(
        try Self.parameters(in: file), reference.model.parameters().map(\.value))
        < 1e-5)
  }

  /// Synchronized batch normalization needs a sample of every batch on every rank: a batch (or
  /// an epoch's last) with fewer samples than ranks stops every rank with the reason, instead of
  /// some ranks skipping collectives the others call.
  @Test func aBatchTooSmallForSynchronizedBatchNormFailsOnEveryRank() throws {
    let run = try MPILauncher.descent(
      ranks: 3, ["train", "--distributed", "--model", "cnn", "--batch-size", "3", "--steps", "2"])
    #expect(run.status != 0)
    let message = "every batch needs at least 3 samples, one per rank; a batch has 1"
    #expect(run.output.components(separatedBy: message).count - 1 == 3, "\(run.output)")
  }

  /// A checkpoint written by 2 ranks under ZeRO-2 resumes on 3 ranks under ZeRO-1 exactly as one
  /// process continues it.
  @Test func aCheckpointOfTwoRanksResumesOnThree() throws {
    let adam = Self.settings[1]
    let (half, resumed) = (Self.temporaryFile("two"), Self.temporaryFile("three"))
    defer { for file in [half, resumed] { try? FileManager.default.removeItem(at: file) } }
    let common = ["train", "--distributed", "--batch-size", "30"] + adam.arguments
    let first = try MPILauncher.descent(
      ranks: 2, common + ["--zero", "2", "--steps", "10", "--checkpoint", half.path])
    try #require(first.status == 0, "\(first.output)")
    let second = try MPILauncher.descent(
      ranks: 3,
      common + [
        "--zero", "1", "--steps", "20", "--resume", half.path, "--checkpoint", resumed.path,
      ])
    try #require(second.status == 0, "\(second.output)")
    let continued = try Self.reference(adam, steps: 10..<20, batchSize: 30, from: half)
    #expect(
      Self.relativeDifference(
        try Self.parameters(in: resumed), continued.model.parameters().map(\.value)) < 1e-5)
  }

  @Test(arguments: [2, 3])
  func everyCollectiveAndTheGradientReducerWorkAcrossRanks(ranks: Int) throws {
    let run = try MPILauncher.run(
      try MPILauncher.mpirun(),
      [
        "--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)",
        try MPILauncher.binary("descent-mpi-check").path,
      ])
    #expect(run.status == 0, "\(run.output)")
    #expect(run.output.contains("ok collectives over \(ranks) ranks"), "\(run.output)")
    // Every optimizer but LBFGS on the MLP, and the CNN and transformer with Adam and SGD, each
    // with ZeRO 0, 1 and 2 where the optimizer shards (descent-mpi-check's FollowsOneProcess).
    // (Each optimizer of the catalog adds one to three runs: 70 with this catalog.)
    #expect(run.output.contains("ok 70 runs follow one process"), "\(run.output)")
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
