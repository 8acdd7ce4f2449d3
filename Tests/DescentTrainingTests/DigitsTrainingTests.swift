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

@Suite("The lean MLP path")
struct LeanMLPTests {
  /// The fused forward/backward gives autograd's loss and gradients.
  @Test func matchesAutograd() throws {
    let digits: Dataset<Double> = try Digits.load()
    let model = DigitsMLP.make(hidden: 17, seed: 3, as: Double.self)
    let rows = [5, 17, 400, 1200, 3, 9, 77]
    let labels = rows.map { digits.labels[$0] }
    let logits = model(digits.features.gatherRows(rows))
    let loss = crossEntropy(logits: logits, labels: labels)
    loss.backward()
    let expected = model.parameters().map { $0.grad! }
    let lean = try #require(LeanMLP(model, batchCapacity: 16))
    let (leanLoss, correct) = lean.lossAndGradient(
      features: digits.features, rows: rows, labels: labels)
    #expect(abs(leanLoss - loss.item) < 1e-12)
    #expect(correct == zip(logits.argmax(axis: 1), labels).filter { $0 == $1 }.count)
    for (parameter, grad) in zip(model.parameters(), expected) {
      let error = zip(parameter.grad!.scalars, grad.scalars).map { abs($0 - $1) }.max()!
      #expect(error < 1e-12)
    }
  }

  @Test func onlyPlainMLPs() {
    #expect(LeanMLP(Sequential<Float>(Linear(3, 2), Tanh(), Linear(2, 2)), batchCapacity: 4) == nil)
    #expect(LeanMLP(Sequential<Float>(Linear(3, 2), ReLU()), batchCapacity: 4) == nil)
    #expect(LeanMLP(Sequential<Float>(Linear(3, 2)), batchCapacity: 4) != nil)
  }

  /// Training through the lean path and through autograd follows the same trajectory.
  @Test func trainsLikeAutograd() throws {
    let digits: Dataset<Double> = try Digits.load()
    let (train, _) = digits.split(testFraction: 0.5, seed: 1)
    var finals: [[Double]] = []
    for lean in [true, false] {
      let model = DigitsMLP.make(hidden: 20, seed: 4, as: Double.self)
      let optimizer = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
      let trainer = Trainer(
        model: model, optimizer: optimizer, loader: try BatchLoader(train, batchSize: 64, seed: 2))
      trainer.useLeanPath = lean
      trainer.trainEpoch()
      finals.append(model.parameters().flatMap(\.value.scalars))
    }
    let error = zip(finals[0], finals[1]).map { abs($0 - $1) }.max()!
    #expect(error < 1e-10)
  }
}
