import DescentData
import DescentNN
import DescentOptim

/// A multilayer perceptron written the way the README teaches a user to write a model (a
/// `Module` class of `Linear` layers with ReLU between them), for the engine benchmark.
public final class BenchMLP: Module {
  /// The layers, input first.
  public let layers: [Linear<Float>]

  /// Layers of the given widths (`[64, 100, 10]`), initialised from `seed`.
  public init(widths: [Int], seed: UInt64) {
    var generator = SeededGenerator(seed: seed)
    layers = zip(widths, widths.dropFirst()).map { Linear($0, $1, generator: &generator) }
  }

  /// ReLU between the layers.
  public func forward(_ input: Tensor<Float>) -> Tensor<Float> {
    var x = input
    for (index, layer) in layers.enumerated() {
      x = layer(x)
      if index < layers.count - 1 { x = x.relu() }
    }
    return x
  }
}

/// One measured case of the engine benchmark.
public struct EngineBenchRow: Sendable, Equatable {
  /// What was measured (`mlp-64-100-10-b32-adam`, `add`).
  public var name: String
  /// Microseconds per training step or per operation (median).
  public var microseconds: Double
  /// Samples per second for a training step; nanoseconds per element for an operation.
  public var rate: Double
}

/// The engine's speed on what users run: training steps of user-written models through autograd,
/// and element-wise operations on large tensors, named as `scripts/compare-torch.py` and
/// `scripts/reference/elementwise.c` name the same cases, so their outputs sit side by side.
public enum EngineBench {
  /// The user models: widths and batch size.
  public static let models: [(widths: [Int], batch: Int)] = [
    ([64, 100, 10], 32), ([784, 1024, 1024, 10], 256),
  ]

  /// Microseconds per Adam training step (zero the gradients, forward, cross-entropy, backward,
  /// step) of an MLP of `widths` on a fixed random batch; each timed run is `steps` steps.
  ///
  /// - Throws: ``OptimizerError`` (it cannot: Adam's defaults are valid).
  public static func trainingStep(widths: [Int], batch: Int, steps: Int, timing: BenchTiming)
    throws -> EngineBenchRow
  {
    let model = BenchMLP(widths: widths, seed: 0)
    var generator = SeededGenerator(seed: 1)
    let input = Tensor<Float>(normal: [batch, widths[0]], generator: &generator)
    let classes = widths[widths.count - 1]
    let labels = (0..<batch).map { $0 % classes }
    let adam = try Adam(model.parameters(), lr: 1e-3)
    let rows = Array(0..<batch)
    let seconds = timing.medianSeconds {
      for _ in 0..<steps {
        adam.zeroGrad()
        _ = ClassifierBatch.lossAndGradient(
          model: model, features: input, rows: rows, labels: labels)
        adam.step()
      }
    }
    let perStep = seconds / Double(steps)
    let name = "mlp-" + widths.map(String.init).joined(separator: "-") + "-b\(batch)-adam"
    return EngineBenchRow(name: name, microseconds: perStep * 1e6, rate: Double(batch) / perStep)
  }

  /// The element-wise operations timed on `count` float32 elements, each making a new tensor as
  /// a user's expression does: `add`, `bias-add` (a row vector over a square matrix),
  /// `scalar-mul`, `relu`, `exp`, `sum`.
  public static func operations(count: Int, timing: BenchTiming) -> [EngineBenchRow] {
    var generator = SeededGenerator(seed: 2)
    let side = Int(Double(count).squareRoot())
    let a = Tensor<Float>(normal: [side, side], generator: &generator)
    let b = Tensor<Float>(normal: [side, side], generator: &generator)
    let row = Tensor<Float>(normal: [side], generator: &generator)
    let cases: [(String, () -> Void)] = [
      ("add", { _ = a + b }), ("bias-add", { _ = a + row }), ("scalar-mul", { _ = a * 2.5 }),
      ("relu", { _ = a.relu() }), ("exp", { _ = a.exp() }), ("sum", { _ = a.sum() }),
    ]
    let seconds = timing.medianSeconds(of: cases.map(\.1))
    let elements = Double(side * side)
    return zip(cases, seconds).map { entry, time in
      EngineBenchRow(name: entry.0, microseconds: time * 1e6, rate: time * 1e9 / elements)
    }
  }
}

/// A model trained on its task in the engine benchmark: throughput and what it learned.
public struct WorkloadRow: Sendable, Equatable {
  /// The model (`cnn`, `transformer`).
  public var model: String
  /// Training samples per second (median epoch).
  public var samplesPerSecond: Double
  /// Test accuracy after the last epoch.
  public var testAccuracy: Double
  /// Epochs trained.
  public var epochs: Int
}

extension EngineBench {
  /// Trains `kind` on its task — the CNN on digits (Adam, lr 0.003, batch 32), the transformer on
  /// ``SequenceTask`` (AdamW, lr 0.003, weight decay 0.01, batch 64) — for `epochs` epochs, and
  /// reports the median epoch's throughput and the final test accuracy. The same settings are in
  /// `scripts/compare-torch-models.py`.
  ///
  /// - Throws: what loading digits or making the optimizer throws.
  public static func workload(_ kind: ModelKind, epochs: Int) throws -> WorkloadRow {
    let model: any Module<Float>
    let dataset: Dataset<Float>
    let batchSize: Int
    let optimizerName: String
    var options: [String: HyperparameterValue] = ["lr": .number(0.003)]
    switch kind {
    case .mlp, .cnn:
      dataset = try Digits.load()
      model =
        kind == .cnn
        ? DigitsCNN.make(seed: 0, as: Float.self) : DigitsMLP.make(seed: 0, as: Float.self)
      batchSize = 32
      optimizerName = "Adam"
    case .transformer:
      dataset = SequenceTask.maxOfDigits(count: 5000, seed: 0)
      model = SequenceTransformer.make(seed: 0, as: Float.self)
      batchSize = 64
      optimizerName = "AdamW"
      options["weightDecay"] = .number(0.01)
    }
    let (train, test) = dataset.split(testFraction: 0.2, seed: 0)
    let optimizer = try OptimizerCatalog.make(
      optimizerName, parameters: model.parameters(), options: options)
    let trainer = Trainer(
      model: model, optimizer: optimizer,
      loader: try BatchLoader(train, batchSize: batchSize, seed: 0))
    let median = try BenchTiming(warmups: 0, runs: epochs).checkedMedianSeconds({
      try trainer.trainEpoch()
    })
    let accuracy = trainer.evaluate(test).accuracy
    return WorkloadRow(
      model: kind.rawValue, samplesPerSecond: Double(train.count) / median,
      testAccuracy: accuracy, epochs: epochs)
  }
}
