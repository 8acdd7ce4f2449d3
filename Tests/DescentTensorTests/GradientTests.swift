import DescentTensor
import Testing

@Suite("Gradients by finite differences")
struct GradientTests {
  @Test func addBroadcasting() { checkGradient([[3, 4], [4]]) { $0[0] + $0[1] } }
  @Test func subtractBroadcasting() { checkGradient([[3, 1], [1, 4]]) { $0[0] - $0[1] } }
  @Test func multiplyBroadcasting() { checkGradient([[2, 3, 4], [3, 1]]) { $0[0] * $0[1] } }
  @Test func divide() { checkGradient([[3, 4], [3, 4]], positive: true) { $0[0] / $0[1] } }
  @Test func divideByScalarTensor() { checkGradient([[5], []], positive: true) { $0[0] / $0[1] } }
  @Test func negate() { checkGradient([[6]]) { -$0[0] } }
  @Test func scalarOperands() { checkGradient([[4]]) { 2 - 3 * $0[0] / 4 + 1 } }
  @Test func exp() { checkGradient([[2, 3]]) { $0[0].exp() } }
  @Test func log() { checkGradient([[2, 3]], positive: true) { $0[0].log() } }
  @Test func sqrt() { checkGradient([[2, 3]], positive: true) { $0[0].sqrt() } }
  @Test func pow() { checkGradient([[2, 3]], positive: true) { $0[0].pow(2.5) } }
  @Test func abs() { checkGradient([[9]]) { $0[0].abs() } }
  @Test func sign() { checkGradient([[9]]) { $0[0].sign() * $0[0] } }
  @Test func clamp() { checkGradient([[12]]) { $0[0].clamp(min: -1, max: 0.5) } }
  @Test func maximumMinimum() {
    checkGradient([[3, 4], [4]]) { maximum($0[0], $0[1]) + minimum($0[0], $0[1]) * 2 }
  }
  @Test func relu() { checkGradient([[17]]) { $0[0].relu() } }
  @Test func sigmoid() { checkGradient([[17]]) { $0[0].sigmoid() } }
  @Test func tanh() { checkGradient([[17]]) { $0[0].tanh() } }
  @Test func softmax() { checkGradient([[3, 5]]) { $0[0].softmax(axis: 1) } }
  @Test func softmaxFirstAxis() { checkGradient([[3, 5]]) { $0[0].softmax(axis: 0) } }
  @Test func logSoftmax() { checkGradient([[4, 3]]) { $0[0].logSoftmax() } }
  @Test func sumAll() { checkGradient([[3, 4]]) { $0[0].sum() } }
  @Test func sumAxis() { checkGradient([[2, 3, 4]]) { $0[0].sum(axis: 1) } }
  @Test func sumAxisKeepingDims() {
    checkGradient([[2, 3, 4]]) { $0[0].sum(axis: -1, keepingDims: true) }
  }
  @Test func mean() { checkGradient([[3, 4]]) { $0[0].mean() + $0[0].mean(axis: 0) } }
  @Test func maxAll() { checkGradient([[3, 4]]) { $0[0].max() } }
  @Test func maxAxis() { checkGradient([[3, 4]]) { $0[0].max(axis: 1) } }
  @Test func matmul() { checkGradient([[3, 4], [4, 2]]) { $0[0].matmul($0[1]) } }
  @Test func reshape() {
    checkGradient([[3, 4]]) { $0[0].reshaped([2, -1]) * $0[0].reshaped([2, 6]) }
  }
  @Test func transpose() { checkGradient([[3, 4]]) { $0[0].transposed() } }
  @Test func gatherRows() { checkGradient([[4, 3]]) { $0[0].gatherRows([2, 0, 2]) } }
  @Test func rowSlice() { checkGradient([[5, 2]]) { $0[0].rows(1..<4) } }
  @Test func broadcastTo() { checkGradient([[3, 1]]) { $0[0].broadcast(to: [2, 3, 4]) } }
  @Test func concatenate() {
    checkGradient([[2, 3], [2, 1]]) { Tensor.concatenate([$0[0], $0[1], $0[0]], axis: 1) }
    checkGradient([[2, 3], [1, 3]]) { Tensor.concatenate([$0[0], $0[1]], axis: 0) }
  }
  @Test func composite() {
    checkGradient([[4, 3], [3, 5], [5]]) { ($0[0].matmul($0[1]) + $0[2]).tanh().logSoftmax() }
  }
  @Test func reusedInput() { checkGradient([[4]]) { $0[0] * $0[0] + $0[0].exp() * $0[0] } }
}
