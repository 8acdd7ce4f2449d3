import DescentOptim
import DescentTensor
import Foundation
import Testing

@Suite struct ScheduleFreeTests {
  static let fixtures = optimizerFixtures.filter { $0.hasPrefix("optim-schedulefree-") }

  @Test(arguments: fixtures)
  func fixtureMatchesScheduleFreeInTrainAndEvalModes(_ name: String) throws {
    for path in [KernelPath.vectorized, .scalar] {
      let result = try ConformanceRegistry.standard.run(
        fixtureAt: fixtureURL(name), options: ConformanceOptions(kernelPath: path))
      #expect(result.passed, "\(path): \(result)")
    }
  }

  /// After the fixture's steps, the printed form is the reference's repr (with its bookkeeping:
  /// `k`, `weight_sum`, `lr_max`, `scheduled_lr`, `train_mode`), spelled the Swift way.
  @Test(arguments: fixtures)
  func printedFormAfterTheStepsMatchesTheRepr(_ name: String) throws {
    let data = try Data(contentsOf: fixtureURL(name))
    let fixture = try JSONDecoder().decode(ReprFixture.self, from: data)
    let steps = try JSONDecoder().decode(Steps.self, from: data)
    let parameters = steps.params.map {
      Parameter(Tensor<Double>(shape: $0.shape, scalars: $0.data))
    }
    var options = hyperparameterOptions(fixture.options)
    options["foreach"] = nil
    let optimizer = try OptimizerCatalog.make(
      fixture.optimizer, groups: [ParameterGroup(parameters)], options: options)
    for gradients in steps.grads {
      for (parameter, gradient) in zip(parameters, gradients) {
        parameter.grad = Tensor(shape: parameter.shape, scalars: gradient)
      }
      optimizer.step()
    }
    #expect(optimizer.description == swiftSpelling(ofRepr: fixture.repr))
  }

  struct Steps: Decodable {
    struct Initial: Decodable {
      let shape: [Int]
      let data: [Double]
    }
    let params: [Initial]
    let grads: [[[Double]]]
  }

