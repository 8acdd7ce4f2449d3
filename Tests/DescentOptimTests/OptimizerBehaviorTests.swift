import DescentOptim
import DescentTensor
import Testing

@Suite struct OptimizerBehaviorTests {
  @Test(arguments: anyShapeOptimizerNames)
  func parameterWithoutGradientIsSkipped(_ name: String) throws {
    let parameters = makeParameters([[4], [3]], as: Double.self)
    let untouched = parameters[1].value
    let optimizer = try catalogOptimizer(name, parameters)
    let stateBefore = optimizer.stateDict().state[1]
    for step in 0..<3 {
      setGradients(parameters, step: step)
      parameters[1].grad = nil
      optimizer.step()
    }
    #expect(parameters[1].value == untouched)
    #expect(optimizer.stateDict().state[1] == stateBefore)
    #expect(optimizer.stateDict().state[0]?.step == 3)
    #expect(parameters[0].value != makeParameters([[4]], as: Double.self)[0].value)
  }

  @Test(arguments: anyShapeOptimizerNames)
  func zeroGradientsLeaveParametersUnchanged(_ name: String) throws {
    let parameters = makeParameters([[5], [2, 3]], as: Float.self)
    let before = parameters.map(\.value)
    var options: [String: HyperparameterValue] = ["lr": 0.1]
    if name == "AdamW" || name == "AdamW8bit" { options["weightDecay"] = 0 }
    if name == "ASGD" { options["lambd"] = 0 }  // ASGD's decay term shrinks parameters itself
    let optimizer = try catalogOptimizer(name, parameters, options)
    for _ in 0..<4 {
      for parameter in parameters { parameter.grad = Tensor(zeros: parameter.shape) }
      optimizer.step()
    }
    #expect(parameters.map(\.value) == before)
  }

  @Test func groupsUseTheirOwnLearningRates() throws {
    let slow = Parameter(Tensor<Double>([1, 2]))
    let fast = Parameter(Tensor<Double>([3]))
    let optimizer = try SGD([ParameterGroup([slow]), ParameterGroup([fast], ["lr": 0.5])], lr: 0.1)
    slow.grad = Tensor([1, -2])
    fast.grad = Tensor([4])
    optimizer.step()
    let expectedSlow: [Double] = [1 - 0.1 * 1, 2 + 0.1 * 2]
    let expectedFast: [Double] = [3 - 0.5 * 4]
    #expect(slow.value.scalars == expectedSlow)
    #expect(fast.value.scalars == expectedFast)
    #expect(optimizer.learningRate(ofGroup: 0) == 0.1)
    #expect(optimizer.learningRate(ofGroup: 1) == 0.5)
  }

  @Test func schedulerInterfaceReadsAndWritesGroups() throws {
    let parameter = Parameter(Tensor<Double>([1]))
    let adam = try Adam([parameter], lr: 0.01, betas: (0.8, 0.99))
    #expect(adam.paramGroupCount == 1)
    #expect(adam.momentum(ofGroup: 0) == 0.8)
    adam.setMomentum(0.85, ofGroup: 0)
    adam.setLearningRate(0.5, ofGroup: 0)
    #expect(adam.description.contains("betas: (0.85, 0.99)"))
    #expect(adam.learningRate(ofGroup: 0) == 0.5)
    let adagrad = try Adagrad([Parameter(Tensor<Double>([1]))])
    #expect(adagrad.momentum(ofGroup: 0) == nil)
    adagrad.setMomentum(0.3, ofGroup: 0)
    #expect(adagrad.momentum(ofGroup: 0) == nil)
    // A new learning rate takes effect at the next step: p -= lr * g.
    let sgd = try SGD([parameter], lr: 0.1)
    sgd.setLearningRate(0.25, ofGroup: 0)
    parameter.grad = Tensor([2])
    let start = parameter.value.scalars[0]
    sgd.step()
    #expect(parameter.value.scalars[0] == start - 0.25 * 2)
  }

  @Test func adagradCreatesStateAtConstructionOthersLazily() throws {
    let parameter = Parameter(Tensor<Float>([1, 2]))
    let adagrad = try Adagrad([parameter], initialAccumulatorValue: 0.5)
    #expect(adagrad.state(of: parameter)?.buffer("sum") == [0.5, 0.5])
    #expect(adagrad.state(of: parameter)?.step == 0)
    let adam = try Adam([Parameter(Tensor<Float>([1, 2]))])
    #expect(adam.stateDict().state.isEmpty)
  }

  @Test func closureLossIsReturnedAndHooksRunInOrder() throws {
    let parameter = Parameter(Tensor<Double>([3]))
    let optimizer = try SGD([parameter], lr: 0.1)
    var events: [String] = []
    let pre = optimizer.registerStepPreHook { _ in events.append("pre") }
    optimizer.registerStepPostHook { optimizer in
      events.append("post lr \(optimizer.learningRate(ofGroup: 0))")
    }
    let loss = optimizer.step {
      events.append("closure")
      let x = parameter.value.scalars[0]
      parameter.grad = Tensor([2 * x])
      return x * x
    }
    #expect(loss == 9)
    let expected: [Double] = [3 - 0.1 * 6]
    #expect(parameter.value.scalars == expected)
    #expect(events == ["pre", "closure", "post lr 0.1"])
    optimizer.removeHook(pre)
    events.removeAll()
    optimizer.step()
    #expect(events == ["post lr 0.1"])
  }

  @Test func zeroGradClearsOrZeroes() throws {
    let parameters = makeParameters([[2], [3]], as: Float.self)
    let optimizer = try RMSprop(parameters)
    setGradients(parameters, step: 0)
    optimizer.zeroGrad(setToNil: false)
    #expect(parameters.allSatisfy { $0.grad == Tensor(zeros: $0.shape) })
    optimizer.zeroGrad()
    #expect(parameters.allSatisfy { $0.grad == nil })
  }

  @Test func addParamGroupUsesDefaultsWithOverrides() throws {
    let first = Parameter(Tensor<Double>([1]))
    let second = Parameter(Tensor<Double>([1]))
    let optimizer = try SGD([first], lr: 0.1, momentum: 0.9)
    try optimizer.addParamGroup(ParameterGroup([second], ["lr": 0.01]))
    #expect(optimizer.paramGroupCount == 2)
    #expect(optimizer.learningRate(ofGroup: 1) == 0.01)
    #expect(optimizer.momentum(ofGroup: 1) == 0.9)
    #expect(optimizer.parameters.count == 2)
  }
}
