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

  @Option(help: "Learning rate.")
  var lr: Double = 0.05

  @Option(help: "Momentum (SGD).")
  var momentum: Double = 0.9

  @Option(help: "Number of passes over the training set.")
  var epochs: Int = 20

  @Option(name: .customLong("batch-size"), help: "Samples per mini-batch.")
  var batchSize: Int = 32

  @Option(help: "Seed of the initial weights, the split and the shuffling.")
  var seed: UInt64 = 0

  @Option(help: "A CSV file of your own: numeric features, the label in the last column.")
  var data: String?

  func validate() throws {
    guard epochs > 0 else { throw ValidationError("--epochs must be positive, got \(epochs)") }
    guard batchSize > 0 else {
      throw ValidationError("--batch-size must be positive, got \(batchSize)")
    }
  }

  func run() throws {
    let dataset: Dataset<Float> =
      try data.map { try CSVLoader.load(URL(fileURLWithPath: $0)) } ?? Digits.load()
    let (train, test) = dataset.split(testFraction: 0.2, seed: seed)
    let model = DigitsMLP.make(seed: seed, as: Float.self)
    let optimizer = try SGD(model.parameters(), lr: lr, momentum: momentum)
    let trainer = Trainer(
      model: model, optimizer: optimizer,
      loader: try BatchLoader(train, batchSize: batchSize, seed: seed))
    print(
      "\(train.count) training and \(test.count) test samples; \(model.parameterCount) parameters")
    print(optimizer)
    for epoch in 1...epochs {
      let fit = trainer.trainEpoch()
      let check = trainer.evaluate(test)
      print(
        String(
          format: "epoch %3d  loss %.4f  train acc %.4f  test loss %.4f  test acc %.4f", epoch,
          fit.loss, fit.accuracy, check.loss, check.accuracy))
    }
    print(String(format: "final test accuracy %.4f", trainer.evaluate(test).accuracy))
  }
}
