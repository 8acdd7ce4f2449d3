import DescentOptim
import DescentTensor
import Foundation
import Testing

@Suite struct LionTests {
  @Test(arguments: optimizerFixtures.filter { $0.hasPrefix("optim-lion-") })
  func fixtureMatchesLionPyTorch(_ name: String) throws {
    for path in [KernelPath.vectorized, .scalar] {
      let result = try ConformanceRegistry.standard.run(
        fixtureAt: fixtureURL(name), options: ConformanceOptions(kernelPath: path))
      #expect(result.passed, "\(path): \(result)")
    }
  }

  @Test func oneStepIsTheSignOfTheInterpolatedMomentum() throws {
    let parameter = Parameter(Tensor<Double>([1, -2, 3, 0.5]))
    let lion = try Lion([parameter], lr: 0.1, betas: (0.9, 0.99), weightDecay: 0.5)
    parameter.grad = Tensor([2, -3, 0, 1e-9])
    lion.step()
    // p * (1 - 0.1 * 0.5) - 0.1 * sign(0.1 g); the zero gradient gives no step.
    #expect(
      parameter.value.scalars == [1 * 0.95 - 0.1, -2 * 0.95 + 0.1, 3 * 0.95, 0.5 * 0.95 - 0.1])
    let momentum = try #require(lion.state(of: parameter)?.buffer("exp_avg"))
    #expect(momentum == [2, -3, 0, 1e-9].map { (1 - 0.99) * $0 })
  }

  @Test func invalidHyperparametersThrow() {
    let parameters = [Parameter(Tensor<Float>([1, 2]))]
    for (name, make) in [
      ("lr", { _ = try Lion(parameters, lr: 0) }),
      ("lr", { _ = try Lion(parameters, lr: -1) }),
      ("betas[0]", { _ = try Lion(parameters, betas: (1.5, 0.99)) }),
      ("betas[1]", { _ = try Lion(parameters, betas: (0.9, -0.1)) }),
      ("weightDecay", { _ = try Lion(parameters, weightDecay: -1) }),
    ] as [(String, () throws -> Void)] {
      #expect(throws: OptimizerError.self) { try make() }
      do { try make() } catch let OptimizerError.invalidHyperparameter(optimizer, reported, _, _) {
        #expect(optimizer == "Lion")
        #expect(reported == name)
      } catch { Issue.record("unexpected \(error)") }
    }
  }

  @Test func printsLikeLionPyTorch() throws {
    let lion = try Lion([Parameter(Tensor<Float>([1]))], lr: 0.003, betas: (0.95, 0.98))
    #expect(
      lion.description
        == "Lion (\nParameter Group 0\n    betas: (0.95, 0.98)\n    lr: 0.003\n"
        + "    weightDecay: 0.0\n)")
  }

  @Test func stateDictResumesExactly() throws {
    let shapes = [[3, 4], [5]]
    let straight = makeParameters(shapes, as: Float.self)
    let straightLion = try Lion(straight, lr: 0.01, weightDecay: 0.1)
    runSteps(straightLion, straight, count: 8)

    let first = makeParameters(shapes, as: Float.self)
    let firstLion = try Lion(first, lr: 0.01, weightDecay: 0.1)
    runSteps(firstLion, first, count: 4)
    let saved = try JSONDecoder().decode(
      OptimizerStateDict.self, from: JSONEncoder().encode(firstLion.stateDict()))
    #expect(saved.state[0]?.bufferOrder == ["exp_avg"])
    let resumed = cloned(first)
    let resumedLion = try Lion(resumed)
    try resumedLion.loadStateDict(saved)
    runSteps(resumedLion, resumed, from: 4, count: 4)
    #expect(resumed.map(\.value) == straight.map(\.value))
    #expect(resumedLion.stateDict() == straightLion.stateDict())
  }
}
