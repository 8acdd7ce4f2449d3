import DescentTensor
import Foundation
import Testing

@testable import DescentOptim

/// The loss `sum (p - target)^2` at `parameter`, with its gradient stored in the parameter.
func parabolaLoss<Scalar: TensorScalar>(_ parameter: Parameter<Scalar>, target: [Scalar]) -> Scalar
{
  let values = parameter.value.scalars
  parameter.grad = Tensor(zip(values, target).map { 2 * ($0 - $1) })
  return zip(values, target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
}

/// Rosenbrock's loss at `parameter` (a 2-vector), with its gradient stored in the parameter.
func rosenbrockLoss(_ parameter: Parameter<Double>) -> Double {
  let xy = parameter.value.scalars
  let (gx, gy) = TestFunction.rosenbrock.gradient(xy[0], xy[1])
  parameter.grad = Tensor([gx, gy])
  return TestFunction.rosenbrock.value(xy[0], xy[1])
}

@Suite struct LBFGSTests {
  static let fixtures = ["loop-lbfgs-plain.json", "loop-lbfgs-wolfe.json"]

  @Test(arguments: fixtures) func fixtureMatchesPyTorch(_ file: String) throws {
    let data = try Data(contentsOf: schedulerFixtureURL(file))
    let result = try LBFGSFixtureRunner().run(data, options: ConformanceOptions())
    #expect(result.passed, "\(result)")
    #expect(result.comparisons == 2 * 7 + 6)
  }

  /// In Float, rounding differences grow by about a thousand times per call on Rosenbrock, so
  /// the first call is held to 1e-3 of PyTorch's float64 numbers and the last to 3e-2.
  @Test(arguments: fixtures) func fixtureIsFollowedInFloat(_ file: String) throws {
    let data = try Data(contentsOf: schedulerFixtureURL(file))
    let fixture = try JSONDecoder().decode(LBFGSFixture.self, from: data)
    let point = Parameter(Tensor<Float>(fixture.start.map { Float($0) }))
    let lbfgs = try LBFGS([ParameterGroup([point])], hyperparameters: fixture.hyperparameters())
    var losses: [Double] = []
    var points: [[Double]] = []
    for _ in 0..<fixture.outerSteps {
      let loss = lbfgs.step {
        let (loss, gradient) = rosenbrockByAutograd(point.value.scalars)
        point.grad = Tensor(gradient)
        return Double(loss)
      }
      losses.append(loss)
      points.append(point.value.scalars.map { Double($0) })
    }
    #expect(abs(losses[0] - fixture.losses[0]) <= 1e-6 * fixture.losses[0])
    for (actual, expected) in zip(points[0], fixture.expected[1]) {
      #expect(abs(actual - expected) <= 1e-3)
    }
    for (actual, expected) in zip(points[points.count - 1], fixture.expected[fixture.outerSteps]) {
      #expect(abs(actual - expected) <= 3e-2)
    }
  }

  @Test(arguments: [LBFGSLineSearch?.none, .strongWolfe])
  func minimizesRosenbrockFromOrigin(_ search: LBFGSLineSearch?) throws {
    let point = Parameter(Tensor<Double>([0, 0]))
    let lbfgs = try LBFGS([point], lr: search == nil ? 0.1 : 1, lineSearchFn: search)
    for _ in 0..<20 { lbfgs.step { rosenbrockLoss(point) } }
    #expect(abs(point.value.scalars[0] - 1) < 3e-2)
    #expect(abs(point.value.scalars[1] - 1) < 3e-2)
  }

  @Test(arguments: [LBFGSLineSearch?.none, .strongWolfe])
  func minimizesParabola(_ search: LBFGSLineSearch?) throws {
    let target: [Double] = [1, -1, 1]
    let point = Parameter(Tensor<Double>([-1, 10, 1]))
    let lbfgs = try LBFGS([point], lineSearchFn: search)
    let first = lbfgs.step { parabolaLoss(point, target: target) }
    #expect(first == 4 + 121)
    for _ in 0..<5 { lbfgs.step { parabolaLoss(point, target: target) } }
    for (value, goal) in zip(point.value.scalars, target) { #expect(abs(value - goal) < 3e-2) }
  }

  @Test func splitsTheFlatVectorAcrossParameters() throws {
    // Two parameters and one of them as a matrix: the same path as one 3-vector.
    let target: [Double] = [1, -1, 1]
    let whole = Parameter(Tensor<Double>([-1, 10, 1]))
    let head = Parameter(Tensor<Double>(shape: [1, 1], scalars: [-1]))
    let tail = Parameter(Tensor<Double>([10, 1]))
    let single = try LBFGS([whole], lr: 0.5, maxIter: 3)
    let split = try LBFGS([head, tail], lr: 0.5, maxIter: 3)
    for _ in 0..<3 {
      single.step { parabolaLoss(whole, target: target) }
      split.step {
        let combined = Parameter(Tensor<Double>(head.value.scalars + tail.value.scalars))
        let loss = parabolaLoss(combined, target: target)
        head.grad = Tensor(shape: [1, 1], scalars: [combined.grad!.scalars[0]])
        tail.grad = Tensor(Array(combined.grad!.scalars[1...]))
        return loss
      }
    }
    #expect(whole.value.scalars == head.value.scalars + tail.value.scalars)
  }

  @Test func returnsAtOnceAtAStationaryPoint() throws {
    let point = Parameter(Tensor<Double>([1, 1]))
    let lbfgs = try LBFGS([point])
    var calls = 0
    let loss = lbfgs.step {
      calls += 1
      return rosenbrockLoss(point)
    }
    #expect(loss == 0 && calls == 1)
    #expect(lbfgs.state.funcEvals == 1 && lbfgs.state.nIter == 0 && lbfgs.state.d == nil)
  }

  @Test func countsEvaluationsAndKeepsAtMostHistorySizePairs() throws {
    let point = Parameter(Tensor<Double>([-1.5, 2]))
    let lbfgs = try LBFGS([point], lr: 0.1, maxIter: 7, historySize: 3)
    var calls = 0
    lbfgs.step {
      calls += 1
      return rosenbrockLoss(point)
    }
    // A fixed step evaluates once at the start and after every iteration but the last.
    #expect(calls == 7 && lbfgs.state.funcEvals == 7 && lbfgs.state.nIter == 7)
    #expect(lbfgs.state.oldDirs.count == 3 && lbfgs.state.ro.count == 3)
    #expect(lbfgs.hyperparameters.maxEval == 8)
  }

  @Test func invalidHyperparametersAreNamed() throws {
    let point = Parameter(Tensor<Double>([0, 0]))
    let cases: [(String, () throws -> LBFGS<Double>)] = [
      ("lr", { try LBFGS([point], lr: -1) }),
      ("maxIter", { try LBFGS([point], maxIter: 0) }),
      ("maxEval", { try LBFGS([point], maxEval: 0) }),
      ("toleranceGrad", { try LBFGS([point], toleranceGrad: -1) }),
      ("toleranceChange", { try LBFGS([point], toleranceChange: .nan) }),
      ("historySize", { try LBFGS([point], historySize: 0) }),
    ]
    for (name, make) in cases {
      let error = #expect(throws: OptimizerError.self) { _ = try make() }
      #expect(error?.description.contains(name) == true, "\(String(describing: error))")
    }
    #expect(throws: OptimizerError.self) { try LBFGSLineSearch(pytorchName: "backtracking") }
  }

  @Test func onlyOneParameterGroupIsAccepted() throws {
    let a = Parameter(Tensor<Double>([0]))
    let b = Parameter(Tensor<Double>([0]))
    let error = #expect(throws: OptimizerError.self) {
      try LBFGS([ParameterGroup([a]), ParameterGroup([b])], hyperparameters: .init())
    }
    #expect(error?.description.contains("parameter groups") == true)
    #expect(throws: OptimizerError.self) {
      try LBFGS([ParameterGroup([a], ["lr": 0.5])], hyperparameters: .init())
    }
    #expect(throws: OptimizerError.duplicateParameter(optimizer: "LBFGS", group: 0, position: 1)) {
      try LBFGS([a, a])
    }
    #expect(throws: OptimizerError.emptyParameterList(optimizer: "LBFGS", group: 0)) {
      try LBFGS([Parameter<Double>]())
    }
  }

  /// Counts print as the Doubles the entries hold, as for every optimizer; the line search by name.
  @Test func printsPyTorchLayout() throws {
    let lbfgs = try LBFGS([Parameter(Tensor<Double>([0]))], lineSearchFn: .strongWolfe)
    #expect(
      lbfgs.description == """
        LBFGS (
        Parameter Group 0
            historySize: 100.0
            lineSearchFn: strong_wolfe
            lr: 1.0
            maxEval: 25.0
            maxIter: 20.0
            toleranceChange: 1e-09
            toleranceGrad: 1e-07
        )
        """)
  }

  @Test func schedulersSeeOneGroup() throws {
    let lbfgs = try LBFGS([Parameter(Tensor<Double>([0]))])
    lbfgs.setLearningRate(0.25, ofGroup: 0)
    #expect(lbfgs.paramGroupCount == 1 && lbfgs.learningRate(ofGroup: 0) == 0.25)
    #expect(lbfgs.momentum(ofGroup: 0) == nil)
  }

  @Test func hyperparametersRoundTripThroughEntries() throws {
    let settings = try LBFGSHyperparameters(
      lr: 0.5, maxIter: 8, toleranceGrad: 1e-5, historySize: 4, lineSearchFn: .strongWolfe)
    #expect(try LBFGSHyperparameters(entries: settings.entries) == settings)
    #expect(settings.entries["lineSearchFn"] == .flag(true))
    #expect(settings.entries["maxEval"] == .number(10))
    #expect(LBFGSHyperparameters().entries["lineSearchFn"] == .flag(false))
  }

  @Test func optionsApplyOverPyTorchDefaults() throws {
    // PyTorch: max_eval defaults to max_iter * 5 // 4, also when max_iter is given.
    let given = try LBFGSHyperparameters(options: ["maxIter": 9, "lineSearchFn": true])
    #expect(given.maxIter == 9 && given.maxEval == 11 && given.lineSearchFn == .strongWolfe)
    #expect(given.lr == 1 && given.historySize == 100)
    #expect(try LBFGSHyperparameters(options: ["maxIter": 9, "maxEval": 3]).maxEval == 3)
    #expect(try LBFGSHyperparameters(options: [:]) == LBFGSHyperparameters())
    let cases: [(String, [String: HyperparameterValue])] = [
      ("maxIter", ["maxIter": 2.5]),
      ("historySize", ["historySize": 0]),
      ("lineSearchFn", ["lineSearchFn": 1]),
      ("momentum", ["momentum": 0.9]),
    ]
    for (name, options) in cases {
      let error = #expect(throws: OptimizerError.self) {
        _ = try LBFGSHyperparameters(options: options)
      }
      #expect(error?.description.contains(name) == true, "\(String(describing: error))")
    }
  }

  @Test func cubicInterpolationIsExactOnAQuadratic() {
    // f(x) = (x - 0.3)^2: f(0) = 0.09, f'(0) = -0.6; f(1) = 0.49, f'(1) = 1.4.
    #expect(abs(cubicInterpolate(0, 0.09, -0.6, 1, 0.49, 1.4) - 0.3) < 1e-15)
    #expect(abs(cubicInterpolate(1, 0.49, 1.4, 0, 0.09, -0.6) - 0.3) < 1e-15)
    // Clamped to the bounds, and the midpoint when the cubic has no minimizer.
    #expect(cubicInterpolate(0, 0.09, -0.6, 1, 0.49, 1.4, bounds: (0.5, 2)) == 0.5)
    #expect(cubicInterpolate(0, 0, 1, 1, 2.0 / 3, 1, bounds: (2, 4)) == 3)
  }

  @Test func strongWolfeStepSatisfiesBothConditions() {
    // Along d = -g from x = 3 on f(x) = x^4: the accepted step satisfies the strong Wolfe
    // conditions with c1 = 1e-4, c2 = 0.9.
    let search = StrongWolfeLineSearch<Double>()
    let f = { (x: Double) in x * x * x * x }
    let g = { (x: Double) in 4 * x * x * x }
    let direction = [-g(3)]
    let start = LBFGSLinePoint<Double>(
      step: 0, loss: f(3), gradient: [g(3)], slope: g(3) * direction[0])
    let result = search.search(direction: direction, step: 1, start: start) { t in
      (f(3 + t * direction[0]), [g(3 + t * direction[0])])
    }
    let t = result.point.step
    #expect(f(3 + t * direction[0]) <= f(3) + 1e-4 * t * start.slope)
    #expect(abs(g(3 + t * direction[0]) * direction[0]) <= -0.9 * start.slope)
    #expect(result.evaluations >= 2)
  }
}
