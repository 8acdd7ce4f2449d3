import DescentTensor
import Testing

/// Finite-difference checks of every differentiable operation, fed strided, broadcast (stride 0)
/// and offset views as well as contiguous tensors, so that the strided kernels, the BLAS
/// transpose flags and the views' pullbacks are all exercised.
@Suite("Gradients through views by finite differences")
struct ViewGradientTests {
  // MARK: Views themselves

  @Test func permuted() {
    checkGradient([[2, 3, 4]]) { $0[0].permuted([2, 0, 1]) }
    checkGradient([[2, 3, 4]]) { $0[0].permuted([-1, 0, 1]).permuted([1, 0, 2]) }
  }

  @Test func transposedAxes() {
    checkGradient([[2, 3, 4]]) { $0[0].transposed(0, 2) }
    checkGradient([[2, 3, 4]]) { $0[0].transposed(-1, -2) * 2 }
  }

  @Test func narrowed() {
    checkGradient([[3, 5]]) { $0[0].narrowed(axis: 1, range: 1..<4) }
    checkGradient([[4, 3, 2]]) {
      $0[0].narrowed(axis: -2, range: 0..<2).narrowed(axis: 0, range: 2..<4)
    }
  }

  @Test func selected() {
    checkGradient([[3, 4]]) { $0[0].selected(axis: 1, index: 2) }
    checkGradient([[2, 3, 4]]) { $0[0].selected(axis: 0, index: -1).selected(axis: 1, index: 0) }
  }

  @Test func broadcastStrideZero() {
    checkGradient([[4]]) { $0[0].broadcast(to: [3, 4]) }
    checkGradient([[2, 1, 3]]) { $0[0].broadcast(to: [4, 2, 5, 3]) }
    checkGradient([[]]) { $0[0].broadcast(to: [2, 3]) }
  }

  @Test func unsqueezedSqueezed() {
    checkGradient([[3], [2, 1, 3]]) { $0[0].unsqueezed(at: 0).unsqueezed(at: -2) * $0[1] }
    checkGradient([[3, 1, 4]]) { $0[0].squeezed() }
    checkGradient([[3, 1, 1]]) { $0[0].squeezed(axis: 1) }
    checkGradient([[3, 4]]) { $0[0].transposed().unsqueezed(at: 1) }
    checkGradient([[1, 4, 1]]) { $0[0].permuted([2, 1, 0]).squeezed(axis: 0) }
  }

  @Test func reshapedCopiesOfViews() {
    checkGradient([[3, 4]]) { $0[0].transposed().reshaped([2, -1]) }
    checkGradient([[2, 3, 4]]) { $0[0].permuted([1, 2, 0]).flattened() }
    checkGradient([[3, 4]]) { $0[0][..., 1..<3].contiguous() }
  }

  @Test func subscripts() {
    checkGradient([[3, 4]]) { $0[0][1] }
    checkGradient([[3, 4]]) { $0[0][-1] }
    checkGradient([[3, 4]]) { $0[0][..., 1..<3] }
    checkGradient([[3, 4]]) { $0[0][1...] }
    checkGradient([[3, 4]]) { $0[0][..<2, 2...] }
    checkGradient([[3, 4]]) { $0[0][ellipsis: 0] }
    checkGradient([[2, 3, 4]]) { $0[0][ellipsis: 1..<3] }
    checkGradient([[2, 3, 4]]) { $0[0][..., 0, 1...] }
    checkGradient([[2, 3, 4]]) { $0[0][1, 2, 3] }
    checkGradient([[2, 3, 4]]) { $0[0][0][..., 2] + $0[0][1][..., 0] }
  }

  @Test func gatherRows() {
    checkGradient([[4, 3]]) { $0[0].gatherRows([3, 1, 3, 0]) }
    checkGradient([[3, 4]]) { $0[0].transposed().gatherRows([1, 0, 1]) }
    checkGradient([[5, 2, 3]]) { $0[0][1...].gatherRows([0, 3, 3]) }
  }

  @Test func rowsOfAView() {
    checkGradient([[3, 5]]) { $0[0].transposed().rows(1..<4) }
  }

  @Test func concatenateMiddleAxis() {
    checkGradient([[2, 3, 4], [2, 1, 4], [4, 2, 2]]) {
      Tensor.concatenate([$0[0], $0[1], $0[2].permuted([1, 2, 0])], axis: 1)
    }
    checkGradient([[2, 3], [3, 2]]) { Tensor.concatenate([$0[0], $0[1].transposed()], axis: -1) }
    checkGradient([[3], [3]]) { Tensor.concatenate([$0[0], $0[1], $0[0]]) }
  }

