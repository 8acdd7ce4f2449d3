import DescentTensor
import Testing

/// Operations against hand-computed values (and PyTorch's, where noted).
@Suite("Operation values")
struct OperationValueTests {
  @Test func elementwiseFunctions() {
    let t = Tensor<Double>([0, 1, 4])
    #expect(t.sqrt().scalars == [0, 1, 2])
    #expect(isClose(t.exp().scalars, [1, Double.exp(1), Double.exp(4)], tolerance: 1e-15))
    #expect(Tensor<Double>([1, 1]).log().scalars == [0, 0])
    let s = Tensor<Double>([-3, -0.5, 0, 2])
    #expect(s.square().scalars == [9, 0.25, 0, 4])
    #expect(s.abs().scalars == [3, 0.5, 0, 2])
    #expect(s.sign().scalars == [-1, -1, 0, 1])
    #expect(s.relu().scalars == [0, 0, 0, 2])
    #expect(s.clamp(min: -1, max: 1).scalars == [-1, -0.5, 0, 1])
    #expect(s.clamp(min: 0).scalars == [0, 0, 0, 2])
    #expect(s.clamp(max: -1).scalars == [-3, -1, -1, -1])
    #expect(Tensor<Double>(0).sigmoid().item == 0.5)
    #expect(Tensor<Double>([0]).tanh().scalars == [0])
    #expect(Tensor<Double>([0, .pi / 2]).sin().scalars == [0, 1])
    #expect(Tensor<Double>([0]).cos().scalars == [1])
    #expect((Tensor<Double>([1, 2]) / Tensor([4, 8])).scalars == [0.25, 0.25])
    #expect((1 / Tensor<Double>([4, -2])).scalars == [0.25, -0.5])
    #expect((10 - Tensor<Double>([4, -2]) * 2).scalars == [2, 14])
  }

  @Test func nanThroughElementwiseFunctions() {
    let t = Tensor<Double>([.nan, -3, 3])
    #expect(isEqualWithNaN(t.clamp(min: -1, max: 1).scalars, [.nan, -1, 1]))
    #expect(isEqualWithNaN(t.relu().scalars, [.nan, 0, 3]))
    #expect(isEqualWithNaN(t.abs().scalars, [.nan, 3, 3]))
  }

  @Test func powFollowsTorchPow() {
    // PyTorch 2.15: torch.pow(tensor([-2., 0., 2., -8.]), 3.) is [-8., 0., 8., -512.];
    // pow(tensor([-2., 0., nan]), 0.) is [1., 1., 1.]; pow(tensor([-8.]), 1/3) is [nan].
    let t = Tensor<Double>([-2, 0, 2, -8])
    #expect(t.pow(3).scalars == [-8, 0, 8, -512])
    #expect(t.pow(2).scalars == [4, 0, 4, 64])
    #expect(Tensor<Float>([-2, 0, 2, -8]).pow(3).scalars == [-8, 0, 8, -512])
    #expect(Tensor<Double>([-2, 0, .nan]).pow(0).scalars == [1, 1, 1])
    #expect(Tensor<Double>([-8]).pow(1.0 / 3).item.isNaN)
    #expect(t.pow(-1).scalars == [-0.5, .infinity, 0.5, -0.125])
    // pow(tensor([-2., -2., 0.]), tensor([2., 0.5, 0.])) is [4., nan, 1.].
    let powers = Tensor<Double>([-2, -2, 0]).pow(Tensor([2, 0.5, 0]))
    #expect(isEqualWithNaN(powers.scalars, [4, .nan, 1]))
    #expect(Tensor<Double>([-3, 2]).pow(Tensor(2)).scalars == [9, 4])
  }

  @Test func powGradientAtNegativeBases() {
    // PyTorch 2.15: x = [-1.5, 0, 2]; x.pow(2).sum().backward() gives [-3, 0, 4].
    let x = Tensor<Double>([-1.5, 0, 2]).requiringGrad()
    x.pow(2).sum().backward()
    #expect(x.grad?.scalars == [-3, 0, 4])
    let y = Tensor<Double>([-1, 2]).requiringGrad()
    y.pow(3).sum().backward()
    #expect(y.grad?.scalars == [3, 12])
  }

