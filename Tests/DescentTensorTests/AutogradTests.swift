import DescentTensor
import Testing

/// Leaf tensors (`requiringGrad()`), accumulation over backward passes, retained and released
/// graphs, `withNoGrad` and `detached`.
@Suite("Autograd")
struct AutogradTests {
  @Test func leafGradientAccumulatesOverTwoBackwardPasses() {
    let x = Tensor<Double>([1, 2, 3]).requiringGrad()
    #expect(x.requiresGrad && x.grad == nil)
    (x * x).sum().backward()
    #expect(x.grad?.scalars == [2, 4, 6])
    (x * 3).sum().backward()
    #expect(x.grad?.scalars == [5, 7, 9])
  }

  @Test func retainedGraphCanRunTwice() {
    let x = Tensor<Double>([1, 2, 3]).requiringGrad()
    let y = (x * x).sum()
    y.backward(retainGraph: true)
    y.backward()
    #expect(x.grad?.scalars == [4, 8, 12])
  }

  @Test func releasedGraphAddsNothingTheSecondTime() {
    let x = Tensor<Double>([1, 2, 3]).requiringGrad()
    let y = (x * 2).sum()
    y.backward()
    y.backward()
    #expect(x.grad?.scalars == [2, 2, 2])
  }

  @Test func seedAndNonScalarResults() {
    let x = Tensor<Double>([1, 2, 3]).requiringGrad()
    (x * 2).backward(Tensor([1, 0, -1]))
    #expect(x.grad?.scalars == [2, 0, -2])
  }

  @Test func onlyLeavesHaveGradients() {
    let x = Tensor<Double>([1, 2]).requiringGrad()
    let y = x * 2
    y.sum().backward()
    #expect(y.requiresGrad && y.grad == nil)
    #expect(x.grad?.scalars == [2, 2])
    let parameter = Parameter(Tensor<Double>([1, 2]))
    let value = parameter.value
    (value * value).sum().backward()
    #expect(value.grad == nil && parameter.grad?.scalars == [2, 4])
    #expect(!x.requiringGrad(false).requiresGrad)
  }

  @Test func gradientsFlowBackThroughViewsIntoTheLeaf() {
    let x = iota([2, 3]).requiringGrad()
    let column = x.transposed()[0]
    (column * Tensor([1, 2])).sum().backward()
    #expect(x.grad?.shape == [2, 3])
    #expect(x.grad?.scalars == [1, 0, 0, 2, 0, 0])
    let y = iota([2, 3]).requiringGrad()
    (y[..., 1...].sum() + y.broadcast(to: [4, 2, 3]).sum() + y[ellipsis: 0].sum()).backward()
    #expect(y.grad?.scalars == [5, 5, 5, 5, 5, 5])
  }

  @Test func aLeafUsedInTwoBranchesSumsBoth() {
    let x = Tensor<Double>([2]).requiringGrad()
    let y = x.exp() * x + x.square()
    y.sum().backward()
    #expect(isClose(x.grad!.scalars, [Double.exp(2) * 3 + 4]))
  }

  @Test func noGradRecordsNothing() {
    let x = Tensor<Double>([1, 2]).requiringGrad()
    let (inside, enabled) = withNoGrad { (x * 2 + x.exp(), GradMode.isEnabled) }
    #expect(!inside.requiresGrad && !enabled && GradMode.isEnabled)
    #expect((x * 2).requiresGrad)
    inside.sum().backward()
    #expect(x.grad == nil)
  }

  @Test func detachedSharesValuesWithoutHistory() {
    let x = Tensor<Double>([1, 2]).requiringGrad()
    let d = x.detached
    #expect(!d.requiresGrad && d.storage === x.storage && d == x)
    (d * 2).sum().backward()
    #expect(x.grad == nil)
    ((d + x) * 2).sum().backward()
    #expect(x.grad?.scalars == [2, 2])
  }

  @Test func constantsNeedNoGraph() {
    let c = iota([3])
    #expect(!(c * 2).requiresGrad && c.grad == nil)
    (c * 2).sum().backward()
    #expect(c.grad == nil)
  }

  @Test func moreThanSixtyFourInputsAllReceiveGradients() {
    let leaves = (0..<70).map { Tensor<Double>([Double($0)]).requiringGrad() }
    (Tensor.concatenate(leaves) * 2).sum().backward()
    #expect(leaves.allSatisfy { $0.grad?.scalars == [2] })
  }

  @Test func maximumSendsTiedGradientsToTheLeftOperand() {
    let a = Tensor<Double>([1, 5]).requiringGrad()
    let b = Tensor<Double>([1, 2]).requiringGrad()
    maximum(a, b).sum().backward()
    #expect(a.grad?.scalars == [1, 1] && b.grad?.scalars == [0, 0])
  }

  @Test func gradientThroughEmptyTensors() {
    let x = Tensor<Double>(zeros: [0, 3]).requiringGrad()
    (x * 2).sum().backward()
    #expect(x.grad?.shape == [0, 3])
  }
}

@Suite("requires_grad_")
struct RequiresGradInPlaceTests {
  @Test func marksAndUnmarksInPlace() {
    var x = Tensor<Double>([1, 2, 3])
    x.requiresGrad_()
    #expect(x.requiresGrad)
    (x * x).sum().backward()
    #expect(x.grad?.scalars == [2, 4, 6])
    x.requiresGrad_(false)
    #expect(!x.requiresGrad && x.grad == nil)
  }
}
