import DescentTensor
import Testing

/// Tensors large enough for the threaded kernel paths (checked against plain loops), empty
/// tensors, and tensors of many axes.
@Suite("Large, empty and high-rank tensors")
struct ShapeEdgeTests {
  /// Above `1 << 17` elements (and odd), so that element-wise kernels and the sum run on the
  /// worker pool, in chunks of rows or of one long row.
  static let count = (1 << 17) + 37

  static func random(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
    var generator = SeededGenerator(seed: seed)
    return Tensor(uniform: shape, low: -1, high: 1, generator: &generator)
  }

  // MARK: Large tensors

  @Test func largeElementwiseMatchesALoop() {
    let n = Self.count
    let (a, b) = (Self.random([n], seed: 1), Self.random([n], seed: 2))
    let (x, y) = (a.scalars, b.scalars)
    #expect((a + b).scalars == (0..<n).map { x[$0] + y[$0] })
    #expect((a * b).scalars == (0..<n).map { x[$0] * y[$0] })
    #expect((a * 3).scalars == x.map { $0 * 3 })
    #expect((2 - a).scalars == x.map { 2 - $0 })
    #expect(a.relu().scalars == x.map { Swift.max($0, 0) })
    let floats = a.converted(to: Float.self)
    #expect((floats * 3).scalars == floats.scalars.map { $0 * 3 })
    var updated = a
    updated.add_(b, alpha: -0.5)
    #expect(updated.scalars == (0..<n).map { x[$0] + -0.5 * y[$0] })
    #expect(a.scalars == x)
  }

  @Test func largeBiasAddMatchesALoop() {
    let (rows, columns) = (512, 257)
    let m = Self.random([rows, columns], seed: 3)
    let bias = Self.random([columns], seed: 4)
    let scale = Self.random([rows, 1], seed: 5)
    let (values, b, s) = (m.scalars, bias.scalars, scale.scalars)
    #expect(m.count >= 1 << 17)
    #expect((m + bias).scalars == (0..<m.count).map { values[$0] + b[$0 % columns] })
    #expect((m * scale).scalars == (0..<m.count).map { values[$0] * s[$0 / columns] })
    #expect((bias + m).scalars == (m + bias).scalars)
  }

