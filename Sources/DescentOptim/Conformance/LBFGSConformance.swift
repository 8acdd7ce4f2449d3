import DescentTensor
import Foundation

/// A fixture of kind `lbfgs` (see FORMAT.md).
struct LBFGSFixture: Decodable {
  let name: String
  let function: String
  let options: [String: JSONValue]
  let start: [Double]
  let outerSteps: Int
  let expected: [[Double]]
  let losses: [Double]

  enum CodingKeys: String, CodingKey {
    case name, function, options, start, expected, losses
    case outerSteps = "outer_steps"
  }

  /// The LBFGS hyperparameters of `options` (PyTorch names; `line_search_fn` a string or null).
  func hyperparameters() throws -> LBFGSHyperparameters {
    func number(_ key: String) throws -> Double? {
      guard let value = options[key] else { return nil }
      guard let number = value.number else {
        throw ConformanceError.invalidField("options.\(key)", "not a number")
      }
      return number
    }
    func integer(_ key: String) throws -> Int? {
      guard let value = try number(key) else { return nil }
      guard let integer = Int(exactly: value) else {
        throw ConformanceError.invalidField("options.\(key)", "not an integer")
      }
      return integer
    }
    let known: Set = [
      "lr", "max_iter", "max_eval", "tolerance_grad", "tolerance_change", "history_size",
      "line_search_fn",
    ]
    if let unknown = options.keys.sorted().first(where: { !known.contains($0) }) {
      throw ConformanceError.invalidField("options.\(unknown)", "not an LBFGS option")
    }
    var lineSearch: LBFGSLineSearch?
    switch options["line_search_fn"] {
    case nil, .null?: lineSearch = nil
    case .string(let name)?: lineSearch = try LBFGSLineSearch(pytorchName: name)
    default: throw ConformanceError.invalidField("options.line_search_fn", "not a string or null")
    }
    return try LBFGSHyperparameters(
      lr: number("lr") ?? 1, maxIter: integer("max_iter") ?? 20, maxEval: integer("max_eval"),
      toleranceGrad: number("tolerance_grad") ?? 1e-7,
      toleranceChange: number("tolerance_change") ?? 1e-9,
      historySize: integer("history_size") ?? 100, lineSearchFn: lineSearch)
  }
}

/// Runs `lbfgs` fixtures: LBFGS on Rosenbrock with a closure returning its value and
/// gradient; compares the point after each call of `step(closure:)` and the loss each returned.
public struct LBFGSFixtureRunner: FixtureRunner {
  /// `"lbfgs"`.
  public var kind: String { "lbfgs" }

  /// A runner.
  public init() {}

  /// Checks the fixture in `data` in float64 at the `lbfgs` tolerance (rtol 1e-6, atol 1e-9).
  public func run(_ data: Data, options: ConformanceOptions) throws -> ConformanceResult {
    try run(data, as: Double.self, tolerance: .lbfgs)
  }

  /// Checks the fixture in `data` with parameters of type `Scalar`, at `tolerance`.
  ///
  /// - Throws: ``ConformanceError`` for a malformed fixture, ``OptimizerError`` for invalid
  ///   options.
  public func run<Scalar: LaneScalar>(
    _ data: Data, as _: Scalar.Type, tolerance: Tolerance
  ) throws -> ConformanceResult {
    let fixture = try decodeFixture(LBFGSFixture.self, from: data)
    guard fixture.function == TestFunction.rosenbrock.rawValue else {
      throw ConformanceError.invalidField("function", "'\(fixture.function)' is not rosenbrock")
    }
    guard fixture.start.count == 2, fixture.outerSteps >= 0,
      fixture.expected.count - 1 == fixture.outerSteps, fixture.losses.count == fixture.outerSteps
    else {
      throw ConformanceError.invalidField(
        "expected", "a 2-D start, outer_steps + 1 points and outer_steps losses are needed")
    }
    let point = Parameter(Tensor<Scalar>(fixture.start.map { Scalar($0) }))
    let optimizer = try LBFGS([ParameterGroup([point])], hyperparameters: fixture.hyperparameters())
    func closure() -> Double {
      let (loss, gradient) = rosenbrockByAutograd(point.value.scalars)
      point.grad = Tensor(gradient)
      return Double(loss)
    }
    var tally = DeviationTally(tolerance: tolerance)
    tally.compare(point.value.scalars.map { Double($0) }, fixture.expected[0], "start")
    for step in stride(from: 1, through: fixture.outerSteps, by: 1) {
      let loss = optimizer.step(closure: closure)
      tally.compare([Double(loss)], [fixture.losses[step - 1]], "loss \(step)")
      tally.compare(point.value.scalars.map { Double($0) }, fixture.expected[step], "point \(step)")
    }
    return tally.result(name: fixture.name, kind: kind)
  }
}

/// Rosenbrock's value `(1 - x)^2 + 100 (y - x^2)^2` and gradient in `Scalar`, with each
/// operation rounded where PyTorch's autograd rounds it (the fixtures' closure uses autograd);
/// LBFGS amplifies the last-bit differences of other orders into visible ones.
func rosenbrockByAutograd<Scalar: TensorScalar>(_ xy: [Scalar]) -> (Scalar, [Scalar]) {
  let (x, y) = (xy[0], xy[1])
  let (u, v) = (1 - x, y - x * x)
  let dv = 100 * (2 * v)
  return (u * u + 100 * (v * v), [-(2 * u) + -dv * (2 * x), dv])
}
