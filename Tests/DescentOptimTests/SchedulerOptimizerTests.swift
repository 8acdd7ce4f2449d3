import DescentOptim
import DescentTensor
import Testing

@Suite("Schedulers on Descent's optimizers")
struct SchedulerOptimizerTests {
  @Test("StepLR sets SGD's learning rate; the parameter update uses it")
  func stepLROnSGD() throws {
    let parameter = Parameter(Tensor<Double>([1.0]))
    let sgd = try SGD([parameter], lr: 0.1)
    let scheduler = try StepLR(sgd, stepSize: 2, gamma: 0.5)
    var rates: [Double] = []
    for _ in 0..<4 {
      parameter.grad = Tensor<Double>([1.0])
      sgd.step()
      rates.append(sgd.learningRate(ofGroup: 0))
      scheduler.step()
    }
    #expect(rates == [0.1, 0.1, 0.05, 0.05])
    #expect(sgd.learningRate(ofGroup: 0) == 0.025)
    // theta = 1 - (0.1 + 0.1 + 0.05 + 0.05) * 1
    #expect(scheduleClose(parameter.value.scalars[0], 0.7))
  }

  @Test("OneCycleLR cycles SGD's momentum")
  func oneCycleOnSGD() throws {
    let sgd = try SGD([Parameter(Tensor<Double>([1.0]))], lr: 0.1, momentum: 0.9)
    let scheduler = try OneCycleLR(sgd, maxLR: 1.0, totalSteps: 10)
    #expect(sgd.momentum(ofGroup: 0) == 0.95)
    for _ in 0..<2 { scheduler.step() }
    #expect(sgd.momentum(ofGroup: 0)! < 0.95)
  }
}
