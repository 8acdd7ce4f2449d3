import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Foundation
import Testing

/// Twelve samples of three features (the first always 0) and labels 0...3.
private func tinyData() throws -> Dataset<Float> {
  let rows = (0..<12).map { "0,\(Double($0) / 12),\($0 % 5),\($0 % 4)" }.joined(separator: "\n")
  return try CSVLoader.parse(rows, path: "tiny.csv")
}

@Suite("Diverging training and hostile sizes")
struct DivergenceTests {
  /// The MLP's widths come from the data; the defaults stay digits' 64 and 10.
  @Test func mlpWidthsFollowTheData() throws {
    let data = try tinyData()
    let model = DigitsMLP.make(
      inputs: data.featureCount, hidden: 7, classes: data.classCount, seed: 1, as: Float.self)
    #expect(model.parameters().map(\.value.shape) == [[7, 3], [7], [4, 7], [4]])
    let evaluation = Trainer.evaluate(model, on: data)
    #expect(evaluation.loss.isFinite)
    let digits = DigitsMLP.make(seed: 1, as: Float.self)
    #expect(digits.parameters().map(\.value.shape) == [[100, 64], [100], [10, 100], [10]])
  }

  /// Adam with eps 0 divides 0 by 0 for a weight whose input is always 0: the second step's
  /// loss is NaN, the epoch stops there, and `checkFinite` names epoch 1, step 2.
  @Test func nanLossStopsTheEpoch() throws {
    let data = try tinyData()
    let model = DigitsMLP.make(inputs: 3, hidden: 5, classes: 4, seed: 2, as: Float.self)
    let trainer = Trainer(
      model: model, optimizer: try Adam(model.parameters(), lr: 0.01, eps: 0),
      loader: try BatchLoader(data, batchSize: 3, shuffle: false))
    var steps: [Int] = []
    try trainer.trainEpoch { step, _ in steps.append(step) }
    #expect(steps == [0])
    #expect(trainer.divergence == .diverged(epoch: 1, step: 2, what: "the loss is nan"))
    let error = #expect(throws: TrainingError.self) { try trainer.checkFinite() }
    #expect(error?.localizedDescription.hasPrefix("training diverged at epoch 1, step 2") == true)
  }

  /// Parameters that stop being finite on the last step of an epoch are caught after it.
  @Test func nonFiniteParametersAreCaught() throws {
    let data = try tinyData()
    let model = DigitsMLP.make(inputs: 3, hidden: 5, classes: 4, seed: 3, as: Float.self)
    let trainer = Trainer(
      model: model, optimizer: try SGD(model.parameters(), lr: 0.01),
      loader: try BatchLoader(data, batchSize: 12))
    try trainer.trainEpoch()
    try trainer.checkFinite()
    model.parameters()[2].value = Tensor(repeating: .infinity, shape: [4, 5])
    let error = #expect(throws: TrainingError.self) { try trainer.checkFinite() }
    #expect(error == .diverged(epoch: 1, step: 1, what: "parameter 2 (shape [4, 5]) holds inf"))
  }

  /// A comparison stops at a diverging optimizer and names it.
  @Test func comparisonNamesTheDivergingOptimizer() throws {
    let (train, test) = try tinyData().splitForTraining(testFraction: 0.25, seed: 0, source: "t")
    let comparison = try OptimizerComparison(
      train: train, test: test, epochs: 2, batchSize: 3, seed: 0)
    let diverging = OptimizerRecipe(label: "Adam", className: "Adam", options: ["eps": 0], lr: 0.1)
    let error = #expect(throws: TrainingError.self) { try comparison.run(diverging) }
    #expect(error?.description.contains("with Adam (lr 0.1)") == true)
    let fine = try comparison.run(OptimizerRecipe(label: "SGD", className: "SGD", lr: 0.01))
    #expect(fine.epochs.count == 2 && fine.finalTrainLoss.isFinite)
  }

  /// Benchmark sizes whose product overflows or exceeds the limit are refused.
  @Test func benchSizes() throws {
    for text in ["4000000000x4000000000", "9223372036854775807", "2x600M", "0", "-5", "1x"] {
      #expect(throws: TrainingError.self, "\(text)") { try BenchLayout(parsing: text) }
    }
    #expect(try BenchLayout(parsing: "1000M").parameterCount == BenchLayout.maximumParameterCount)
  }

  /// `descent schedule OneCycleLR` takes total_steps = epochs, and a shorter cycle throws as
  /// PyTorch raises; more epochs than the limit are refused.
  @Test func oneCycleTraceLength() throws {
    let trace = try ScheduleTrace("OneCycleLR", epochs: 40, lr: 0.1, options: [:])
    #expect(trace.options["total_steps"] == .number(40))
    #expect(trace.learningRates.count == 41)
    #expect(
      throws: SchedulerError.steppedPastEnd(scheduler: "OneCycleLR", steps: 21, totalSteps: 20)
    ) {
      try ScheduleTrace("OneCycleLR", epochs: 40, lr: 0.1, options: ["total_steps": .number(20)])
    }
    #expect(throws: SchedulerError.self) {
      try ScheduleTrace("StepLR", epochs: 1_000_000_000, lr: 0.1, options: [:])
    }
  }
}
