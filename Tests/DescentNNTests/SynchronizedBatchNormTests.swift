import DescentNN
import Testing

/// Batch normalization with statistics summed across processes (as data parallelism sets it up)
/// equals the plain layer when there is one process: outputs, gradients and running statistics.
@Suite struct SynchronizedBatchNormTests {
  @Test(arguments: [[6, 3], [4, 3, 5], [2, 3, 4, 4]])
  func oneProcessEqualsThePlainLayer(shape: [Int]) throws {
    var generator = SeededGenerator(seed: 3)
    let input = Tensor<Float>(normal: shape, generator: &generator) * 2 + 1
    let upstream = Tensor<Float>(normal: shape, generator: &generator)
    func run(synchronized: Bool) -> (output: [Float], gradients: [[Float]], running: [[Float]]) {
      let norm: BatchNorm<Float> =
        shape.count == 4 ? BatchNorm2d(numFeatures: 3) : BatchNorm1d(numFeatures: 3)
      norm.weight?.value = Tensor(shape: [3], scalars: [0.5, 2, -1])
      norm.bias?.value = Tensor(shape: [3], scalars: [0.1, 0, 0.3])
      var calls = 0
      if synchronized { norm.crossProcessSum = { _ in calls += 1 } }
      let x = input.requiringGrad()
      let output = norm(x)
      (output * upstream).sum().backward()
      if synchronized { #expect(calls == 5, "count, sums, squares; then their gradients") }
      return (
        output.scalars, [x.grad!.scalars] + norm.parameters().map { $0.grad!.scalars },
        norm.namedBuffers().map(\.buffer.value.scalars)
      )
    }
    let (plain, synchronized) = (run(synchronized: false), run(synchronized: true))
    func close(_ a: [Float], _ b: [Float]) -> Bool {
      zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) } && a.count == b.count
    }
    #expect(close(synchronized.output, plain.output))
    for (a, b) in zip(synchronized.gradients, plain.gradients) { #expect(close(a, b), "\(a) \(b)") }
    for (a, b) in zip(synchronized.running, plain.running) { #expect(close(a, b), "\(a) \(b)") }
  }
}
