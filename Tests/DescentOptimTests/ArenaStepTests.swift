import DescentOptim
import DescentTensor
import Testing

/// An element-wise optimizer stepping an arena's flat parameter gives exactly the numbers of the
/// same optimizer stepping the members one by one, and keeps its state in one contiguous stretch.
/// (Not the 8-bit ones: their blocks of 256 and 4096-element threshold see the flat tensor, as
/// bitsandbytes' would.)
@Suite struct ArenaStepTests {
  static let shapes = FusedStepTests.shapes + [[4, 4], [1]]

  static let names = OptimizerCatalog.entries.filter { $0.isElementwise && !$0.keepsBlockwiseState }
    .map(\.name)

  @Test(arguments: names)
  func flatStepMatchesPerMemberStepsBitForBit(_ name: String) throws {
    let separate = makeParameters(Self.shapes, as: Float.self)
    let members = cloned(separate)
    let arena = try ParameterArena(members)
    let perMember = try catalogOptimizer(name, separate)
    let flat = try catalogOptimizer(name, [arena.flat])
    for step in 0..<5 {
      setGradients(separate, step: step)
      setGradients(members, step: step)
      perMember.step()
      flat.step()
    }
    for (a, b) in zip(separate, members) {
      #expect(a.value.scalars == b.value.scalars)
    }
    // The flat state's buffers are the members' buffers laid end to end.
    let memberRecords = try separate.indices.map {
      try #require(perMember.stateDict().state[$0])
    }
    let flatRecord = try #require(flat.stateDict().state[0])
    #expect(flatRecord.step == 5)
    #expect(flatRecord.bufferOrder == memberRecords[0].bufferOrder)
    #expect(flatRecord.scalars == memberRecords[0].scalars)
    for key in flatRecord.bufferOrder {
      #expect(flatRecord.buffers[key] == memberRecords.flatMap { $0.buffers[key] ?? [] })
    }
  }

  @Test func backwardIntoTheArenaThenOneFlatStepTrainsTheModel() throws {
    // Least squares on y = 2x - 1: the members are a weight and a bias used by autograd.
    let weight = Parameter(Tensor<Double>([0]))
    let bias = Parameter(Tensor<Double>([0]))
    let arena = try ParameterArena([weight, bias])
    let optimizer = try SGD([arena.flat], lr: 0.1)
    let inputs = Tensor<Double>([0, 1, 2, 3])
    let targets = inputs * 2 - 1
    for _ in 0..<300 {
      optimizer.zeroGrad()
      let error = inputs * weight.value + bias.value - targets
      (error * error).mean().backward()
      optimizer.step()
    }
    #expect(abs(weight.value.item - 2) < 1e-6)
    #expect(abs(bias.value.item + 1) < 1e-6)
  }

  @Test func theFlatParameterWithOneOfItsMembersIsRefused() throws {
    let members = makeParameters([[3], [2]], as: Double.self)
    let arena = try ParameterArena(members)
    #expect(throws: OptimizerError.overlappingParameter(optimizer: "Adam", group: 0, position: 1)) {
      try Adam([arena.flat, members[1]])
    }
    #expect(throws: OptimizerError.overlappingParameter(optimizer: "SGD", group: 1, position: 0)) {
      try SGD([ParameterGroup(members), ParameterGroup([arena.flat])])
    }
    #expect(throws: OptimizerError.overlappingParameter(optimizer: "LBFGS", group: 0, position: 2))
    {
      try LBFGS(members + [arena.flat])
    }
    // Members of one arena may be optimized together, and apart from the arena's other uses.
    let adam = try Adam(members)
    #expect(throws: OptimizerError.duplicateParameter(optimizer: "Adam", group: 1, position: 0)) {
      try adam.addParamGroup(ParameterGroup([members[0]]))
    }
    #expect(
      OptimizerError.overlappingParameter(optimizer: "Adam", group: 0, position: 1).description
        == "Adam: parameter 1 of group 0 shares its memory with an earlier parameter (an arena's "
        + "flat parameter and one of its members); give one or the other")
  }

  @Test func clippingTheFlatGradientClipsLikeClippingTheMembers() throws {
    let separate = makeParameters(Self.shapes, as: Double.self)
    let members = cloned(separate)
    let arena = try ParameterArena(members)
    setGradients(separate, step: 3)
    setGradients(members, step: 3)
    let separateNorm = try clipGradNorm(separate, maxNorm: 1)
    let flatNorm = try clipGradNorm([arena.flat], maxNorm: 1)
    #expect(abs(separateNorm - flatNorm) <= 1e-12 * separateNorm)
    for (a, b) in zip(separate, members) {
      let error = zip(a.grad!.scalars, b.grad!.scalars).map { abs($0 - $1) }.max() ?? 0
      #expect(error <= 1e-15)
    }
  }

  @Test func aStateDictOfTheFlatParameterResumesIntoANewArena() throws {
    let uninterrupted = makeParameters(Self.shapes, as: Float.self)
    let resumed = cloned(uninterrupted)
    let first = try ParameterArena(uninterrupted)
    let adam = try catalogOptimizer("Adam", [first.flat])
    runSteps(adam, uninterrupted, count: 3)
    // A "restart": the values and the optimizer's state dict move to new objects.
    for (target, source) in zip(resumed, uninterrupted) { target.value = source.value }
    let second = try ParameterArena(resumed)
    let restarted = try catalogOptimizer("Adam", [second.flat])
    try restarted.loadStateDict(adam.stateDict())
    runSteps(adam, uninterrupted, from: 3, count: 2)
    runSteps(restarted, resumed, from: 3, count: 2)
    for (a, b) in zip(uninterrupted, resumed) {
      #expect(a.value.scalars == b.value.scalars)
    }
  }
}
