import DescentData
import DescentTraining
import Testing

@Suite("Optimizer comparison")
struct ComparisonTests {
  private func smallComparison(epochs: Int = 2) throws -> OptimizerComparison {
    let digits: Dataset<Float> = try Digits.load()
    let (train, test) = digits.subset(Array(0..<400)).split(testFraction: 0.25, seed: 3)
    return try OptimizerComparison(
      train: train, test: test, epochs: epochs, batchSize: 50, seed: 7)
  }

  /// Every optimizer starts from the same weights and sees the same first batch, so the first
  /// batch's loss is the same for all; and a rerun repeats exactly.
  @Test func sameStartSameBatches() throws {
    let comparison = try smallComparison()
    var firstLosses: [Double] = []
    for recipe in try OptimizerRecipe.list("sgd=0.1,adam=0.01,adadelta") {
      var first: Double?
      _ = try comparison.run(recipe) { state in
        if first == nil { first = state.loss }
      }
      firstLosses.append(try #require(first))
    }
    #expect(Set(firstLosses).count == 1)
    let recipe = try OptimizerRecipe.named("momentum").withDefaultLR(0.03)
    let once = try comparison.run(recipe)
    let twice = try comparison.run(recipe)
    #expect(once.epochs.map(\.train) == twice.epochs.map(\.train))
    #expect(once.epochs.map(\.test) == twice.epochs.map(\.test))
  }

  /// Reports and progress are complete and consistent.
  @Test func reportsEveryEpochAndBatch() throws {
    let comparison = try smallComparison(epochs: 3)
    var updates = 0
    var lastFraction = (epoch: 0, batch: 0)
    let run = try comparison.run(
      OptimizerRecipe.named("adam").withDefaultLR(0.003), index: 2, of: 3
    ) { state in
      updates += 1
      #expect(state.optimizerIndex == 2 && state.optimizerCount == 3)
      #expect(state.loss.isFinite && state.samplesPerSecond > 0)
      lastFraction = (state.epoch, state.batch)
    }
    #expect(run.epochs.count == 3)
    #expect(updates == 3 * 6)
    #expect(lastFraction == (3, 6))
    #expect(run.finalTrainLoss < run.epochs[0].train.loss)
    #expect((0...1).contains(run.testAccuracy))
    #expect(run.secondsPerEpoch > 0)
  }

  /// The default learning rates of the seed's line-up each train the MLP on the full digits
  /// split: in two epochs the loss falls and the test accuracy passes 80%.
  @Test func defaultRatesTrain() throws {
    let (train, test) = try Digits.load(as: Float.self).split(testFraction: 0.2, seed: 0)
    let comparison = try OptimizerComparison(
      train: train, test: test, epochs: 2, batchSize: 32, seed: 0)
    for recipe in OptimizerRecipe.seedLineUp {
      let run = try comparison.run(
        recipe.withDefaultLR(OptimizerComparison.defaultLR(for: recipe)))
      #expect(run.finalTrainLoss < 0.7 * run.epochs[0].train.loss, "\(recipe.label)")
      #expect(run.testAccuracy > 0.8, "\(recipe.label)")
    }
  }

  @Test func badBatchSizeIsRejected() throws {
    let digits: Dataset<Float> = try Digits.load()
    #expect(throws: DataError.self) {
      try OptimizerComparison(train: digits, test: digits, epochs: 1, batchSize: 0, seed: 0)
    }
  }
}