  @Test func stackMiddleAxes() {
    checkGradient([[2, 3], [2, 3], [3, 2]]) {
      Tensor.stack([$0[0], $0[1], $0[2].transposed()], axis: 1)
    }
    checkGradient([[2, 3], [2, 3]]) { Tensor.stack([$0[0], $0[1]], axis: -1) }
    checkGradient([[4], [4]]) { Tensor.stack([$0[0], $0[1], $0[0]]) }
  }

  // MARK: Element-wise operations on views

  @Test func arithmeticOnTransposedAndSlicedViews() {
    checkGradient([[4, 3], [3, 4]]) { $0[0].transposed() + $0[1] }
    checkGradient([[4, 3], [3, 4]]) { $0[0].transposed() - $0[1][..., 0..<1] }
    checkGradient([[2, 3, 4], [4, 3]]) { $0[0].permuted([0, 2, 1]) * $0[1] }
    checkGradient([[3, 5], [3, 2]], positive: true) { $0[0][..., 1..<3] / $0[1] }
    checkGradient([[3, 5], [5, 3]], positive: true) { $0[0] / $0[1].transposed() }
  }

  @Test func arithmeticOnBroadcastViews() {
    checkGradient([[3, 1], [4]]) { $0[0].broadcast(to: [3, 4]) * $0[1].broadcast(to: [3, 4]) }
    checkGradient([[4], [3, 4]], positive: true) { $0[1] / $0[0].broadcast(to: [3, 4]) }
    checkGradient([[1, 4], [3, 1]]) { $0[0].broadcast(to: [3, 4]) - $0[1] }
    checkGradient([[3]]) { $0[0].broadcast(to: [2, 3]).exp() + $0[0].unsqueezed(at: 0) }
  }

  @Test func scalarOperandsOnViews() {
    checkGradient([[3, 4]]) { 2 * $0[0].transposed() - 1 + $0[0][ellipsis: 0] / 4 }
    checkGradient([[3, 4]], positive: true) {
      1 / $0[0][..., 1...] + (3 - $0[0].transposed()[1...])
    }
    checkGradient([[4, 3]]) { -$0[0].transposed() }
  }

  @Test func compoundAssignment() {
    checkGradient([[2, 3], [3]], positive: true) {
      var x = $0[0].transposed()
      x += $0[1].unsqueezed(at: 1)
      x *= $0[1].unsqueezed(at: 1)
      x -= $0[0].transposed()
      x /= $0[1].unsqueezed(at: 1) + 1
      return x
    }
  }

  @Test func unaryFunctionsOnPermutedViews() {
    let view: (Tensor<Double>) -> Tensor<Double> = { $0.permuted([2, 0, 1]) }
    checkGradient([[2, 3, 4]]) { view($0[0]).exp() }
    checkGradient([[2, 3, 4]], positive: true) { view($0[0]).log() }
    checkGradient([[2, 3, 4]], positive: true) { view($0[0]).sqrt() }
    checkGradient([[2, 3, 4]], positive: true) { view($0[0]).pow(1.5) }
    checkGradient([[2, 3, 4]]) { view($0[0]).pow(3) }
    checkGradient([[2, 3, 4]]) { view($0[0]).square() }
    checkGradient([[2, 3, 4]]) { view($0[0]).abs() }
    checkGradient([[2, 3, 4]]) { view($0[0]).sign() * view($0[0]) }
    checkGradient([[2, 3, 4]]) { view($0[0]).sin() }
    checkGradient([[2, 3, 4]]) { view($0[0]).cos() }
    checkGradient([[2, 3, 4]]) { view($0[0]).clamp(min: -0.5, max: 1) }
    checkGradient([[2, 3, 4]]) { view($0[0]).clamp(min: 0) + view($0[0]).clamp(max: 0.25) }
    checkGradient([[2, 3, 4]]) { view($0[0]).relu() }
    checkGradient([[2, 3, 4]]) { view($0[0]).sigmoid() }
    checkGradient([[2, 3, 4]]) { view($0[0]).tanh() }
  }

  @Test func unaryFunctionsOnSlicesAndBroadcasts() {
    checkGradient([[3, 5]]) {
      $0[0][..., 1..<4].square() + $0[0][ellipsis: 0].sin().unsqueezed(at: 1)
    }
    checkGradient([[3, 1]]) { $0[0].broadcast(to: [3, 4]).cos() }
    checkGradient([[4]]) { $0[0].broadcast(to: [2, 4]).tanh() * $0[0].sigmoid() }
    checkGradient([[4, 5]]) { $0[0].narrowed(axis: 1, range: 1..<4).transposed().relu() }
  }

