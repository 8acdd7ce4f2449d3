import DescentOptim
import DescentTensor
import Testing

/// Each optimizer, with its own learning rate, reaches the minimum of Rosenbrock's function
/// (from (0, 0) to (1, 1)) and of a 3-D parabola (from (-1, 10, 1) to (1, -1, 1)).
@Suite struct OptimizerConvergenceTests {
  struct Setting: Sendable, CustomStringConvertible {
    let name: String
    let options: [String: HyperparameterValue]
    let steps: Int
    var description: String { name }
  }

  static let settings: [Setting] = [
    Setting(name: "SGD", options: ["lr": 0.001, "momentum": 0.9], steps: 10_000),
    Setting(name: "Adagrad", options: ["lr": 0.3], steps: 10_000),
    Setting(name: "RMSprop", options: ["lr": 0.001, "momentum": 0.9], steps: 10_000),
    Setting(name: "Adam", options: ["lr": 0.01], steps: 10_000),
    Setting(name: "AdamW", options: ["lr": 0.01, "weightDecay": 0], steps: 10_000),
    Setting(name: "Adadelta", options: ["lr": 0.05], steps: 20_000),
    Setting(name: "Adamax", options: ["lr": 0.01], steps: 10_000),
    Setting(name: "NAdam", options: ["lr": 0.01], steps: 10_000),
    Setting(name: "RAdam", options: ["lr": 0.01], steps: 10_000),
    Setting(name: "ASGD", options: ["lr": 0.001], steps: 10_000),
    Setting(name: "Rprop", options: ["lr": 0.01], steps: 10_000),
    Setting(name: "Lion", options: ["lr": 0.002], steps: 10_000),
    Setting(name: "AdamWScheduleFree", options: ["lr": 0.01], steps: 10_000),
    Setting(name: "SGDScheduleFree", options: ["lr": 0.0015, "r": 1], steps: 10_000),
    Setting(name: "AdamBF16", options: ["lr": 0.01], steps: 10_000),
    // Below 4096 elements the 8-bit optimizers keep float32 state (bitsandbytes' rule).
    Setting(name: "Adam8bit", options: ["lr": 0.01], steps: 10_000),
    Setting(name: "AdamW8bit", options: ["lr": 0.01, "weightDecay": 0], steps: 10_000),
    Setting(name: "SGD8bit", options: ["lr": 0.001, "momentum": 0.9], steps: 10_000),
    Setting(name: "Lion8bit", options: ["lr": 0.002], steps: 10_000),
  ]

  /// Adafactor, LBFGS and Muon converge in their own suites (Adafactor's relative step wants its
  /// own learning rate per function; LBFGS steps with a closure; Muon takes matrices only).
  static let coveredElsewhere: Set = ["Adafactor", "LBFGS", "Muon"]

  @Test func everyOptimizerIsCovered() {
    let covered = Set(Self.settings.map(\.name)).union(Self.coveredElsewhere)
    #expect(Set(OptimizerCatalog.names).isSubset(of: covered))
  }

  @Test(arguments: settings)
  func reachesRosenbrockMinimum(_ setting: Setting) throws {
    let point = try minimize(setting, start: [0, 0]) { x in
      let (gx, gy) = TestFunction.rosenbrock.gradient(x[0], x[1])
      return [gx, gy]
    }
    #expect(distance(point, [1, 1]) <= 3e-2, "\(setting.name) ended at \(point)")
    #expect(TestFunction.rosenbrock.value(point[0], point[1]) < TestFunction.rosenbrock.value(0, 0))
  }

  @Test(arguments: settings)
  func reachesParabolaMinimum(_ setting: Setting) throws {
    let target: [Double] = [1, -1, 1]
    let point = try minimize(setting, start: [-1, 10, 1]) { x in
      zip(x, target).map { 2 * ($0 - $1) }
    }
    #expect(distance(point, target) <= 3e-2, "\(setting.name) ended at \(point)")
  }

  private func minimize(
    _ setting: Setting, start: [Double], gradient: ([Double]) -> [Double]
  ) throws -> [Double] {
    let point = Parameter(Tensor(start))
    let optimizer = try OptimizerCatalog.make(
      setting.name, groups: [ParameterGroup([point])], options: setting.options)
    for _ in 0..<setting.steps {
      point.grad = Tensor(gradient(point.value.scalars))
      optimizer.step()
    }
    return point.value.scalars
  }

  private func distance(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
  }
}
