import ArgumentParser
import DescentData
import DescentDistributed
import DescentNN
import DescentOptim
import DescentTraining
import Foundation

/// `descent train`: trains the digits MLP and reports loss and accuracy per epoch.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train an MLP, a CNN or a transformer on digits, a sequence task, or your own CSV.",
    discussion: """
      With --data, the model's input width is the CSV's feature count and its output width the \
      number of classes, taken from the data: labels are whole numbers 0..<classes with classes \
      = largest label + 1 (at most \(CSVLoader.maximumClassCount)); with --task regression the \
      last column is a real-valued target and the loss the mean squared error. A first row with \
      no number is a header. Training stops with an error when a loss or a weight stops being \
      finite. Under mpirun, --distributed trains the same run data-parallel.
      """)

  @Option(help: "The optimizer: SGD, Adagrad, RMSprop, Adam, AdamW, Adadelta, ... (any case).")
  var optimizer = "SGD"

  @Option(
    parsing: .unconditional,
    help: "Learning rate (default: one that suits the optimizer on digits, 0.05 for SGD).")
  var lr: Double?

  @Option(parsing: .unconditional, help: "Momentum, for SGD (default 0.9) and RMSprop (default 0).")
  var momentum: Double?

  @Option(
    parsing: .unconditional, help: "Number of passes over the training set (at most 1000000).")
  var epochs: Int = 20

  @Option(
    parsing: .unconditional,
    help: """
      Stop after this many optimizer steps in all (resumed ones included) instead of after \
      --epochs (it may end inside an epoch; a checkpoint resumes there).
      """)
  var steps: Int?

  @Option(
    name: .customLong("batch-size"), parsing: .unconditional,
    help: """
      Samples per mini-batch, at most 1000000 (default 32; the whole training set for LBFGS).
      """)
  var batchSize: Int?

  @Option(
    parsing: .unconditional, help: "Seed of the initial weights, the split and the shuffling.")
  var seed: UInt64 = 0

  @Option(
    help: """
      The model: mlp (Linear-ReLU-Linear), cnn (two conv blocks with BatchNorm and pooling, for \
      8x8 images) or transformer (a one-block causal transformer over token sequences; without \
      --data it learns the largest of 8 digits).
      """)
  var model: ModelKind = .mlp

  @Option(
    help: """
      The model's size: the MLP's hidden widths, comma-separated (default 100; e.g. 256,128), \
      the CNN's first-block channels (default 16), the transformer's width (default 32).
      """)
  var hidden: HiddenSizes?

  @Option(help: "A CSV file of your own: numeric features, the label in the last column.")
  var data: String?

  @Option(
    help: """
      With --data: classification (whole-number labels, cross-entropy) or regression (a \
      real-valued target in the last column, mean squared error).
      """)
  var task: CSVLoader.Task = .classification

  @OptionGroup(title: "Schedules, averaging, clipping, accumulation, checkpoints")
  var extras: TrainingExtrasFlags

  @OptionGroup(title: "Distributed training")
  var parallel: DistributedFlags

  @Argument(
    parsing: .allUnrecognized,
    help: "Further hyperparameters of the optimizer as --name value (e.g. --weight-decay 1e-4).")
  var hyperparameters: [String] = []

  /// The most epochs a run may take.
  static let maximumEpochs = 1_000_000
  /// The largest batch.
  static let maximumBatchSize = 1_000_000

  func validate() throws {
    try checkOption("--epochs", epochs, in: 1...Self.maximumEpochs)
    if let steps { try checkOption("--steps", steps, in: 1...1_000_000_000) }
    if let batchSize { try checkOption("--batch-size", batchSize, in: 1...Self.maximumBatchSize) }
    if let hidden {
      guard hidden.widths.count <= 64, hidden.widths.allSatisfy({ (1...100_000).contains($0) })
      else {
        throw ValidationError(
          "--hidden \(hidden): give at most 64 sizes, each a whole number in 1...100000")
      }
    }
    if task == .regression && data == nil {
      throw ValidationError("--task regression needs --data (the built-in data sets have classes)")
    }
    try checkFinite("--lr", lr)
    try checkFinite("--momentum", momentum)
    if let swaStart = extras.swaStart, swaStart > epochs {
      throw ValidationError("--swa-start \(swaStart) is after the last epoch (\(epochs))")
    }
    if let data, let checkpoint = extras.checkpoint, FileKind.sameFile(data, checkpoint) {
      throw ValidationError(
        "--checkpoint \(checkpoint) is the --data file: it would be overwritten; choose another path"
      )
    }
    // Every hyperparameter, scheduler option and averaging decay is checked now, on a stand-in
    // parameter, before any data is read.
    let probe = try asValidationError {
      try makeOptimizer(for: [Parameter(Tensor<Float>(zeros: [1, 1]))])
    }
    if let name = extras.scheduler {
      _ = try asValidationError {
        var options = try extras.parsedSchedulerOptions()
        if name == "OneCycleLR", options["total_steps"] == nil, options["epochs"] == nil {
          options["total_steps"] = .number(1)
        }
        return try makeLRScheduler(name, options: options, optimizer: probe)
      }
    }
    if let ema = extras.ema {
      _ = try asValidationError { try AveragingRule<Float>.exponential(decay: ema) }
    }
  }

  /// The data set: `--data`'s CSV, or the model's own task (digits; for the transformer, the
  /// max-of-digits sequences).
  ///
  /// - Throws: ``DataError`` naming the file, line and value of a problem.
  func loadDataset() throws -> Dataset<Float> {
    if let data { return try CSVLoader.load(URL(fileURLWithPath: data), task: task) }
    return try model.defaultDataset(seed: seed)
  }

  /// The `--model` for `dataset` and its description.
  ///
  /// - Throws: ``TrainingError`` when the data does not fit the model.
  func makeModel(for dataset: Dataset<Float>) throws -> (model: any Module<Float>, name: String) {
    let made = try model.make(for: dataset, hidden: hidden?.widths, seed: seed)
    return (made.model, made.description)
  }

  func run() throws {
    if parallel.distributed { return try runDistributed() }
    try train(over: nil)
  }

  /// Trains on this process, or data-parallel on every rank of `communicator` (rank 0 prints):
  /// one loop either way.
  func train(over communicator: (any Communicator)?) throws {
    let root = communicator?.isRoot ?? true
    func say(_ line: String) { if root { print(line) } }
    func agree<T>(_ action: String, _ body: () throws -> T) throws -> T {
      guard let communicator else { return try body() }
      return try communicator.agree(action, body)
    }
    if let communicator { try communicator.checkSame(runSettings()) }
    let (dataset, train, test) = try agree("to load the data") {
      let dataset = try loadDataset()
      let (train, test) = try dataset.splitForTraining(
        testFraction: 0.2, seed: seed, source: data ?? "digits")
      return (dataset, train, test)
    }
    let (model, modelName) = try agree("to build the model") { try makeModel(for: dataset) }
    let loader = try BatchLoader(train, batchSize: try batchSize(for: train.count), seed: seed)
    let names = Self.parameterNames(of: model)
    let strategy: any StepStrategy<Float>
    if let communicator {
      strategy = try DataParallelStepping(
        model: model, communicator: communicator, stage: try parallel.zeroStage(),
        makeOptimizer: { try makeOptimizer(for: $0, names: names) })
    } else {
      strategy = LocalStepping(try makeOptimizer(for: model.parameters(), names: names))
    }
    let trainer = Trainer(model: model, loader: loader, strategy: strategy)
    let loop = try TrainingLoop(
      trainer: trainer, plan: try extras.plan(epochs: epochs, steps: steps, seed: seed))
    if let communicator {
      say(
        "\(communicator.size) ranks, \(loader.batchSize / communicator.size) samples each per "
          + "batch of \(loader.batchSize); \(parallel.stateDescription)")
    }
    say(
      "\(train.count) training and \(test.count) test samples; \(modelName), "
        + "\(model.parameterCount) parameters")
    say(trainer.optimizer.description)
    if let resumed = loop.resumedFrom, let resume = extras.resume {
      say("resumed from \(resume) after epoch \(resumed.epoch), step \(trainer.stepsDone)")
      for note in loop.resumeNotes { say("note: \(note) (the checkpoint's state wins)") }
    }
    // Regression reports the mean squared error where classification reports accuracy.
    let regression = dataset.isRegression
    func value(_ evaluation: Evaluation) -> String {
      regression
        ? String(format: "%.6g", evaluation.loss) : String(format: "%.4f", evaluation.accuracy)
    }
    try loop.run(test: test) { report in
      var line = String(format: "epoch %3d  ", report.epoch)
      if regression {
        line += String(format: "mse %.6g  test mse %.6g", report.train.loss, report.test.loss)
      } else {
        line += String(
          format: "loss %.4f  train acc %.4f  test loss %.4f  test acc %.4f", report.train.loss,
          report.train.accuracy, report.test.loss, report.test.accuracy)
      }
      line += String(format: "  lr %.3g", trainer.optimizer.learningRate(ofGroup: 0))
      if let averaged = loop.withAveragedWeights({ trainer.evaluate(test) }) {
        line += "  averaged \(regression ? "mse" : "acc") \(value(averaged))"
      }
      say(line)
    }
    let measure = regression ? "mse" : "accuracy"
    say("final test \(measure) \(value(trainer.evaluate(test)))")
    if let averaged = loop.withAveragedWeights({ trainer.evaluate(test) }) {
      say("final test \(measure) with averaged weights \(value(averaged))")
    }
    if let communicator, let parallel = strategy as? DataParallelStepping<Float> {
      let counts = try communicator.allGatherWords([
        UInt64(parallel.stateElementCount), UInt64(parallel.gradientElementCount),
      ])
      say(
        "optimizer state elements per rank: \(counts.map { String($0[0]) }.joined(separator: " "))")
      say("gradient elements per rank: \(counts.map { String($0[1]) }.joined(separator: " "))")
    }
  }

  /// `--batch-size`, or by default 32 — and the whole training set for LBFGS, whose curvature
  /// pairs do not survive the noise of small batches.
  func batchSize(for samples: Int) throws -> Int {
    if let batchSize { return batchSize }
    return try optimizerClassName(optimizer) == "LBFGS" ? samples : 32
  }

  /// The chosen optimizer with the command line's hyperparameters.
  /// Each parameter's dotted name in `model`, by identity (for Muon's recipe).
  static func parameterNames(of model: any Module<Float>) -> [ObjectIdentifier: String] {
    Dictionary(model.namedParameters().map { (ObjectIdentifier($0.parameter), $0.name) }) {
      first, _ in first
    }
  }

  /// With the parameters' `names` (a model's), Muon takes the usual recipe: Muon for the hidden
  /// matrices with the command line's options, AdamW for the rest (biases, embeddings, the output
  /// layer) with its digits learning rate and the same `--weight-decay`.
  func makeOptimizer(
    for parameters: [Parameter<Float>], names: [ObjectIdentifier: String] = [:]
  ) throws -> any TrainingOptimizer<Float> {
    let name = try optimizerClassName(optimizer)
    var options = try OptimizerOptions(parsing: hyperparameters).values
    options["lr"] = .number(lr ?? DigitsDefaults.learningRate(for: name))
    if let momentum {
      options["momentum"] = .number(momentum)
    } else if name == "SGD" {
      options["momentum"] = .number(0.9)
    }
    if name == "Muon", !names.isEmpty {
      var adamW: [String: HyperparameterValue] = [
        "lr": .number(DigitsDefaults.learningRate(for: "AdamW"))
      ]
      adamW["weightDecay"] = options["weightDecay"]
      return try Muon<Float>.withAdamW(
        parameters.map { (names[ObjectIdentifier($0)] ?? "", $0) }, muonOptions: options,
        adamWOptions: adamW)
    }
    return try OptimizerCatalog.make(name, parameters: parameters, options: options)
  }
}

extension ModelKind: ExpressibleByArgument {}

extension CSVLoader.Task: ExpressibleByArgument {}

/// `--hidden 256,128`: one or more sizes.
struct HiddenSizes: ExpressibleByArgument, CustomStringConvertible {
  /// The sizes in order.
  var widths: [Int]

  init?(argument: String) {
    let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
    let widths = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !parts.isEmpty, widths.count == parts.count else { return nil }
    self.widths = widths
  }

  /// `256,128`.
  var description: String { widths.map(String.init).joined(separator: ",") }
}
