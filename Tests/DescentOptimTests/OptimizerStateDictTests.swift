import DescentOptim
import DescentTensor
import Foundation
import Testing

@Suite struct OptimizerStateDictTests {
  @Test(arguments: anyShapeOptimizerNames)
  func fiveStepsSavedLoadedAndFiveMoreEqualTenStraight(_ name: String) throws {
    let shapes = [[3, 4], [5]]
    let straight = makeParameters(shapes, as: Float.self)
    let straightOptimizer = try catalogOptimizer(name, straight)
    runSteps(straightOptimizer, straight, count: 10)

    let first = makeParameters(shapes, as: Float.self)
    let firstOptimizer = try catalogOptimizer(name, first)
    runSteps(firstOptimizer, first, count: 5)
    let saved = firstOptimizer.stateDict()
    let encoded = try JSONEncoder().encode(saved)
    let decoded = try JSONDecoder().decode(OptimizerStateDict.self, from: encoded)
    #expect(decoded == saved)

    let resumed = cloned(first)
    let resumedOptimizer = try catalogOptimizer(name, resumed, [:])
    try resumedOptimizer.loadStateDict(decoded)
    runSteps(resumedOptimizer, resumed, from: 5, count: 5)

    for (a, b) in zip(resumed, straight) {
      #expect(a.value.scalars == b.value.scalars)
    }
    #expect(resumedOptimizer.stateDict() == straightOptimizer.stateDict())
    #expect(resumedOptimizer.description == straightOptimizer.description)
  }

  @Test func stateIsKeyedByIndexInGroupOrder() throws {
    let parameters = makeParameters([[2], [3], [4]], as: Double.self)
    let optimizer = try Adam(
      [
        ParameterGroup([parameters[0]]),
        ParameterGroup([parameters[1], parameters[2]], ["lr": 0.1]),
      ],
      lr: 0.01)
    parameters[0].grad = Tensor([1, 1])
    parameters[2].grad = Tensor([1, 2, 3, 4])
    optimizer.step()
    let dict = optimizer.stateDict()
    #expect(dict.paramGroups.map(\.params) == [[0], [1, 2]])
    #expect(dict.paramGroups[1].hyperparameters["lr"] == .number(0.1))
    #expect(Set(dict.state.keys) == [0, 2])
    #expect(dict.state[2]?.step == 1)
    #expect(dict.state[2]?.buffers["exp_avg"]?.count == 4)
  }

  @Test func mismatchedStateDictsThrowAndChangeNothing() throws {
    let parameters = makeParameters([[3, 4], [5]], as: Double.self)
    let optimizer = try Adam(parameters, lr: 0.01, amsgrad: true)
    runSteps(optimizer, parameters, count: 3)
    let good = optimizer.stateDict()

    var extraGroup = good
    extraGroup.paramGroups.append(extraGroup.paramGroups[0])
    var missingParameter = good
    missingParameter.paramGroups[0].params.removeLast()
    var shortBuffer = good
    shortBuffer.state[1]?.buffers["exp_avg"]?.removeLast()
    var wrongShape = good
    wrongShape.state[0]?.shape = [4, 3]
    var badHyperparameter = good
    badHyperparameter.paramGroups[0].hyperparameters["lr"] = .number(-1)
    var unknownIndex = good
    unknownIndex.state[7] = good.state[0]
    var missingHyperparameter = good
    missingHyperparameter.paramGroups[0].hyperparameters["betas"] = nil

    for bad in [
      extraGroup, missingParameter, shortBuffer, wrongShape, badHyperparameter, unknownIndex,
      missingHyperparameter,
    ] {
      #expect(throws: OptimizerError.self) { try optimizer.loadStateDict(bad) }
      #expect(optimizer.stateDict() == good)
    }
  }
}
