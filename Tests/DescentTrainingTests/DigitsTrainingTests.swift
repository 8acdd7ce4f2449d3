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
    for _ in 0..<20 { try trainer.trainEpoch() }
    last = trainer.evaluate(test)
    #expect(before.accuracy < 0.3)
    #expect(last.accuracy >= 0.95, "test accuracy \(last.accuracy)")
    #expect(last.loss < before.loss / 5)
  }
}

@Suite("A classifier batch through autograd")
struct ClassifierBatchTests {
  /// The fused softmax cross-entropy gives the loss and gradients of the unfused composite
  /// (log-softmax, pick the label's entry, mean), and counts the correct predictions.
  @Test func matchesTheUnfusedComposite() throws {
    let digits: Dataset<Double> = try Digits.load()
    let model = DigitsMLP.make(hidden: 17, seed: 3, as: Double.self)
    let rows = [5, 17, 400, 1200, 3, 9, 77]
    let labels = rows.map { digits.labels[$0] }
    let logits = model(digits.features.gatherRows(rows))
    var pick = [Double](repeating: 0, count: rows.count * 10)
    for (row, label) in labels.enumerated() { pick[row * 10 + label] = -1 / Double(rows.count) }
    let loss = (logits.logSoftmax(axis: 1) * Tensor(shape: [rows.count, 10], scalars: pick)).sum()
    loss.backward()
    let expected = model.parameters().map { $0.grad! }
    model.zeroGrad()
    let (fusedLoss, correct) = ClassifierBatch.lossAndGradient(
      model: model, features: digits.features, rows: rows, labels: labels)
    #expect(abs(fusedLoss - loss.item) < 1e-12)
    var right = 0
    for (row, label) in labels.enumerated() {
      let scores = logits.detached[row].scalars
      if scores.firstIndex(of: scores.max()!) == label { right += 1 }
    }
    #expect(correct == right)
    for (parameter, grad) in zip(model.parameters(), expected) {
      let error = zip(parameter.grad!.scalars, grad.scalars).map { abs($0 - $1) }.max()!
      #expect(error < 1e-12)
    }
  }

  /// A scaled batch adds its scaled gradient to what is there.
  @Test func scaledGradientsAccumulate() throws {
    let digits: Dataset<Double> = try Digits.load()
    let model = DigitsMLP.make(hidden: 9, seed: 5, as: Double.self)
    let rows = [1, 2, 3, 4]
    let labels = rows.map { digits.labels[$0] }
    _ = ClassifierBatch.lossAndGradient(
      model: model, features: digits.features, rows: rows, labels: labels)
    let once = model.parameters().map { $0.grad!.scalars }
    _ = ClassifierBatch.lossAndGradient(
      model: model, features: digits.features, rows: rows, labels: labels, scale: 0.5)
    for (parameter, single) in zip(model.parameters(), once) {
      let error = zip(parameter.grad!.scalars, single).map { abs($0 - 1.5 * $1) }.max()!
      #expect(error < 1e-12)
    }
  }
}
