import DescentTensor
import Foundation
import Testing

@testable import DescentOptim

/// Replays an `optim-adafactor-*.json` fixture with ``Adafactor`` in `Scalar` and returns the
/// tally of every parameter after every step and of the final state.
func replayAdafactorFixture<Scalar: LaneScalar>(_ file: String, as _: Scalar.Type) throws
  -> DeviationTally
{
  let data = try Data(contentsOf: schedulerFixtureURL(file))
  let fixture = try JSONDecoder().decode(OptimizerFixture.self, from: data)
  let parameters = fixture.params.map {
    Parameter(Tensor(shape: $0.shape, scalars: $0.data.map { Scalar($0) }))
  }
  let optimizer = try Adafactor(
    groups: [ParameterGroup(parameters)],
    defaults: AdafactorHyperparameters(
      entries: AdafactorHyperparameters<Scalar>().entries.merging(
        hyperparameters(fixture.options, field: "options")
      ) { $1 }))
  var tally = DeviationTally(tolerance: try Tolerance.of(dtype: fixture.dtype))
  for (step, (gradients, expected)) in zip(fixture.grads, fixture.expected).enumerated() {
    for (parameter, gradient) in zip(parameters, gradients) {
      parameter.grad = gradient.map {
        Tensor(shape: parameter.shape, scalars: $0.map { Scalar($0) })
      }
    }
    optimizer.step()
    for (index, (parameter, values)) in zip(parameters, expected).enumerated() {
      tally.compare(
        parameter.value.scalars.map { Double($0) }, values, "step \(step + 1) p\(index)")
    }
  }
  let dict = optimizer.stateDict()
  for (key, entries) in try #require(fixture.finalState) {
    let record = try #require(dict.state[Int(key) ?? -1])
    for (name, value) in entries {
      if name == "step" {
        tally.compare([Double(record.step)], [try #require(value.number)], "\(key).step")
      } else {
        tally.compare(record.buffers[name] ?? [], try #require(value.numbers), "\(key).\(name)")
      }
    }
  }
  return tally
}

@Suite struct AdafactorTests {
  static let fixtures = [
    "optim-adafactor-default-f32.json", "optim-adafactor-default-f64.json",
    "optim-adafactor-tuned-f32.json", "optim-adafactor-tuned-f64.json",
  ]

  @Test(arguments: fixtures) func fixtureMatchesPyTorch(_ file: String) throws {
    let tally =
      file.hasSuffix("f32.json")
      ? try replayAdafactorFixture(file, as: Float.self)
      : try replayAdafactorFixture(file, as: Double.self)
    #expect(tally.failure == nil, "\(file): \(tally.failure ?? "")")
    #expect(tally.comparisons > 100)
  }

  /// The relative step `min(lr, 1 / sqrt(t))` shrinks, so the valley takes many steps.
  @Test func minimizesRosenbrockFromOrigin() throws {
    let point = Parameter(Tensor<Double>([0, 0]))
    let adafactor = try Adafactor([point], lr: 0.1)
    for _ in 0..<10_000 {
      _ = rosenbrockLoss(point)
      adafactor.step()
    }
    #expect(abs(point.value.scalars[0] - 1) < 3e-2)
    #expect(abs(point.value.scalars[1] - 1) < 3e-2)
  }

  @Test func minimizesParabola() throws {
    let target: [Double] = [1, -1, 1]
    let point = Parameter(Tensor<Double>([-1, 10, 1]))
    let adafactor = try Adafactor([point], lr: 0.5)
    for _ in 0..<2000 {
      _ = parabolaLoss(point, target: target)
      adafactor.step()
    }
    for (value, goal) in zip(point.value.scalars, target) { #expect(abs(value - goal) < 3e-2) }
  }

  @Test func factorsTheLastTwoDimensions() throws {
    // A [2, 2, 3] parameter is two 2x3 matrices: each matches a lone 2x3 matrix.
    let scalars: [Double] = (0..<12).map { Double($0) / 5 - 1 }
    let gradient: [Double] = (0..<12).map { Double(($0 * 7) % 12) / 3 - 2 }
    let batched = Parameter(Tensor(shape: [2, 2, 3], scalars: scalars))
    let halves = (0..<2).map {
      Parameter(Tensor(shape: [2, 3], scalars: Array(scalars[($0 * 6)..<($0 * 6 + 6)])))
    }
    let whole = try Adafactor([batched], lr: 0.1)
    let split = try Adafactor(halves, lr: 0.1)
    for _ in 0..<3 {
      batched.grad = Tensor(shape: [2, 2, 3], scalars: gradient)
      for (index, half) in halves.enumerated() {
        half.grad = Tensor(shape: [2, 3], scalars: Array(gradient[(index * 6)..<(index * 6 + 6)]))
      }
      // The RMS of the parameter and of the update are taken over the whole tensor, so compare
      // the factors, which are per matrix.
      whole.step()
      split.step()
    }
    let record = try #require(whole.stateDict().state[0])
    let parts = split.stateDict()
    #expect(record.buffers["row_var"]?.count == 4 && record.buffers["col_var"]?.count == 6)
    #expect(
      record.buffers["row_var"]
        == (parts.state[0]?.buffers["row_var"] ?? []) + (parts.state[1]?.buffers["row_var"] ?? []))
    #expect(
      record.buffers["col_var"]
        == (parts.state[0]?.buffers["col_var"] ?? []) + (parts.state[1]?.buffers["col_var"] ?? []))
  }

  @Test func firstStepUsesTheSquaredGradientsAsVariance() throws {
    // Step 1: 1 - beta2 = 1, so variance = g^2, U = sign(g) (for |g| > eps1), RMS(U) = 1,
    // rho = min(lr, 1) and alpha = max(eps2, RMS(p)) * lr.
    let point = Parameter(Tensor<Double>([3, -4]))
    let adafactor = try Adafactor([point], lr: 0.01)
    point.grad = Tensor([0.5, -2])
    adafactor.step()
    let alpha = (12.5).squareRoot() * 0.01
    #expect(abs(point.value.scalars[0] - (3 - alpha)) < 1e-12)
    #expect(abs(point.value.scalars[1] - (-4 + alpha)) < 1e-12)
    #expect(adafactor.state(of: point)?.buffer("variance") == [0.25, 4])
  }

  @Test func stateDictRoundTripsAndChecksFactorSizes() throws {
    let matrix = Parameter(Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
    let adafactor = try Adafactor([matrix], weightDecay: 0.1)
    matrix.grad = Tensor(shape: [2, 3], scalars: [1, -1, 2, -2, 3, -3])
    adafactor.step()
    let dict = adafactor.stateDict()
    let data = try JSONEncoder().encode(dict)
    let copy = try Adafactor([Parameter(matrix.value)], weightDecay: 0.1)
    try copy.loadStateDict(JSONDecoder().decode(OptimizerStateDict.self, from: data))
    #expect(copy.stateDict() == dict)
    var wrong = dict
    wrong.state[0]?.buffers["row_var"] = [1, 2, 3]
    #expect(throws: OptimizerError.self) { try copy.loadStateDict(wrong) }
    #expect(copy.stateDict() == dict)
  }

  @Test func defaultEpsilonIsTheMachineEpsilonOfTheScalar() throws {
    #expect(AdafactorHyperparameters<Float>().eps.0 == Double(Float.ulpOfOne))
    #expect(AdafactorHyperparameters<Double>().eps.0 == 0x1p-52)
    let explicit = try AdafactorHyperparameters<Double>(eps: (1e-20, 0.01))
    #expect(explicit.eps == (1e-20, 0.01))
  }

  @Test func invalidHyperparametersAreNamed() throws {
    let point = Parameter(Tensor<Double>([0]))
    let cases: [(String, () throws -> Adafactor<Double>)] = [
      ("lr", { try Adafactor([point], lr: -1) }),
      ("beta2Decay", { try Adafactor([point], beta2Decay: 0.5) }),
      ("eps[0]", { try Adafactor([point], eps: (-1, 1e-3)) }),
      ("eps[1]", { try Adafactor([point], eps: (nil, -1)) }),
      ("d", { try Adafactor([point], d: 0.5) }),
      ("weightDecay", { try Adafactor([point], weightDecay: -0.1) }),
    ]
    for (name, make) in cases {
      let error = #expect(throws: OptimizerError.self) { _ = try make() }
      #expect(error?.description.contains(name) == true, "\(String(describing: error))")
    }
  }

  @Test func printsPyTorchLayout() throws {
    let adafactor = try Adafactor([Parameter(Tensor<Double>([0]))], eps: (1e-30, 1e-3))
    #expect(
      adafactor.description == """
        Adafactor (
        Parameter Group 0
            beta2Decay: -0.8
            d: 1.0
            eps: (1e-30, 0.001)
            foreach: false
            lr: 0.01
            maximize: false
            weightDecay: 0.0
        )
        """)
  }
}
