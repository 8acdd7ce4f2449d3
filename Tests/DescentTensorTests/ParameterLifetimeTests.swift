import DescentTensor
import Testing

/// Autograd leaves hold their parameter strongly (a graph keeps its parameters alive), so a
/// parameter must never keep a graph that leads back to itself.
@Suite struct ParameterLifetimeTests {
  @Test func aParameterIsFreedOnceNothingHoldsIt() {
    weak var freed: Parameter<Double>?
    do {
      let parameter = Parameter(Tensor<Double>([1, 2]))
      freed = parameter
      let loss = (parameter.value * parameter.value).sum()
      loss.backward()
      #expect(parameter.grad == Tensor([2, 4]))
    }
    #expect(freed == nil)
  }

  @Test func aGradientComputedFromTheParameterDoesNotKeepItAlive() {
    weak var freed: Parameter<Double>?
    do {
      let parameter = Parameter(Tensor<Double>([1, 2]))
      freed = parameter
      parameter.grad = parameter.value * 2
      parameter.grad! += parameter.value
      #expect(parameter.grad == Tensor([3, 6]))
      #expect(parameter.grad?.requiresGrad == false)
    }
    #expect(freed == nil)
  }

  @Test func aLiveGraphKeepsItsParameterAndBackwardStillReachesIt() {
    var loss: Tensor<Double>?
    weak var held: Parameter<Double>?
    do {
      let parameter = Parameter(Tensor<Double>([3]))
      held = parameter
      loss = (parameter.value * parameter.value).sum()
    }
    #expect(held != nil)
    loss?.backward()
    #expect(held?.grad == Tensor([6]))
    loss = nil
    #expect(held == nil)
  }
}
