import DescentOptim
import Testing

/// `ParameterState`'s named scalars (ASGD's `eta` and `mu`, NAdam's `mu_product`).
@Suite struct ParameterStateTests {
  @Test func scalarsAreReadAddedReplacedAndRemovedByName() {
    var state = ParameterState<Float>(count: 2, scalars: ["mu": 1, "eta": 0.5])
    #expect(state[scalar: "eta"] == 0.5 && state[scalar: "mu"] == 1)
    #expect(state[scalar: "missing"] == nil)
    state[scalar: "eta"] = 0.25
    state[scalar: "alpha"] = 3
    #expect(state.scalars == ["eta": 0.25, "mu": 1, "alpha": 3])
    state[scalar: "mu"] = nil
    #expect(state.scalars == ["eta": 0.25, "alpha": 3])
  }

  @Test func equalityDoesNotDependOnTheOrderScalarsWereSet() {
    var first = ParameterState<Double>(count: 1)
    first[scalar: "b"] = 2
    first[scalar: "a"] = 1
    let second = ParameterState<Double>(count: 1, scalars: ["a": 1, "b": 2])
    #expect(first == second)
  }
}
