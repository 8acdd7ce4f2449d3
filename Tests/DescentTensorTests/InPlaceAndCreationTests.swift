import DescentTensor
import Testing

/// In-place operations (`add_`, `mul_`, `clamp_`, `fill_`, `zero_`, `copy_`, ...) and the
/// creation functions against PyTorch's values.
@Suite("In-place operations and creation")
struct InPlaceAndCreationTests {
  // MARK: In place

  @Test func addAndSubtractWithAlpha() {
    var x = Tensor<Double>([1, 2, 3])
    x.add_(Tensor([10, 20, 30]), alpha: 0.5)
    #expect(x.scalars == [6, 12, 18])
    x.sub_(Tensor([1, 1, 1]), alpha: 2)
    #expect(x.scalars == [4, 10, 16])
    x.sub_(Tensor(4))
    #expect(x.scalars == [0, 6, 12])
    x.add_(1)
    #expect(x.scalars == [1, 7, 13])
    var m = iota([2, 3])
    m.add_(Tensor([1, 1, 1]), alpha: -2)
    #expect(m.scalars == [-2, -1, 0, 1, 2, 3])
    m.add_(Tensor(shape: [2, 1], scalars: [10, 20]))
    #expect(m.scalars == [8, 9, 10, 21, 22, 23])
  }

  @Test func multiplyAndDivide() {
    var m = iota([2, 3]) + 1
    m.mul_(Tensor(shape: [2, 1], scalars: [2, -1]))
    #expect(m.scalars == [2, 4, 6, -4, -5, -6])
    m.mul_(0.5)
    #expect(m.scalars == [1, 2, 3, -2, -2.5, -3])
    m.div_(Tensor([1, 2, 3]))
    #expect(m.scalars == [1, 1, 1, -2, -1.25, -1])
  }

  @Test func clampInPlace() {
    var x = iota([6]) + 1
    x.clamp_(min: 2, max: 5)
    #expect(x.scalars == [2, 2, 3, 4, 5, 5])
    x.clamp_(min: 3)
    #expect(x.scalars == [3, 3, 3, 4, 5, 5])
    x.clamp_(max: 4)
    #expect(x.scalars == [3, 3, 3, 4, 4, 4])
    var withNaN = Tensor<Double>([.nan, -5])
    withNaN.clamp_(min: 0)
    #expect(isEqualWithNaN(withNaN.scalars, [.nan, 0]))
  }

  @Test func fillAndZero() {
    var x = iota([2, 3])
    x.fill_(7)
    #expect(x.shape == [2, 3] && x.scalars == [7, 7, 7, 7, 7, 7])
    var t = iota([2, 3]).transposed()
    t.zero_()
    #expect(t.shape == [3, 2] && t.scalars == [0, 0, 0, 0, 0, 0])
    var scalar = Tensor<Double>(3)
    scalar.fill_(-1)
    #expect(scalar.shape == [] && scalar.item == -1)
  }

  @Test func copyBroadcasts() {
    var x = Tensor<Double>(zeros: [2, 3])
    x.copy_(Tensor([7, 8, 9]))
    #expect(x.scalars == [7, 8, 9, 7, 8, 9])
    x.copy_(Tensor(shape: [2, 1], scalars: [1, 2]))
    #expect(x.scalars == [1, 1, 1, 2, 2, 2])
    x.copy_(iota([3, 2]).transposed())
    #expect(x.scalars == [0, 2, 4, 1, 3, 5])
    x.copy_(Tensor(5))
    #expect(x.scalars == [5, 5, 5, 5, 5, 5])
  }

  @Test func updatesFromTheTensorItselfSeeItsOldValues() {
    var square = iota([2, 2])
    square.copy_(square.transposed())
    #expect(square.scalars == [0, 2, 1, 3])
    var x = Tensor<Double>([1, 2, 3])
    x.add_(x)
    #expect(x.scalars == [2, 4, 6])
    x.mul_(x[0])
    #expect(x.scalars == [4, 8, 12])
  }

  @Test func inPlaceOnAViewMakesItContiguous() {
    let base = iota([2, 3])
    var view = base.transposed()
    view.add_(1)
    #expect(view.shape == [3, 2] && view.isContiguous)
    #expect(view.scalars == [1, 4, 2, 5, 3, 6])
    #expect(base.scalars == [0, 1, 2, 3, 4, 5])
    var column = base[ellipsis: 1]
    column.mul_(Tensor([10, 100]))
    #expect(column.scalars == [10, 400] && base[ellipsis: 1].scalars == [1, 4])
  }