  @Test func comparisons() {
    let a = Tensor<Double>([1, 2, 3, .nan])
    let b = Tensor<Double>([3, 2, 1, .nan])
    #expect(a.eq(b).scalars == [0, 1, 0, 0])
    #expect(a.ne(b).scalars == [1, 0, 1, 1])
    #expect(a.lt(b).scalars == [1, 0, 0, 0])
    #expect(a.le(b).scalars == [1, 1, 0, 0])
    #expect(a.gt(b).scalars == [0, 0, 1, 0])
    #expect(a.ge(b).scalars == [0, 1, 1, 0])
    let column = Tensor<Double>(shape: [2, 1], scalars: [1, 2])
    let row = Tensor<Double>([0, 1, 2])
    #expect(column.lt(row).shape == [2, 3] && column.lt(row).scalars == [0, 0, 1, 0, 0, 0])
    #expect(iota([2, 2]).gt(Tensor(1.5)).scalars == [0, 0, 1, 1])
    #expect(!Tensor<Double>([1]).requiringGrad().gt(Tensor(0)).requiresGrad)
  }

  @Test func whereBroadcastsAllThree() {
    let condition = Tensor<Double>(shape: [2, 1], scalars: [1, 0])
    let chosen = Tensor.where(condition, iota([2, 3]), Tensor(-1))
    #expect(chosen.shape == [2, 3] && chosen.scalars == [0, 1, 2, -1, -1, -1])
    let mixed = Tensor.where(Tensor([0, 2, -1]), Tensor<Double>(7), iota([3, 2]).transposed()[0])
    #expect(mixed.scalars == [0, 7, 7])
  }

  @Test func maximumMinimumPropagateNaN() {
    // PyTorch 2.15: maximum([nan, 1, 2], [1, nan, 3]) is [nan, nan, 3]; minimum is [nan, nan, 2].
    let a = Tensor<Double>([.nan, 1, 2])
    let b = Tensor<Double>([1, .nan, 3])
    #expect(isEqualWithNaN(maximum(a, b).scalars, [.nan, .nan, 3]))
    #expect(isEqualWithNaN(minimum(a, b).scalars, [.nan, .nan, 2]))
    #expect(maximum(iota([2, 2]), Tensor(1.5)).scalars == [1.5, 1.5, 2, 3])
    #expect(minimum(Tensor<Double>([4]), iota([3])).scalars == [0, 1, 2])
  }

  @Test func argmaxTakesTheFirstOfTiesAndNaN() {
    // PyTorch 2.15: argmax([1, 3, 3, 2]) is 1; [[1, 3, 3], [2, 2, 0]].argmax(1) is [1, 0];
    // argmax([1, nan, 5, nan]) is 1.
    #expect(Tensor<Double>([1, 3, 3, 2]).argmax() == 1)
    let m = Tensor<Double>(rows: [[1, 3, 3], [2, 2, 0]])
    #expect(m.argmax(axis: 1) == [1, 0])
    #expect(m.argmax(axis: 0) == [1, 0, 0])
    #expect(m.transposed().argmax(axis: 0) == [1, 0])
    #expect(m.argmax(axis: -1) == [1, 0])
    #expect(Tensor<Double>([1, .nan, 5, .nan]).argmax() == 1)
    #expect(Tensor<Double>([-.infinity, -.infinity]).argmax() == 0)
    #expect(iota([2, 3, 4]).argmax(axis: 1) == [2, 2, 2, 2, 2, 2, 2, 2])
  }

  @Test func reductionsPropagateNaN() {
    // PyTorch 2.15: t = [[1, nan, 3], [4, 5, 6]]: t.max() and t.min() and t.sum() are nan,
    // t.max(1).values is [nan, 6], t.min(0).values is [1, nan, 3], t.argmax(1) is [1, 2].
    let t = Tensor<Double>(rows: [[1, .nan, 3], [4, 5, 6]])
    #expect(t.max().item.isNaN && t.min().item.isNaN && t.sum().item.isNaN)
    #expect(isEqualWithNaN(t.max(axis: 1).scalars, [.nan, 6]))
    #expect(isEqualWithNaN(t.min(axis: 0).scalars, [1, .nan, 3]))
    #expect(t.argmax(axis: 1) == [1, 2])
    #expect(isEqualWithNaN(t.sum(axis: 0).scalars, [5, .nan, 9]))
    #expect(isEqualWithNaN(t.mean(axis: 1).scalars, [.nan, 5]))
  }

