import ArgumentParser
import DescentData
import DescentPlot
import DescentTraining
import Foundation

/// `descent compare`: a model trained with several optimizers from the same start.
struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract:
      "Train a model (the digits MLP by default) with several optimizers from the same weights and batches; plot the curves."
  )

  @OptionGroup var lineUp: OptimizerListOption

  @Option(parsing: .unconditional, help: "Passes over the training set per optimizer.")
  var epochs = 10

  @Option(
    name: .customLong("batch-size"), parsing: .unconditional,
    help: "Samples per mini-batch (at most 1000000).")
  var batchSize = 32

  @Option(
    parsing: .unconditional, help: "Seed of the initial weights, the split and the batch order.")
  var seed: UInt64 = 0

  @Option(
    help: """
      The model: mlp, cnn (digits as 8x8 images) or transformer (on the max-of-digits sequences).
      """)
  var model: ModelKind = .mlp

  @Option(help: "Figure file; the format comes from the extension (.png, .svg, .pdf).")
  var output = "compare.png"

  func validate() throws {
    guard (1...10_000).contains(epochs) else {
      throw ValidationError("--epochs must be in 1...10000, got \(epochs)")
    }
    try checkOption("--batch-size", batchSize, in: 1...TrainCommand.maximumBatchSize)
  }

  func run() throws {
    let destination = try OutputPath(output)
    let recipes = try lineUp.recipes().map {
      $0.withDefaultLR(OptimizerComparison.defaultLR(for: $0))
    }
    let (train, test) = try model.defaultDataset(seed: seed).split(testFraction: 0.2, seed: seed)
    var comparison = try OptimizerComparison(
      train: train, test: test, epochs: epochs, batchSize: batchSize, seed: seed)
    comparison.model = model
    let description = try model.make(for: train, seed: seed).description
    print(
      "\(description): \(train.count) training, \(test.count) test samples; \(epochs) epochs, "
        + "batch \(batchSize)")
    let progress = ProgressLine()
    var runs: [ComparisonRun] = []
    for (index, recipe) in recipes.enumerated() {
      let run = try comparison.run(recipe, index: index + 1, of: recipes.count) { state in
        progress.update(Self.fraction(state), Self.status(state))
        if !progress.isTerminal, state.batch == state.batchCount {
          print(Self.status(state))
        }
      }
      progress.finish(
        progress.isTerminal
          ? "\(run.recipe.legendText): "
            + String(
              format: "train loss %.4f, test accuracy %.2f%%", run.finalTrainLoss,
              100 * run.testAccuracy) : nil)
      runs.append(run)
    }
    print(Self.table(runs))
    try destination.write(
      Self.figure(
        runs, batchSize: batchSize, chosenLR: Self.chosenLabels(lineUp), title: model.title))
  }

  /// How much of the whole comparison is done.
  static func fraction(_ state: ComparisonProgress) -> Double {
    let perOptimizer = Double(state.epochs * state.batchCount)
    let done = Double((state.epoch - 1) * state.batchCount + state.batch)
    return (Double(state.optimizerIndex - 1) + done / perOptimizer) / Double(state.optimizerCount)
  }

  /// `[2/7] Momentum (lr 0.01)  epoch 3/10  loss 0.1234  51234 samples/s`.
  static func status(_ state: ComparisonProgress) -> String {
    "[\(state.optimizerIndex)/\(state.optimizerCount)] \(state.optimizer)  "
      + String(
        format: "epoch %d/%d  loss %.4f  %.0f samples/s", state.epoch, state.epochs, state.loss,
        state.samplesPerSecond)
  }

  /// Final training loss, test accuracy and time per epoch of each optimizer.
  static func table(_ runs: [ComparisonRun]) -> String {
    let width = max(9, runs.map(\.recipe.legendText.count).max() ?? 0)
    func pad(_ text: String) -> String {
      text.padding(toLength: width, withPad: " ", startingAt: 0)
    }
    var lines = [pad("optimizer") + "   train loss   test accuracy   ms/epoch"]
    for run in runs {
      lines.append(
        pad(run.recipe.legendText)
          + String(
            format: "  %11.4f  %14.2f%%  %9.1f", run.finalTrainLoss, 100 * run.testAccuracy,
            1000 * run.secondsPerEpoch))
    }
    return lines.joined(separator: "\n")
  }

  /// The labels of the optimizers whose learning rate was given with `--optimizers name=lr`.
  static func chosenLabels(_ lineUp: OptimizerListOption) -> Set<String> {
    let recipes = (try? lineUp.recipes()) ?? []
    return Set(recipes.filter { $0.lr != nil }.map(\.label))
  }

  /// Footnotes saying where each learning rate came from: the comparison's own defaults (see
  /// ``OptimizerComparison/defaultLR(for:)``) or the command line (`chosenLR` labels).
  static func learningRateNotes(_ runs: [ComparisonRun], chosenLR: Set<String>) -> [String] {
    let defaulted = runs.filter { !chosenLR.contains($0.recipe.label) }
    let given = runs.filter { chosenLR.contains($0.recipe.label) }
    var notes: [String] = []
    if !defaulted.isEmpty {
      let names = defaulted.map(\.recipe.label).joined(separator: ", ")
      let provenance = OptimizerComparison.defaultLRProvenance
      notes.append(
        "Learning rates of \(names): Descent's defaults for this comparison, "
          + (provenance.first ?? ""))
      notes += provenance.dropFirst()
    }
    if !given.isEmpty {
      notes.append(
        "Given on the command line (--optimizers name=lr): "
          + given.map(\.recipe.legendText).joined(separator: ", ") + ".")
    }
    return notes
  }

  /// Two panels: training loss per epoch (log scale) and test accuracy per epoch; footnotes say
  /// why each learning rate was chosen (`chosenLR`: labels whose rate the user gave).
  static func figure(
    _ runs: [ComparisonRun], batchSize: Int, chosenLR: Set<String> = [],
    title: String = ModelKind.mlp.title
  )
    -> Figure
  {
    var loss = Panel(title: "training loss", xLabel: "epoch", yLabel: "cross-entropy")
    loss.yScale = .log
    loss.legend = .hidden
    var accuracy = Panel(title: "test accuracy", xLabel: "epoch", yLabel: "accuracy (%)")
    accuracy.legend = .outsideRight
    for (index, run) in runs.enumerated() {
      let colour = Color.tab10[index % Color.tab10.count]
      let epochs = run.epochs.map { Double($0.epoch) }
      loss.line(
        x: epochs, y: run.epochs.map(\.train.loss), label: run.recipe.legendText, color: colour)
      accuracy.line(
        x: epochs, y: run.epochs.map { 100 * $0.test.accuracy }, label: run.recipe.legendText,
        color: colour)
    }
    var figure = Figure(width: 1200, height: 530, rows: 1, columns: 2)
    figure.title =
      "\(title), batch \(batchSize): the same weights and batches for every optimizer"
    figure.footnotes = Self.learningRateNotes(runs, chosenLR: chosenLR)
    figure[0, 0] = loss
    figure[0, 1] = accuracy
    return figure
  }
}