  @Test func largeStridedAndSelectMatchLoops() {
    let (rows, columns) = (512, 257)
    let m = Self.random([rows, columns], seed: 6)
    let values = m.scalars
    let transposed = (0..<m.count).map { values[($0 % rows) * columns + $0 / rows] }
    #expect(m.transposed().scalars == transposed)
    #expect(
      isClose(m.transposed().exp().scalars, transposed.map { Double.exp($0) }, tolerance: 1e-14))
    #expect((m.transposed() + 1).scalars == transposed.map { $0 + 1 })
    let chosen = Tensor.where(m.gt(Tensor(0)), m, m * 2)
    #expect(chosen.scalars == values.map { $0 > 0 ? $0 : $0 * 2 })
  }

  @Test func largeSumsMatchALoop() {
    let n = Self.count
    let a = Self.random([n], seed: 7)
    let x = a.scalars
    #expect(isClose([a.sum().item], [x.reduce(0, +)]))
    #expect(isClose([a[1...].sum().item], [x.dropFirst().reduce(0, +)]))
    #expect(isClose([a.mean().item], [x.reduce(0, +) / Double(n)]))
    let floats = a.converted(to: Float.self)
    #expect(isClose([Double(floats.sum().item)], [x.reduce(0, +)], tolerance: 1e-4))
    let (rows, columns) = (512, 257)
    let m = Self.random([rows, columns], seed: 8)
    let values = m.scalars
    let columnSums = (0..<columns).map { c in (0..<rows).reduce(0) { $0 + values[$1 * columns + c] }
    }
    let rowSums = (0..<rows).map { r in values[(r * columns)..<((r + 1) * columns)].reduce(0, +) }
    #expect(isClose(m.sum(axis: 0).scalars, columnSums))
    #expect(isClose(m.sum(axis: 1).scalars, rowSums))
    #expect(isClose(m.transposed().sum(axis: 1).scalars, columnSums))
    #expect(isClose([m.sum().item], [values.reduce(0, +)]))
  }

  // MARK: Empty tensors

  @Test func emptyTensorsThroughElementwiseAndReductions() {
    let e = Tensor<Double>(zeros: [0, 3])
    #expect((e + e).shape == [0, 3])
    #expect((e + Tensor([1, 2, 3])).shape == [0, 3])
    #expect((e * 2).exp().transposed().shape == [3, 0])
    #expect(e.sum().shape == [] && e.sum().item == 0)
    #expect(e.sum(axis: 0).scalars == [0, 0, 0])
    #expect(e.sum(axis: 1).shape == [0])
    #expect(e.max(axis: 1).shape == [0])
    #expect(e.softmax().shape == [0, 3])
    #expect(Tensor.concatenate([e, iota([2, 3])]).scalars == iota([2, 3]).scalars)
  }

  @Test func emptyTensorsOfAnyLayoutAreContiguous() {
    // Fresh [4, 0] storage has strides [1, 1]; reading it once recursed without end.
    let fresh = Tensor<Float>(zeros: [4, 0])
    #expect(fresh.isContiguous && fresh.scalars.isEmpty)
    let slice = iota([4, 3])[..., 1..<1]
    #expect(slice.shape == [4, 0] && slice.isContiguous && slice.scalars.isEmpty)
    #expect((slice + 1).shape == [4, 0] && slice.contiguous().shape == [4, 0])
    #expect(Tensor<Double>(zeros: [2, 0, 3]).transposed(0, 2).scalars.isEmpty)
    var empty = Tensor<Double>(zeros: [3, 0])
    empty.add_(1)
    empty.withUnsafeMutableBufferPointer { #expect($0.isEmpty) }
    #expect(empty.shape == [3, 0])
  }

  @Test func emptyTensorsThroughMatmul() {
    let e = Tensor<Double>(zeros: [0, 3])
    #expect(e.matmul(Tensor(ones: [3, 4])).shape == [0, 4])
    #expect(e.transposed().matmul(e) == Tensor(zeros: [3, 3]))
    // An empty inner dimension gives zeros (leave stale values in the allocator's buffers first).
    _ = Tensor<Double>(repeating: 7, shape: [2, 3, 4]) + 1
    #expect(Tensor<Double>(ones: [3, 0]).matmul(Tensor(ones: [0, 4])) == Tensor(zeros: [3, 4]))
    #expect(
      Tensor<Double>(ones: [2, 3, 0]).matmul(Tensor(ones: [0, 4])) == Tensor(zeros: [2, 3, 4]))
    #expect(
      Tensor<Double>(ones: [2, 3, 0]).matmul(Tensor(ones: [2, 0, 4])) == Tensor(zeros: [2, 3, 4]))
    // torch.nn.functional.linear(zeros(3, 0), zeros(2, 0), tensor([1., 2.])) is three rows [1, 2].
    let linear = Tensor<Double>(ones: [3, 0]).linear(
      weight: Tensor(ones: [2, 0]), bias: Tensor([1, 2]))
    #expect(linear.shape == [3, 2] && linear.scalars == [1, 2, 1, 2, 1, 2])
  }

  // MARK: Many axes

  @Test func nineAxesThatMergeWork() {
    let shape = Array(repeating: 2, count: 9)
    let x = iota(shape)
    #expect((x + 1).scalars == (1...512).map(Double.init))
    #expect(x.sum(axis: 4).shape == Array(repeating: 2, count: 8))
    #expect(x.sum().item == 511 * 256)
    // Swapping the first two axes leaves three runs of axes that merge.
    let swapped = x.permuted([1, 0, 2, 3, 4, 5, 6, 7, 8])
    func swappedIndex(_ i: Int) -> Int {
      let (first, second, rest): (Int, Int, Int) = (i & 256, i & 128, i & 127)
      return first >> 1 + second << 1 + rest
    }
    let expected = (0..<512).map { Double(swappedIndex($0)) }
    #expect((swapped * 1).scalars == expected)
    #expect(swapped.contiguous().scalars == expected)
    #expect(swapped.sum(axis: 0).scalars == x.sum(axis: 1).scalars)
  }

  @Test func eightAxesThatCannotMergeWork() {
    let x = iota(Array(repeating: 2, count: 8))
    let reversed = x.permuted(Array((0..<8).reversed()))
    func bitReversed(_ i: Int) -> Int {
      var reversed = 0
      for bit in 0..<8 where i & (1 << bit) != 0 { reversed |= 1 << (7 - bit) }
      return reversed
    }
    let expected = (0..<256).map { Double(bitReversed($0)) }
    #expect(reversed.scalars == expected)
    #expect((reversed + x).scalars == (0..<256).map { Double(bitReversed($0) + $0) })
    #expect(
      reversed.sum(axis: 7).scalars == x.sum(axis: 0).permuted(Array((0..<7).reversed())).scalars)
  }
}
