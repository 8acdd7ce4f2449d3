import DescentOptim
import DescentTensor
import Foundation
import Testing

/// PyTorch's `repr` of an optimizer, respelled the Swift way: keys Descent does not have
/// (`foreach`, `fused`, ...) dropped, names in camelCase and sorted, `False` as `false`, and
/// integers as the Doubles they are (`0` as `0.0`).
func swiftSpelling(ofRepr repr: String) -> String {
  let torchOnly: Set = ["capturable", "differentiable", "foreach", "fused"]
  let wholeNumberKeys: Set = ["ns_steps", "warmup_steps", "k"]
  var output: [String] = []
  var entries: [String] = []
  func flush() {
    output += entries.sorted()
    entries = []
  }
  for line in repr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
    guard line.hasPrefix("    "), let colon = line.firstIndex(of: ":") else {
      flush()
      output.append(line)
      continue
    }
    let key = line[line.index(line.startIndex, offsetBy: 4)..<colon].description
    guard !torchOnly.contains(key) else { continue }
    var value = String(line[line.index(colon, offsetBy: 2)...])
    value = value.replacingOccurrences(of: "False", with: "false")
      .replacingOccurrences(of: "True", with: "true")
    // Python ints print as Swift's doubles (`0.0`), but for the whole-number hyperparameters,
    // which Descent prints as integers too (`nsSteps: 5`).
    if !wholeNumberKeys.contains(key) {
      value = value.replacingOccurrences(
        of: #"(?<![\w.\-])(\d+)(?![\w.])"#, with: "$1.0", options: .regularExpression)
    }
    entries.append("    \(OptimizerCatalog.swiftName(key)): \(value)")
  }
  flush()
  return output.joined(separator: "\n")
}

struct ReprFixture: Decodable {
  struct Group: Decodable {
    let params: [Int]
    let options: [String: JSONValue]
  }
  let optimizer: String
  let options: [String: JSONValue]
  let paramGroups: [Group]?
  let params: [JSONValue]
  let repr: String
  enum CodingKeys: String, CodingKey {
    case optimizer, options, params, repr
    case paramGroups = "param_groups"
  }
}

func hyperparameterOptions(_ options: [String: JSONValue]) -> [String: HyperparameterValue] {
  Dictionary(
    uniqueKeysWithValues: options.compactMap { key, value in
      value.hyperparameter.map { (OptimizerCatalog.swiftName(key), $0) }
    })
}

@Suite struct OptimizerDescriptionTests {
  @Test func seedSGDPrintsLikePyTorch() throws {
    let model = [Parameter(Tensor<Float>(zeros: [1, 5])), Parameter(Tensor<Float>(zeros: [1]))]
    let optimizer = try SGD(model, lr: 0.001, momentum: 0.9)
    #expect(
      optimizer.description == """
        SGD (
        Parameter Group 0
            dampening: 0.0
            lr: 0.001
            maximize: false
            momentum: 0.9
            nesterov: false
            weightDecay: 0.0
        )
        """)
  }

  @Test func seedOptimizersPrintTheirDefaults() throws {
    let net = [Parameter(Tensor<Float>(zeros: [100, 10])), Parameter(Tensor<Float>(zeros: [100]))]
    let adagrad = try Adagrad(net, lr: 0.01)
    #expect(adagrad.description.contains("    eps: 1e-10\n    initialAccumulatorValue: 0.0\n"))
    #expect(adagrad.description.contains("    lrDecay: 0.0\n"))
    let rmsprop = try RMSprop(net, lr: 0.01, alpha: 0.99, momentum: 0.9)
    #expect(rmsprop.description.hasPrefix("RMSprop (\nParameter Group 0\n    alpha: 0.99\n"))
    let adam = try Adam(net, lr: 0.01, betas: (0.9, 0.999), eps: 1e-8)
    #expect(adam.description.contains("    betas: (0.9, 0.999)\n"))
    #expect(adam.description.contains("    eps: 1e-08\n"))
  }

  /// Schedule-free reprs hold the group's bookkeeping after the fixture's steps, Muon prints
  /// Descent's `nsFloat32` as well, and bitsandbytes' reprs carry its base classes' unused
  /// entries (`alpha`, `t_alpha`, SGD's `betas`): ScheduleFreeTests, MuonTests and
  /// LowPrecisionStateTests check those.
  @Test(
    arguments: optimizerFixtures.filter {
      !$0.contains("schedulefree") && !$0.contains("muon") && !$0.contains("8bit")
    })
  func descriptionMatchesFixtureRepr(_ name: String) throws {
    let data = try Data(contentsOf: fixtureURL(name))
    let fixture = try JSONDecoder().decode(ReprFixture.self, from: data)
    let parameters = fixture.params.map { _ in Parameter(Tensor<Double>([0])) }
    let groups =
      fixture.paramGroups?.map {
        ParameterGroup($0.params.map { parameters[$0] }, hyperparameterOptions($0.options))
      } ?? [ParameterGroup(parameters)]
    let optimizer = try OptimizerCatalog.make(
      fixture.optimizer, groups: groups, options: hyperparameterOptions(fixture.options))
    #expect(optimizer.description == swiftSpelling(ofRepr: fixture.repr))
  }
}
