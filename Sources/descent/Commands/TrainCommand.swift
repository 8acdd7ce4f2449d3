import ArgumentParser
import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Foundation

/// `descent train`: trains the digits MLP and reports loss and accuracy per epoch.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train an MLP (64-100-10, ReLU) on the digits data set, or on your own CSV.")

  @Option(help: "The optimizer: SGD, Adagrad, RMSprop, Adam, AdamW, Adadelta, ... (any case).")
  var optimizer = "SGD"

  @Option(help: "Learning rate (default: one that suits the optimizer on digits, 0.05 for SGD).")
  var lr: Double?

  @Option(help: "Momentum, for SGD (default 0.9) and RMSprop (default 0).")
  var momentum: Double?

  @Option(help: "Number of passes over the training set.")
  var epochs: Int = 20

  @Option(
    name: .customLong("batch-size"),
    help: "Samples per mini-batch (default 32; the whole training set for LBFGS).")
  var batchSize: Int?

  @Option(help: "Seed of the initial weights, the split and the shuffling.")
  var seed: UInt64 = 0

  @Option(help: "A CSV file of your own: numeric features, the label in the last column.")
  var data: String?

  @OptionGroup(title: "Schedules, averaging, clipping, accumulation, checkpoints")
  var extras: TrainingExtrasFlags

  @OptionGroup(title: "Distributed training")
  var parallel: DistributedFlags

  @Argument(
    parsing: .allUnrecognized,
    help: "Further hyperparameters of the optimizer as --name value (e.g. --weight-decay 1e-4).")
  var hyperparameters: [String] = []

  func validate() throws {
    guard epochs > 0 else { throw ValidationError("--epochs must be positive, got \(epochs)") }
    if let batchSize, batchSize <= 0 {
      throw ValidationError("--batch-size must be positive, got \(batchSize)")
    }
  }

  func run() throws {
    if parallel.distributed { return try runDistributed() }
    let dataset: Dataset<Float> =
      try data.map { try CSVLoader.load(URL(fileURLWithPath: $0)) } ?? Digits.load()
    let (train, test) = dataset.split(testFraction: 0.2, seed: seed)
    let model = DigitsMLP.make(seed: seed, as: Float.self)
    let optimizer = try makeOptimizer(for: model.parameters())
    let trainer = Trainer(
      model: model, optimizer: optimizer,
      loader: try BatchLoader(train, batchSize: batchSize(for: train.count), seed: seed))
    print(
      "\(train.count) training and \(test.count) test samples; \(model.parameterCount) parameters")
    print(optimizer)
    let session = try TrainingSession(
      flags: extras, trainer: trainer, model: model, epochs: epochs)
    for epoch in session.firstEpoch...max(session.firstEpoch, epochs) where epoch <= epochs {
      let fit = try session.runEpoch(epoch) { trainer.evaluate(test).loss }
      let check = trainer.evaluate(test)
      var line = String(
        format: "epoch %3d  loss %.4f  train acc %.4f  test loss %.4f  test acc %.4f  lr %.3g",
        epoch, fit.loss, fit.accuracy, check.loss, check.accuracy,
        optimizer.learningRate(ofGroup: 0))
      if let averaged = session.withAveragedWeights({ trainer.evaluate(test) }) {
        line += String(format: "  averaged acc %.4f", averaged.accuracy)
      }
      print(line)
    }
    print(String(format: "final test accuracy %.4f", trainer.evaluate(test).accuracy))
    if let averaged = session.withAveragedWeights({ trainer.evaluate(test) }) {
      print(String(format: "final test accuracy with averaged weights %.4f", averaged.accuracy))
    }
  }

  /// `--batch-size`, or by default 32 — and the whole training set for LBFGS, whose curvature
  /// pairs do not survive the noise of small batches.
  func batchSize(for samples: Int) throws -> Int {
    if let batchSize { return batchSize }
    return try optimizerClassName(optimizer) == "LBFGS" ? samples : 32
  }

  /// The chosen optimizer with the command line's hyperparameters.
  func makeOptimizer(for parameters: [Parameter<Float>]) throws -> any TrainingOptimizer<Float> {
    let name = try optimizerClassName(optimizer)
    var options = try OptimizerOptions(parsing: hyperparameters).values
    options["lr"] = .number(lr ?? DigitsDefaults.learningRate(for: name))
    if let momentum {
      options["momentum"] = .number(momentum)
    } else if name == "SGD" {
      options["momentum"] = .number(0.9)
    }
    return try OptimizerCatalog.make(name, parameters: parameters, options: options)
  }
}
