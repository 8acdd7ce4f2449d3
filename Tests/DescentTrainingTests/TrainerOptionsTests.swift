import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Testing

@Suite("Trainer options")
struct TrainerOptionsTests {
  private func trainOnce(batchSize: Int, accumulate: Int, clipNorm: Double? = nil)
    throws -> [Double]
  {
    let digits: Dataset<Double> = try Digits.load()
    let data = digits.subset(Array(0..<320))
    let model = DigitsMLP.make(hidden: 12, seed: 8, as: Double.self)
    let optimizer = try Adam(model.parameters(), lr: 0.01)
    let loader = try BatchLoader(data, batchSize: batchSize, shuffle: false)
    let trainer = Trainer(model: model, optimizer: optimizer, loader: loader)
    try trainer.setAccumulationSteps(accumulate)
    try trainer.setClipNorm(clipNorm)
    try trainer.trainEpoch()
    return model.parameters().flatMap(\.value.scalars)
  }

  /// Four batches of 8 accumulated equal one batch of 32 (mean reduction).
  @Test func accumulationEqualsTheLargerBatch() throws {
    let big = try trainOnce(batchSize: 32, accumulate: 1)
    let accumulated = try trainOnce(batchSize: 8, accumulate: 4)
    let unaccumulated = try trainOnce(batchSize: 8, accumulate: 1)
    let error = zip(big, accumulated).map { abs($0 - $1) }.max()!
    #expect(error < 1e-12)
    #expect(zip(big, unaccumulated).map { abs($0 - $1) }.max()! > 1e-4)
  }

  /// Clipping bounds the gradient norm before every step: a tiny max norm changes the path, a
  /// max norm far above every gradient's norm leaves it exactly as without clipping.
  @Test func clippingChangesOnlyLargeGradients() throws {
    let tiny = try trainOnce(batchSize: 32, accumulate: 1, clipNorm: 1e-3)
    let huge = try trainOnce(batchSize: 32, accumulate: 1, clipNorm: 1e12)
    let unclipped = try trainOnce(batchSize: 32, accumulate: 1)
    #expect(zip(huge, unclipped).map { abs($0 - $1) }.max()! == 0)
    #expect(zip(tiny, unclipped).map { abs($0 - $1) }.max()! > 1e-6)
  }

  @Test func invalidOptionsAreRejected() throws {
    let model = DigitsMLP.make(hidden: 4, seed: 0, as: Float.self)
    let data: Dataset<Float> = try Digits.load()
    let trainer = Trainer(
      model: model, optimizer: try SGD(model.parameters(), lr: 0.1),
      loader: try BatchLoader(data, batchSize: 8))
    #expect(throws: TrainingError.invalidOption("accumulate", "0 (must be >= 1)")) {
      try trainer.setAccumulationSteps(0)
    }
    #expect(throws: TrainingError.self) { try trainer.setClipNorm(-1) }
    #expect(throws: TrainingError.self) { try trainer.setClipNorm(.nan) }
  }
}