  @Test func inPlaceOnALeafUnderNoGradKeepsItALeaf() {
    let leaf = Tensor<Double>([1, 2]).requiringGrad()
    var updated = leaf
    withNoGrad { updated.add_(Tensor(1)) }
    #expect(updated.scalars == [2, 3] && updated.requiresGrad)
    #expect(leaf.scalars == [1, 2])
    (updated * 3).sum().backward()
    #expect(leaf.grad?.scalars == [3, 3])
  }

  // MARK: Creation (PyTorch 2.15's values)

  @Test func arangeMatchesTorch() {
    // torch.arange(0, 1, 0.25), torch.arange(5., 1, -1.5), torch.arange(4.).
    #expect(Tensor<Float>.arange(0, 1, step: 0.25).scalars == [0, 0.25, 0.5, 0.75])
    #expect(Tensor<Float>.arange(5, 1, step: -1.5).scalars == [5, 3.5, 2])
    #expect(Tensor<Float>.arange(0, 4).scalars == [0, 1, 2, 3])
    #expect(Tensor<Double>.arange(-2, 1).scalars == [-2, -1, 0])
    // torch.arange(0, 2.1, 0.7, dtype=torch.float64): the end is excluded even though
    // 3 * 0.7 rounds below 2.1.
    #expect(Tensor<Double>.arange(0, 2.1, step: 0.7).scalars == [0, 0.7, 1.4, 2.0999999999999996])
    // torch.arange(0, 1, float(np.float32(0.1)), dtype=torch.float32).
    #expect(
      Tensor<Float>.arange(0, 1, step: 0.1).scalars
        == [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.90000004])
    #expect(Tensor<Float>.arange(0, 0).shape == [0])
  }

  @Test func arangeWithAnInexactStepAgreesWithTorchToRounding() {
    // torch.arange(-1, 1, 0.1, dtype=torch.float64): PyTorch's vectorized CPU kernel adds the
    // step to chunk starts, so its last bits differ from start + i * step (5.55e-17 for 0).
    let torch: [Double] = [
      -1.0, -0.9, -0.8, -0.7, -0.6, -0.5, -0.39999999999999997, -0.29999999999999993,
      -0.19999999999999996, -0.09999999999999995, 5.551115123125783e-17, 0.10000000000000006,
      0.20000000000000007, 0.30000000000000004, 0.4000000000000001, 0.5000000000000001,
      0.6000000000000001, 0.7000000000000001, 0.8, 0.9000000000000001,
    ]
    let values = Tensor<Double>.arange(-1, 1, step: 0.1).scalars
    #expect(values.count == torch.count)
    #expect(zip(values, torch).allSatisfy { Swift.abs($0 - $1) < 1e-15 })
  }

  @Test func linspaceMatchesTorch() {
    // torch.linspace(0, 1, 7) and friends, float32 then float64.
    #expect(
      Tensor<Float>.linspace(0, 1, count: 7).scalars
        == [0, 0.16666667, 0.33333334, 0.5, 0.6666666, 0.8333333, 1])
    #expect(Tensor<Float>.linspace(-1, 1, count: 5).scalars == [-1, -0.5, 0, 0.5, 1])
    #expect(Tensor<Float>.linspace(2, -3, count: 6).scalars == [2, 1, 0, -1, -2, -3])
    #expect(
      Tensor<Double>.linspace(0, 1, count: 7).scalars
        == [
          0, 0.16666666666666666, 0.3333333333333333, 0.5, 0.6666666666666667, 0.8333333333333334,
          1,
        ])
    #expect(
      Tensor<Double>.linspace(-1, 1, count: 4).scalars
        == [-1, -0.33333333333333337, 0.33333333333333337, 1])
    #expect(Tensor<Double>.linspace(0, 10, count: 11).scalars == Array(0...10).map(Double.init))
    #expect(Tensor<Double>.linspace(3, 3, count: 1).scalars == [3])
    #expect(Tensor<Double>.linspace(0, 1, count: 2).scalars == [0, 1])
    #expect(Tensor<Double>.linspace(0, 1, count: 0).shape == [0])
  }

  @Test func randomCreation() {
    let uniform = Tensor<Double>.rand([1000])
    #expect(uniform.shape == [1000] && uniform.scalars.allSatisfy { $0 >= 0 && $0 < 1 })
    let normal = Tensor<Float>.randn([2, 500])
    #expect(normal.shape == [2, 500] && Swift.abs(normal.mean().item) < 0.2)
    #expect(Tensor<Float>.randn([0]).shape == [0])
    #expect(iota([2, 3]).zerosLike() == Tensor(zeros: [2, 3]))
    #expect(iota([2]).onesLike() == Tensor([1, 1]))
  }
}
