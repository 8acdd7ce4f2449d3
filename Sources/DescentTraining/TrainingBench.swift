import DescentData
import DescentNN
import DescentOptim
import Foundation

/// The digits MLP's training throughput with one optimizer.
public struct TrainingBenchRow: Sendable, Equatable {
  /// The optimizer's name, with its notable options (`"SGD(momentum=0.9)"`).
  public var optimizer: String
  /// Training samples per second over an epoch (median of the timed epochs).
  public var samplesPerSecond: Double
  /// The test accuracy after every epoch trained (warm-up included).
  public var testAccuracy: Double
  /// The epochs trained, warm-up included.
  public var epochs: Int
}

/// Trains the digits MLP (64-100-10, batch 32, through autograd) and measures its throughput.
public enum TrainingBench {
  /// A training benchmark setting: optimizer name, options, and the label shown.
  public struct Setting: Sendable {
    /// PyTorch's class name.
    public var name: String
    /// Options with Descent's names.
    public var options: [String: HyperparameterValue]
    /// The label in reports.
    public var label: String

    /// A setting of `name` with `options`, shown as `label`.
    public init(_ name: String, options: [String: HyperparameterValue], label: String) {
      self.name = name
      self.options = options
      self.label = label
    }
  }

  /// SGD with momentum and Adam at the learning rates `descent train` uses.
  public static let standard = [
    Setting(
      "SGD", options: ["lr": .number(0.05), "momentum": .number(0.9)], label: "SGD(momentum=0.9)"),
    Setting("Adam", options: ["lr": .number(0.001)], label: "Adam"),
  ]

  /// Trains `timing.warmups + timing.runs` epochs on `dataset` (split 80/20 with `seed`) and
  /// reports the median epoch's throughput and the final test accuracy.
  ///
  /// - Throws: ``OptimizerError`` for a bad setting, ``DataError`` for a bad batch size.
  public static func measure(
    _ setting: Setting, dataset: Dataset<Float>, batchSize: Int = 32, timing: BenchTiming,
    seed: UInt64 = 0
  ) throws -> TrainingBenchRow {
    let (train, test) = dataset.split(testFraction: 0.2, seed: seed)
    let model = DigitsMLP.make(seed: seed, as: Float.self)
    let optimizer = try OptimizerCatalog.make(
      setting.name, parameters: model.parameters(), options: setting.options)
    let trainer = Trainer(
      model: model, optimizer: optimizer,
      loader: try BatchLoader(train, batchSize: batchSize, seed: seed))
    let seconds = try timing.checkedMedianSeconds { try trainer.trainEpoch() }
    return TrainingBenchRow(
      optimizer: setting.label, samplesPerSecond: Double(train.count) / seconds,
      testAccuracy: trainer.evaluate(test).accuracy, epochs: trainer.epochsDone)
  }
}