  @Test func evalThenTrainRoundTripsTheParameters() throws {
    let parameters = makeParameters([[3, 4], [5]], as: Double.self)
    let optimizer = try AdamWScheduleFree(parameters, lr: 0.05, warmupSteps: 2)
    #expect(!optimizer.isTraining)
    optimizer.train()
    #expect(optimizer.isTraining)
    runSteps(optimizer, parameters, count: 6)
    let y = parameters.map(\.value.scalars)
    optimizer.eval()
    #expect(!optimizer.isTraining)
    let x = parameters.map(\.value.scalars)
    #expect(x != y)
    optimizer.eval()  // already in eval mode: no change
    #expect(parameters.map(\.value.scalars) == x)
    optimizer.train()
    optimizer.train()  // already in train mode: no change
    for (back, original) in zip(parameters.map(\.value.scalars), y) {
      for (a, b) in zip(back, original) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b))) }
    }
  }

  @Test func evalPutsTheAverageOfTheIteratesInTheParameters() throws {
    // With r = 0 and a constant lr, the average weight of step t is 1 / t: x is the plain mean
    // of the iterates z_1 ... z_t, each z being plain SGD.
    let parameter = Parameter(Tensor<Double>([1, -1]))
    let optimizer = try SGDScheduleFree([parameter], lr: 0.1, momentum: 0.5)
    var z: [Double] = [1, -1]
    var sum: [Double] = [0, 0]
    for step in 0..<4 {
      let g = [Double(step + 1), -0.5]
      parameter.grad = Tensor(g)
      optimizer.step()
      z = zip(z, g).map { $0 - 0.1 * $1 }
      sum = zip(sum, z).map { $0 + $1 }
    }
    optimizer.eval()
    let zState = try #require(optimizer.state(of: parameter)?.buffer("z"))
    for (a, b) in zip(zState, z) { #expect(abs(a - b) <= 1e-12) }
    for (a, b) in zip(parameter.value.scalars, sum.map { $0 / 4 }) { #expect(abs(a - b) <= 1e-12) }
  }

  @Test func stepInEvalModeFirstSwitchesToTrainMode() throws {
    let explicit = makeParameters([[7]], as: Float.self)
    let implicit = cloned(explicit)
    let a = try SGDScheduleFree(explicit, lr: 0.1)
    let b = try SGDScheduleFree(implicit, lr: 0.1)
    for optimizer in [a, b] { optimizer.train() }
    runSteps(a, explicit, count: 3)
    runSteps(b, implicit, count: 3)
    a.eval()
    b.eval()
    a.train()
    runSteps(a, explicit, from: 3, count: 2)
    runSteps(b, implicit, from: 3, count: 2)  // no train(): the step switches
    #expect(b.isTraining)
    #expect(explicit.map(\.value) == implicit.map(\.value))
  }

  @Test func invalidHyperparametersThrow() {
    let parameters = [Parameter(Tensor<Float>([1, 2]))]
    let cases: [(String, String, () throws -> Void)] = [
      ("AdamWScheduleFree", "lr", { _ = try AdamWScheduleFree(parameters, lr: -1) }),
      ("AdamWScheduleFree", "betas[0]", { _ = try AdamWScheduleFree(parameters, betas: (0, 0.9)) }),
      ("AdamWScheduleFree", "betas[1]", { _ = try AdamWScheduleFree(parameters, betas: (0.9, 1)) }),
      ("AdamWScheduleFree", "eps", { _ = try AdamWScheduleFree(parameters, eps: -1) }),
      (
        "AdamWScheduleFree", "warmupSteps",
        { _ = try AdamWScheduleFree(parameters, warmupSteps: -1) }
      ),
      ("AdamWScheduleFree", "r", { _ = try AdamWScheduleFree(parameters, r: .nan) }),
      ("SGDScheduleFree", "momentum", { _ = try SGDScheduleFree(parameters, momentum: 1) }),
      ("SGDScheduleFree", "momentum", { _ = try SGDScheduleFree(parameters, momentum: 0) }),
      ("SGDScheduleFree", "weightDecay", { _ = try SGDScheduleFree(parameters, weightDecay: -1) }),
      (
        "SGDScheduleFree", "weightLrPower",
        {
          _ = try SGDScheduleFree(parameters, weightLrPower: .infinity)
        }
      ),
      (
        "SGDScheduleFree", "k",
        {
          _ = try SGDScheduleFree([ParameterGroup(parameters, ["k": 1.5])])
        }
      ),
    ]
    for (optimizer, name, make) in cases {
      do {
        try make()
        Issue.record("no error for \(optimizer) \(name)")
      } catch let OptimizerError.invalidHyperparameter(reportedOptimizer, reported, _, _) {
        #expect(reportedOptimizer == optimizer)
        #expect(reported == name)
      } catch { Issue.record("unexpected \(error)") }
    }
  }

  @Test(arguments: ["AdamWScheduleFree", "SGDScheduleFree"])
  func stateDictResumesExactlyWithTheGroupBookkeeping(_ name: String) throws {
    let shapes = [[3, 4], [5]]
    let straight = makeParameters(shapes, as: Double.self)
    let straightOptimizer = try catalogOptimizer(name, straight)
    runSteps(straightOptimizer, straight, count: 9)

    let first = makeParameters(shapes, as: Double.self)
    let firstOptimizer = try catalogOptimizer(name, first)
    runSteps(firstOptimizer, first, count: 4)
    let saved = try JSONDecoder().decode(
      OptimizerStateDict.self, from: JSONEncoder().encode(firstOptimizer.stateDict()))
    #expect(saved.paramGroups[0].hyperparameters["k"] == 4)
    #expect(saved.paramGroups[0].hyperparameters["trainMode"] == true)
    #expect(saved.state[0]?.bufferOrder.first == "z")
    let resumed = cloned(first)
    let resumedOptimizer = try catalogOptimizer(name, resumed, [:])
    try resumedOptimizer.loadStateDict(saved)
    runSteps(resumedOptimizer, resumed, from: 4, count: 5)
    #expect(resumed.map(\.value) == straight.map(\.value))
    #expect(resumedOptimizer.stateDict() == straightOptimizer.stateDict())
    #expect(resumedOptimizer.description == straightOptimizer.description)
  }
}
