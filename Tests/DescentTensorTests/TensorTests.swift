import DescentTensor
import Testing

@Suite("Tensor values")
struct TensorTests {
  @Test func broadcastShapes() {
    #expect(Broadcast.shape([3, 1], [1, 4]) == [3, 4])
    #expect(Broadcast.shape([2, 3, 4], [4]) == [2, 3, 4])
    #expect(Broadcast.shape([3], [4]) == nil)
  }

  @Test func arithmeticValues() {
    let a = Tensor<Float>(rows: [[1, 2, 3], [4, 5, 6]])
    let b = Tensor<Float>([10, 20, 30])
    #expect((a + b).scalars == [11, 22, 33, 14, 25, 36])
    #expect((a * 2).scalars == [2, 4, 6, 8, 10, 12])
    #expect((b / a).shape == [2, 3])
  }

  @Test func simdAndTailAgree() {
    // 19 elements: two SIMD blocks and a scalar tail; each result is checked against Foundation math.
    let values = (0..<19).map { Double($0) / 7 - 1 }
    let t = Tensor<Double>(values)
    #expect(t.exp().scalars == values.map { Double.exp($0) })
    #expect(t.abs().sqrt().scalars == values.map { Swift.abs($0).squareRoot() })
    #expect(t.relu().scalars == values.map { max($0, 0) })
  }

  @Test func reductions() {
    let t = Tensor<Double>(rows: [[1, 5, 3], [4, 2, 6]])
    #expect(t.sum().item == 21)
    #expect(t.sum(axis: 0).scalars == [5, 7, 9])
    #expect(t.mean(axis: 1).scalars == [3, 4])
    #expect(t.max().item == 6)
    #expect(t.max(axis: 1).scalars == [5, 6])
    #expect(t.argmax(axis: 1) == [1, 2])
    #expect(t.argmax(axis: 0) == [1, 0, 1])
  }

  @Test func matmulAgainstHandProduct() {
    let a = Tensor<Float>(rows: [[1, 2], [3, 4], [5, 6]])
    let b = Tensor<Float>(rows: [[1, 0, 2], [0, 1, 3]])
    #expect(a.matmul(b).scalars == [1, 2, 8, 3, 4, 18, 5, 6, 28])
  }

  @Test func layout() {
    let t = Tensor<Double>(rows: [[1, 2, 3], [4, 5, 6]])
    #expect(t.transposed().scalars == [1, 4, 2, 5, 3, 6])
    #expect(t.reshaped([3, -1]).shape == [3, 2])
    #expect(t.gatherRows([1, 1]).scalars == [4, 5, 6, 4, 5, 6])
    #expect(Tensor.concatenate([t, t], axis: 1).scalars == [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
  }

  @Test func softmaxRowsSumToOne() {
    let t = Tensor<Double>(rows: [[1000, 1001, 1002], [-3, 0, 3]])
    let rows = t.softmax().sum(axis: 1).scalars
    for row in rows { #expect(Swift.abs(row - 1) < 1e-12) }
  }

  @Test func seededGeneratorRepeats() {
    var a = SeededGenerator(seed: 42)
    var b = SeededGenerator(seed: 42)
    let x = Tensor<Float>(normal: [100], generator: &a)
    let y = Tensor<Float>(normal: [100], generator: &b)
    #expect(x == y)
    let mean = x.mean().item
    #expect(Swift.abs(mean) < 0.3)
  }

  @Test func uniformBounds() {
    var generator = SeededGenerator(seed: 7)
    let t = Tensor<Double>(uniform: [10_000], low: -0.5, high: 0.25, generator: &generator)
    #expect(t.scalars.allSatisfy { $0 >= -0.5 && $0 < 0.25 })
    #expect(t.scalars.min()! < -0.49 && t.scalars.max()! > 0.24)
  }

  @Test func gradientsAccumulateAndReset() {
    let p = Parameter(Tensor<Double>([1, 2, 3]))
    (p.value * 2).sum().backward()
    (p.value * 3).sum().backward()
    #expect(p.grad?.scalars == [5, 5, 5])
    p.zeroGrad()
    #expect(p.grad == nil)
    (p.value * 1).sum().backward()
    p.zeroGrad(setToNil: false)
    #expect(p.grad?.scalars == [0, 0, 0])
  }

  @Test func noGradRecordsNothing() {
    let p = Parameter(Tensor<Double>([1, 2]))
    let result = withNoGrad { p.value * 2 }
    #expect(!result.requiresGrad)
    #expect((p.value * 2).requiresGrad)
  }
}