  @Test func powTensor() {
    checkGradient([[2, 3], [2, 3]], positive: true) { $0[0].pow($0[1]) }
    checkGradient([[2, 3], [3]], positive: true) { $0[0].pow($0[1]) }
    checkGradient([[3], [2, 3]], positive: true) { $0[0].pow($0[1]) }
    checkGradient([[3, 2], [2, 3]], positive: true) { $0[0].transposed().pow($0[1][..., 0..<1]) }
    checkGradient([[2, 3]], positive: true) { Tensor(2.5).pow($0[0]) + $0[0].pow(Tensor(-0.5)) }
  }

  @Test func whereWithBroadcasting() {
    let mask = Tensor<Double>(rows: [[1, 0, 1], [0, 0, 1]])
    checkGradient([[2, 3], [3]]) { Tensor.where(mask, $0[0], $0[1]) }
    checkGradient([[3, 2], []]) { Tensor.where(mask, $0[0].transposed(), $0[1]) }
    checkGradient([[2, 1], [1, 3]]) { Tensor.where(Tensor([1, 0, 1]), $0[0], $0[1]) }
    checkGradient([[2, 3]]) { Tensor.where(mask.transposed().transposed(), $0[0].exp(), $0[0] * 3) }
  }

  @Test func maximumMinimumOfViews() {
    checkGradient([[3, 4], [4, 3]]) { maximum($0[0], $0[1].transposed()) }
    checkGradient([[3, 4], [3, 1]]) { minimum($0[0][..., 1...], $0[1]) }
  }

  // MARK: Reductions

  @Test func sumOverSeveralAxes() {
    checkGradient([[2, 3, 4]]) { $0[0].sum(axes: [0, 2]) }
    checkGradient([[2, 3, 4]]) { $0[0].sum(axes: [-1, 0], keepingDims: true) }
    checkGradient([[2, 3, 4]]) { $0[0].permuted([2, 0, 1]).sum(axes: [1, 2]) }
    checkGradient([[2, 3, 4]]) { $0[0].sum(axes: [0, 1, 2]) }
    checkGradient([[3, 4]]) { $0[0].transposed().sum(axis: 0) }
    checkGradient([[3]]) { $0[0].broadcast(to: [4, 3]).sum(axis: 0, keepingDims: true) }
    checkGradient([[3, 4]]) { $0[0][..., 1..<3].sum() }
  }

  @Test func means() {
    checkGradient([[2, 3, 4]]) { $0[0].mean(axes: [0, 2]) }
    checkGradient([[2, 3, 4]]) { $0[0].mean(axes: [1, 2], keepingDims: true) }
    checkGradient([[2, 3, 4]]) { $0[0].transposed(0, 1).mean(axis: -1) }
    checkGradient([[3, 4]]) { $0[0].transposed().mean() }
  }

  @Test func maxMinOverAxis() {
    checkGradient([[3, 4]]) { $0[0].max(axis: 0) }
    checkGradient([[3, 4]]) { $0[0].min(axis: 1) }
    checkGradient([[2, 3, 4]]) { $0[0].max(axis: 1, keepingDims: true) }
    checkGradient([[2, 3, 4]]) { $0[0].min(axis: -1, keepingDims: true) }
    checkGradient([[3, 4]]) { $0[0].transposed().max(axis: 1) }
    checkGradient([[2, 3, 4]]) { $0[0].permuted([2, 0, 1]).min(axis: 2) }
    checkGradient([[3, 4]]) { $0[0].min() + $0[0][1...].max() }
  }

  // MARK: Matrix products

  @Test func matmulTransposedOperands() {
    checkGradient([[4, 3], [4, 2]]) { $0[0].transposed().matmul($0[1]) }
    checkGradient([[3, 4], [2, 4]]) { $0[0].matmul($0[1].transposed()) }
    checkGradient([[4, 3], [2, 4]]) { $0[0].transposed().matmul($0[1].transposed()) }
  }

  @Test func matmulSlicedAndBroadcastOperands() {
    checkGradient([[3, 6], [3, 2]]) { $0[0][..., 2..<5].matmul($0[1]) }
    checkGradient([[3, 4], [5, 4]]) { $0[0].matmul($0[1][1..<4].transposed()) }
    checkGradient([[4], [4, 2]]) { $0[0].broadcast(to: [3, 4]).matmul($0[1]) }
    checkGradient([[3, 1], [4, 2]]) { $0[0].broadcast(to: [3, 4]).matmul($0[1]) }
    checkGradient([[3, 4], [1, 2]]) { $0[0].matmul($0[1].broadcast(to: [4, 2])) }
    checkGradient([[3, 5], [2, 3]]) { $0[0].selected(axis: 1, index: 1).matmul($0[1].transposed()) }
  }

