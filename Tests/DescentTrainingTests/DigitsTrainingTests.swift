import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Testing

@Suite("Training on digits")
struct DigitsTrainingTests {
  /// The same run as `descent train` with its defaults (SGD, lr 0.05, momentum 0.9, batch 32,
  /// seed 0), for the default number of epochs: the test accuracy must reach 0.95.
  @Test func defaultRunReachesTheTarget() throws {
    let digits: Dataset<Float> = try Digits.load()
    let (train, test) = digits.split(testFraction: 0.2, seed: 0)
    let model = DigitsMLP.make(seed: 0, as: Float.self)
    let optimizer = try SGD(model.parameters(), lr: 0.05, momentum: 0.9)
    let trainer = Trainer(
      model: model, optimizer: optimizer, loader: try BatchLoader(train, batchSize: 32, seed: 0))
    let before = trainer.evaluate(test)
    var last = before
    for _ in 0..<20 { trainer.trainEpoch() }
    last = trainer.evaluate(test)
    #expect(before.accuracy < 0.3)
    #expect(last.accuracy >= 0.95, "test accuracy \(last.accuracy)")
    #expect(last.loss < before.loss / 5)
  }
}
