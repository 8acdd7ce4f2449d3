import DescentTensor
import Testing

/// `ParameterArena`: members keep working as parameters while their values and gradients live in
/// the arena, and the flat parameter sees them all.
@Suite struct ParameterArenaTests {
  static func twoParameters() -> [Parameter<Double>] {
    [Parameter(Tensor(rows: [[1, 2], [3, 4]])), Parameter(Tensor([5, 6, 7]))]
  }

  @Test func membersKeepTheirValuesAndTheFlatParameterHoldsThemInOrder() throws {
    let members = Self.twoParameters()
    let arena = try ParameterArena(members)
    #expect(arena.count == 7)
    #expect(arena.flat.shape == [7])
    #expect(members[0].value == Tensor(rows: [[1, 2], [3, 4]]))
    #expect(members[1].value == Tensor([5, 6, 7]))
    #expect(arena.flat.value.scalars == [1, 2, 3, 4, 5, 6, 7])
    #expect(members.allSatisfy(\.isInArena) && arena.flat.isInArena)
    #expect(!arena.flat.hasGradient && arena.flat.grad == nil)
  }

  @Test func writesThroughEitherSideAreSeenByTheOtherButNotByEarlierCopies() throws {
    let members = Self.twoParameters()
    let arena = try ParameterArena(members)
    let before = members[1].value
    arena.flat.withUnsafeMutableValues { values in
      for index in values.indices { values[index] *= 10 }
    }
    #expect(members[1].value.scalars == [50, 60, 70])
    #expect(before.scalars == [5, 6, 7])
    members[0].value = Tensor(rows: [[-1, -2], [-3, -4]])
    #expect(arena.flat.value.scalars == [-1, -2, -3, -4, 50, 60, 70])
  }

  @Test func backwardAccumulatesIntoTheArenaAsIntoOwnedParameters() throws {
    let owned = Self.twoParameters()
    let members = Self.twoParameters()
    let arena = try ParameterArena(members)
    for parameters in [owned, members] {
      for _ in 0..<2 {
        let loss =
          (parameters[0].value * parameters[0].value).sum()
          + (parameters[1].value * Tensor([1, -2, 3])).sum()
        loss.backward()
      }
    }
    // d/dw of sum(w*w) is 2w, twice; of sum(v*c) is c, twice.
    #expect(members[0].grad == Tensor(rows: [[4, 8], [12, 16]]))
    #expect(members[1].grad == Tensor([2, -4, 6]))
    for (a, b) in zip(owned, members) { #expect(a.grad == b.grad) }
    #expect(arena.flat.grad?.scalars == [4, 8, 12, 16, 2, -4, 6])
  }

  @Test func aMemberWithoutGradientReadsAsZerosInTheFlatGradient() throws {
    let members = Self.twoParameters()
    let arena = try ParameterArena(members)
    members[0].grad = Tensor(rows: [[9, 9], [9, 9]])
    members[1].grad = Tensor([1, 1, 1])
    members[0].zeroGrad()
    #expect(members[0].grad == nil && members[1].hasGradient && arena.flat.hasGradient)
    #expect(arena.flat.grad?.scalars == [0, 0, 0, 0, 1, 1, 1])
    let buffers = try #require(arena.flat.stepBuffers())
    #expect((0..<7).map { buffers.gradient[$0] } == [0, 0, 0, 0, 1, 1, 1])
    #expect(members[0].grad == nil)
  }

  @Test func clearingAndZeroingFollowPyTorch() throws {
    let members = Self.twoParameters()
    let arena = try ParameterArena(members)
    members[1].grad = Tensor([1, 2, 3])
    arena.flat.zeroGrad(setToNil: false)
    #expect(arena.flat.grad?.scalars == [0, 0, 0, 0, 0, 0, 0])
    #expect(members[0].grad == Tensor(zeros: [2, 2]))
    arena.flat.zeroGrad()
    #expect(members.allSatisfy { $0.grad == nil } && arena.flat.grad == nil)
    members[0].zeroGrad(setToNil: false)
    #expect(members[0].grad == nil)
  }

  @Test func settingTheFlatGradientSetsEveryMembers() throws {
    let members = Self.twoParameters()
    let arena = try ParameterArena(members)
    arena.flat.grad = Tensor([1, 2, 3, 4, 5, 6, 7])
    #expect(members[0].grad == Tensor(rows: [[1, 2], [3, 4]]))
    #expect(members[1].grad == Tensor([5, 6, 7]))
    members[1].withUnsafeMutableGradient { gradient in gradient[0] = -5 }
    #expect(arena.flat.grad?.scalars == [1, 2, 3, 4, -5, 6, 7])
  }

  @Test func anExistingGradientMovesIn() throws {
    let members = Self.twoParameters()
    members[1].grad = Tensor([0.5, 0.25, 0.125])
    _ = try ParameterArena(members)
    #expect(members[1].grad == Tensor([0.5, 0.25, 0.125]))
    #expect(members[0].grad == nil)
  }

  @Test func aParameterGivenTwiceOrAlreadyPlacedIsRejectedWithoutMovingAnything() throws {
    let members = Self.twoParameters()
    #expect(throws: ParameterArenaError.duplicateParameter(index: 2)) {
      try ParameterArena([members[0], members[1], members[0]])
    }
    #expect(!members[0].isInArena && !members[1].isInArena)
    let arena = try ParameterArena([members[0]])
    #expect(throws: ParameterArenaError.alreadyInArena(index: 1)) {
      try ParameterArena([members[1], members[0]])
    }
    #expect(throws: ParameterArenaError.alreadyInArena(index: 0)) {
      try ParameterArena([arena.flat])
    }
    #expect(!members[1].isInArena)
    #expect(
      ParameterArenaError.alreadyInArena(index: 1).description
        == "parameter 1 is already in an arena")
  }

  @Test func theArenaOutlivesItsObjectThroughItsMembers() throws {
    let members = Self.twoParameters()
    var flat: Parameter<Double>?
    do { flat = try ParameterArena(members).flat }
    members[1].value = Tensor([8, 9, 10])
    #expect(flat?.value.scalars == [1, 2, 3, 4, 8, 9, 10])
  }

  @Test func emptyMembersAndAnEmptyArenaWork() throws {
    let members = [Parameter(Tensor<Float>(zeros: [0])), Parameter(Tensor<Float>([1, 2]))]
    let arena = try ParameterArena(members)
    members[1].grad = Tensor([3, 4])
    #expect(arena.flat.grad?.scalars == [3, 4])
    #expect(members[0].value.count == 0 && members[0].grad == nil)
    let empty = try ParameterArena<Double>([])
    #expect(empty.count == 0 && empty.flat.value.scalars.isEmpty && empty.members.isEmpty)
    #expect(empty.flat.stepBuffers() == nil)
  }
}
