import DescentOptim
import DescentTensor
import Testing

/// Heavy-ball momentum written as a user would, outside DescentOptim, for one concrete scalar
/// type (so the step is compiled for it here).
struct UserMomentum: ElementwiseAlgorithm {
  typealias Scalar = Float
  static var name: String { "UserMomentum" }

  static func initialState(for parameter: Parameter<Float>, _: SGDHyperparameters)
    -> ParameterState<Float>
  {
    ParameterState(count: parameter.count, buffers: [("momentum_buffer", 0)])
  }

  let momentum: Float
  let negativeLR: Float

  init(_ settings: SGDHyperparameters, state _: inout ParameterState<Float>) {
    momentum = Float(settings.momentum)
    negativeLR = Float(-settings.lr)
  }

  @inline(__always)
  func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Float {
    let buffer = slots.buffer0 * L(repeating: momentum) + slots.grad
    slots.buffer0 = buffer
    slots.param = slots.param + L(repeating: negativeLR) * buffer
  }
}

/// A rule defined outside the library runs through the same fused kernel and gives the numbers
/// of the built-in SGD with the same momentum (whose first step also starts the buffer at `g`).
@Suite struct UserDefinedRuleTests {
  @Test(arguments: [KernelPath.vectorized, .scalar])
  func userMomentumMatchesBuiltInSGD(_ path: KernelPath) throws {
    let ours = makeParameters(FusedStepTests.shapes, as: Float.self)
    let theirs = cloned(ours)
    let settings = try SGDHyperparameters.given(["lr": 0.01, "momentum": 0.9])
    let builtIn = try SGD(ours, lr: 0.01, momentum: 0.9)
    let user = try Optimizer<UserMomentum>(groups: [ParameterGroup(theirs)], defaults: settings)
    builtIn.kernelPath = path
    user.kernelPath = path
    runSteps(builtIn, ours, count: 4)
    runSteps(user, theirs, count: 4)
    for (a, b) in zip(ours, theirs) {
      #expect(a.value.scalars == b.value.scalars)
    }
    #expect(
      user.state(of: theirs[0])?.buffer("momentum_buffer")
        == builtIn.state(of: ours[0])?.buffer("momentum_buffer"))
  }
}
