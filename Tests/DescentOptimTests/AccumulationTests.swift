import DescentNN
import DescentOptim
import Testing

/// A deterministic batch of `rows` inputs with 4 features and labels in 0..<3.
private func accumulationBatch(rows: Int) -> (Tensor<Double>, [Int]) {
  var generator = SeededGenerator(seed: 7)
  let inputs = Tensor<Double>(normal: [rows, 4], generator: &generator)
  let labels = (0..<rows).map { ($0 * 5 + 1) % 3 }
  return (inputs, labels)
}

private func rows(_ tensor: Tensor<Double>, _ range: Range<Int>) -> Tensor<Double> {
  let width = tensor.shape[1]
  return Tensor(
    shape: [range.count, width],
    scalars: Array(tensor.scalars[(range.lowerBound * width)..<(range.upperBound * width)]))
}

@Suite struct AccumulationTests {
  /// Three optimizer steps: one on each 8-row batch, or 4 accumulated micro-batches of 2 rows.
  @Test(arguments: [1, 2, 4, 8])
  func accumulatedStepsEqualOneBigBatch(microBatches: Int) throws {
    var seed = SeededGenerator(seed: 3)
    let big = Linear<Double>(4, 3, generator: &seed)
    seed = SeededGenerator(seed: 3)
    let small = Linear<Double>(4, 3, generator: &seed)
    let bigOptimizer = try Adam(big.parameters(), lr: 0.05)
    let smallOptimizer = try Adam(small.parameters(), lr: 0.05)
    var accumulator = try GradientAccumulator(steps: microBatches)
    let (inputs, labels) = accumulationBatch(rows: 8)
    let size = 8 / microBatches
    for _ in 0..<3 {
      crossEntropy(logits: big(inputs), labels: labels).backward()
      bigOptimizer.step()
      bigOptimizer.zeroGrad()

      var stepped = 0
      for index in 0..<microBatches {
        let range = (index * size)..<((index + 1) * size)
        accumulator.scaled(
          crossEntropy(logits: small(rows(inputs, range)), labels: Array(labels[range]))
        )
        .backward()
        if accumulator.advance() {
          smallOptimizer.step()
          smallOptimizer.zeroGrad()
          stepped += 1
        }
      }
      #expect(stepped == 1)
      #expect(!accumulator.hasPendingGradients)
    }
    for (a, b) in zip(big.parameters(), small.parameters()) {
      for (x, y) in zip(a.value.scalars, b.value.scalars) {
        #expect(abs(x - y) <= 1e-12 * max(1, abs(x)))
      }
    }
  }

  @Test func gradientsOfScaledMicroBatchesSumToTheBigBatchGradient() throws {
    var seed = SeededGenerator(seed: 11)
    let model = Linear<Float>(4, 3, generator: &seed)
    let (inputs64, labels) = accumulationBatch(rows: 6)
    let inputs = inputs64.converted(to: Float.self)
    crossEntropy(logits: model(inputs), labels: labels).backward()
    let whole = model.parameters().map { $0.grad!.scalars }
    model.zeroGrad()
    let accumulator = try GradientAccumulator(steps: 3)
    for index in 0..<3 {
      let range = (index * 2)..<(index * 2 + 2)
      let part = Tensor<Float>(
        shape: [2, 4],
        scalars: Array(inputs.scalars[(range.lowerBound * 4)..<(range.upperBound * 4)]))
      accumulator.scaled(crossEntropy(logits: model(part), labels: Array(labels[range]))).backward()
    }
    for (expected, parameter) in zip(whole, model.parameters()) {
      for (x, y) in zip(expected, parameter.grad!.scalars) { #expect(abs(x - y) <= 1e-6) }
    }
  }

  @Test func advanceSaysWhenToStep() throws {
    var accumulator = try GradientAccumulator(steps: 3)
    #expect(accumulator.lossScale == 1.0 / 3)
    let pattern = (0..<7).map { _ in accumulator.advance() }
    #expect(pattern == [false, false, true, false, false, true, false])
    #expect(accumulator.hasPendingGradients)
    accumulator.reset()
    #expect(!accumulator.hasPendingGradients)
  }

  @Test func invalidStepsAreRejected() {
    #expect(throws: AccumulationError.invalidSteps(0)) { try GradientAccumulator(steps: 0) }
    #expect(throws: AccumulationError.invalidSteps(-2)) { try GradientAccumulator(steps: -2) }
  }
}