  @Test func matmulBatched() {
    checkGradient([[2, 3, 4], [4, 5]]) { $0[0].matmul($0[1]) }
    checkGradient([[2, 3, 4], [2, 4, 5]]) { $0[0].matmul($0[1]) }
    checkGradient([[1, 3, 4], [2, 4, 5]]) { $0[0].matmul($0[1]) }
    checkGradient([[2, 3, 4], [1, 4, 5]]) { $0[0].matmul($0[1]) }
    checkGradient([[3, 4], [2, 4, 5]]) { $0[0].matmul($0[1]) }
    checkGradient([[2, 1, 3, 4], [3, 4, 2]]) { $0[0].matmul($0[1]) }
  }

  @Test func matmulBatchedViews() {
    checkGradient([[2, 4, 3], [2, 4, 5]]) { $0[0].transposed(1, 2).matmul($0[1]) }
    checkGradient([[3, 2, 4], [4, 5]]) { $0[0].transposed(0, 1).matmul($0[1]) }
    checkGradient([[2, 3, 4], [2, 5, 4]]) { $0[0].matmul($0[1].transposed(-1, -2)) }
    checkGradient([[3, 4], [4, 5]]) { $0[0].broadcast(to: [2, 3, 4]).matmul($0[1]) }
  }

  @Test func matmulOneDimensional() {
    checkGradient([[4], [4, 3]]) { $0[0].matmul($0[1]) }
    checkGradient([[3, 4], [4]]) { $0[0].matmul($0[1]) }
    checkGradient([[4], [4]]) { $0[0].matmul($0[1]) }
    checkGradient([[4], [2, 4, 3]]) { $0[0].matmul($0[1]) }
    checkGradient([[2, 3, 4], [4]]) { $0[0].matmul($0[1]) }
    checkGradient([[4, 3], [4]]) { $0[0].transposed().matmul($0[1]) }
  }

  @Test func linear() {
    checkGradient([[3, 4], [5, 4], [5]]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
    checkGradient([[3, 4], [5, 4]]) { $0[0].linear(weight: $0[1]) }
    checkGradient([[2, 3, 4], [5, 4], [5]]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
    checkGradient([[4], [5, 4], [5]]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
  }

  @Test func linearOfViews() {
    checkGradient([[4, 3], [4, 5], [5]]) {
      $0[0].transposed().linear(weight: $0[1].transposed(), bias: $0[2])
    }
    checkGradient([[3, 6], [5, 4], [1]]) {
      $0[0][..., 1..<5].linear(weight: $0[1], bias: $0[2].broadcast(to: [5]))
    }
  }

  // MARK: Softmax and losses

  @Test func logSoftmaxOnPermutedView() {
    checkGradient([[2, 3, 4]]) { $0[0].permuted([1, 0, 2]).logSoftmax(axis: 1) }
    checkGradient([[2, 3, 4]]) { $0[0].permuted([2, 0, 1]).logSoftmax(axis: 0) }
    checkGradient([[3, 4]]) { $0[0].transposed().softmax(axis: 0) }
    checkGradient([[3, 4]]) { $0[0][..., 1...].softmax() }
  }

  @Test func softmaxCrossEntropy() {
    checkGradient([[3, 4]]) { $0[0].softmaxCrossEntropy(labels: [0, 3, 1]) }
    checkGradient([[4, 3]]) { $0[0].transposed().softmaxCrossEntropy(labels: [2, 2, 0]) }
    checkGradient([[3, 4]]) { ($0[0] * 3).softmaxCrossEntropy(labels: [1, 1, 1]) * 5 }
  }

  // MARK: Compositions and custom operations

  @Test func attentionLikeComposition() {
    checkGradient([[2, 3, 4], [2, 3, 4]]) { q in
      let scores = q[0].matmul(q[1].transposed(1, 2)) / 2
      return scores.softmax(axis: -1).matmul(q[1]).sum(axes: [0, 1])
    }
  }

  @Test func differentiableCustomOperation() {
    // x³ as a user-defined operation, applied to a transposed view.
    func cube(_ x: Tensor<Double>) -> Tensor<Double> {
      let input = x.detached
      return Tensor.differentiable(input * input * input, inputs: [x]) { grad in
        [grad * 3 * input * input]
      }
    }
    checkGradient([[3, 2]]) { cube($0[0].transposed()) }
  }

  @Test func manyInputsToOneOperation() {
    // Beyond 64 inputs, which exceeds the bitmask of needed gradients.
    checkGradient(Array(repeating: [2], count: 70)) { Tensor.stack($0).square() }
  }
}