  @Test func reductionsOverAxes() {
    let y = iota([2, 3, 4])
    // Element (i, j, k) is 12i + 4j + k: over i and k the sum is 32j + 60.
    #expect(y.sum(axes: [0, 2]).scalars == [60, 92, 124])
    #expect(y.sum(axes: [2, 0], keepingDims: true).shape == [1, 3, 1])
    #expect(y.mean(axes: [0, 2]).scalars == [7.5, 11.5, 15.5])
    #expect(y.sum(axis: -1).shape == [2, 3] && y.sum(axis: -1).scalars == [6, 22, 38, 54, 70, 86])
    #expect(y.max(axis: 1).scalars == [8, 9, 10, 11, 20, 21, 22, 23])
    #expect(y.min(axis: 2, keepingDims: true).shape == [2, 3, 1])
    #expect(y.min(axis: 2).scalars == [0, 4, 8, 12, 16, 20])
    #expect(y.permuted([2, 0, 1]).sum(axis: 0).scalars == y.sum(axis: 2).scalars)
    #expect(y.transposed(0, 2).max(axis: 0).scalars == y.max(axis: 2).transposed().scalars)
    #expect(y.sum().item == 276 && y.mean().item == 11.5 && y.max().item == 23 && y.min().item == 0)
    let t = Tensor<Double>(rows: [[1, 5, 3], [4, 2, 6]])
    #expect(t.sum(axes: [0, 1]).item == 21)
    #expect(t.mean(axes: [0]).scalars == [2.5, 3.5, 4.5])
    #expect(t.sum(axis: 1, keepingDims: true).shape == [2, 1])
    #expect(Tensor<Double>([1, 2, 3]).broadcast(to: [4, 3]).sum(axis: 0).scalars == [4, 8, 12])
  }

  @Test func matmulValues() {
    // PyTorch 2.15: tensor([1., 2., 3.]) @ tensor([4., 5., 6.]) is tensor(32.).
    let dot = Tensor<Double>([1, 2, 3]).matmul(Tensor([4, 5, 6]))
    #expect(dot.shape == [] && dot.item == 32)
    let a = Tensor<Double>(shape: [2, 2, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
    let b = Tensor<Double>(rows: [[1, 0], [1, 1]])
    #expect(a.matmul(b).scalars == [3, 2, 7, 4, 11, 6, 15, 8])
    #expect(a.transposed(1, 2).matmul(b).scalars == [4, 3, 6, 4, 12, 7, 14, 8])
    let batch = Tensor<Double>(shape: [2, 2, 2], scalars: [1, 0, 0, 1, 0, 1, 1, 0])
    #expect(a[0].unsqueezed(at: 0).matmul(batch).scalars == [1, 2, 3, 4, 2, 1, 4, 3])
    #expect(a.matmul(Tensor([1, -1])).scalars == [-1, -1, -1, -1])
    #expect(Tensor<Double>([1, -1]).matmul(a).scalars == [-2, -2, -2, -2])
    let m = Tensor<Double>(rows: [[1, 2], [3, 4], [5, 6]])
    let n = Tensor<Double>(rows: [[1, 0, 2], [0, 1, 3]])
    #expect(n.transposed().matmul(m.transposed()).scalars == m.matmul(n).transposed().scalars)
    #expect(m[..., 1...].matmul(Tensor([2]).unsqueezed(at: 0)).scalars == [4, 8, 12])
    #expect(Tensor<Float>(rows: [[1, 2]]).matmul(Tensor(rows: [[3], [4]])).scalars == [11])
  }

  @Test func linearValues() {
    let input = Tensor<Double>(rows: [[1, 2], [0, -1]])
    let weight = Tensor<Double>(rows: [[1, 0], [0, 1], [1, 1]])
    let bias = Tensor<Double>([0.5, -1, 2])
    #expect(input.linear(weight: weight, bias: bias).scalars == [1.5, 1, 5, 0.5, -2, 1])
    #expect(input.linear(weight: weight).scalars == [1, 2, 3, 0, -1, -1])
    #expect(input[0].linear(weight: weight, bias: bias).shape == [3])
    let batched = Tensor.stack([input, input * 2]).linear(weight: weight, bias: bias)
    #expect(batched.shape == [2, 2, 3] && batched[1, 0].scalars == [2.5, 3, 8])
  }

  @Test func softmaxValues() {
    let logits = Tensor<Double>([0, Double.log(3)])
    #expect(isClose(logits.softmax().scalars, [0.25, 0.75]))
    #expect(isClose(logits.logSoftmax().scalars, [Double.log(0.25), Double.log(0.75)]))
    let rows = Tensor<Double>(rows: [[0, Double.log(3)], [1000, 1000]])
    #expect(isClose(rows.softmax(axis: 1).scalars, [0.25, 0.75, 0.5, 0.5]))
    #expect(isClose(rows.transposed().softmax(axis: 0).scalars, [0.25, 0.5, 0.75, 0.5]))
    let loss = rows.softmaxCrossEntropy(labels: [1, 0])
    #expect(isClose([loss.item], [(Double.log(4.0 / 3) + Double.log(2)) / 2]))
  }
}
