import DescentOptim
import DescentTensor
import Testing

@Suite struct OptimizerErrorTests {
  let parameters = [Parameter(Tensor<Double>([1, 2]))]

  /// Expects `body` to throw an invalid-hyperparameter error naming `name`.
  private func expectInvalid(
    _ name: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
  ) {
    do {
      try body()
      Issue.record("no error for \(name)", sourceLocation: sourceLocation)
    } catch let OptimizerError.invalidHyperparameter(_, reported, value, _) {
      #expect(reported == name, sourceLocation: sourceLocation)
      #expect(!value.isEmpty, sourceLocation: sourceLocation)
    } catch {
      Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
  }

  @Test func rejectedHyperparametersNameThemselves() {
    expectInvalid("lr") { _ = try SGD(parameters, lr: -0.1) }
    expectInvalid("momentum") { _ = try SGD(parameters, momentum: -0.5) }
    expectInvalid("weightDecay") { _ = try SGD(parameters, weightDecay: -1) }
    expectInvalid("nesterov") { _ = try SGD(parameters, nesterov: true) }
    expectInvalid("nesterov") {
      _ = try SGD(parameters, momentum: 0.9, dampening: 0.1, nesterov: true)
    }
    expectInvalid("eps") { _ = try Adam(parameters, eps: -1e-8) }
    expectInvalid("betas[0]") { _ = try Adam(parameters, betas: (1.0, 0.999)) }
    expectInvalid("betas[1]") { _ = try AdamW(parameters, betas: (0.9, -0.1)) }
    expectInvalid("weightDecay") { _ = try Adam(parameters, weightDecay: -0.1) }
    expectInvalid("lrDecay") { _ = try Adagrad(parameters, lrDecay: -1) }
    expectInvalid("initialAccumulatorValue") {
      _ = try Adagrad(parameters, initialAccumulatorValue: -1)
    }
    expectInvalid("alpha") { _ = try RMSprop(parameters, alpha: -0.1) }
    expectInvalid("momentum") { _ = try RMSprop(parameters, momentum: -0.1) }
    expectInvalid("rho") { _ = try Adadelta(parameters, rho: 1.5) }
    expectInvalid("betas[0]") { _ = try Adamax(parameters, betas: (-0.1, 0.9)) }
    expectInvalid("momentumDecay") { _ = try NAdam(parameters, momentumDecay: -1) }
    expectInvalid("eps") { _ = try RAdam(parameters, eps: -1) }
    expectInvalid("lr") { _ = try ASGD(parameters, lr: -1) }
    expectInvalid("etas") { _ = try Rprop(parameters, etas: (1.2, 0.5)) }
    expectInvalid("stepSizes") { _ = try Rprop(parameters, stepSizes: (50, 1e-6)) }
    expectInvalid("lr") { _ = try Adam([ParameterGroup(parameters, ["lr": -1])]) }
  }

  @Test func errorMessagesSayWhatAndWhere() throws {
    let error = OptimizerError.invalidHyperparameter(
      optimizer: "Adam", name: "betas[0]", value: "1.0", requirement: "in [0, 1)")
    #expect(error.description == "Adam: invalid betas[0] 1.0: it must be in [0, 1)")
    do {
      _ = try Rprop(parameters, etas: (1.2, 0.5))
    } catch {
      #expect("\(error)".contains("(1.2, 0.5)"))
    }
  }

  @Test func emptyAndDuplicatedParametersAreRejected() throws {
    #expect(throws: OptimizerError.emptyParameterList(optimizer: "SGD", group: 0)) {
      _ = try SGD([Parameter<Double>]())
    }
    #expect(throws: OptimizerError.emptyParameterList(optimizer: "Adam", group: 0)) {
      _ = try Adam([ParameterGroup<Double>]())
    }
    #expect(throws: OptimizerError.duplicateParameter(optimizer: "Adam", group: 1, position: 0)) {
      _ = try Adam([ParameterGroup(parameters), ParameterGroup(parameters)])
    }
    #expect(throws: OptimizerError.duplicateParameter(optimizer: "SGD", group: 0, position: 1)) {
      _ = try SGD(parameters + parameters)
    }
    let optimizer = try SGD(parameters)
    #expect(throws: OptimizerError.self) { try optimizer.addParamGroup(ParameterGroup(parameters)) }
    #expect(optimizer.paramGroupCount == 1)
  }

  @Test func unknownAndMistypedOverridesAreRejected() {
    #expect(throws: OptimizerError.unknownHyperparameter(optimizer: "SGD", name: "betas")) {
      _ = try SGD([ParameterGroup(parameters, ["betas": .pair(0.9, 0.99)])])
    }
    #expect(
      throws: OptimizerError.wrongHyperparameterType(
        optimizer: "Adam", name: "amsgrad", expected: "true or false")
    ) {
      _ = try Adam([ParameterGroup(parameters, ["amsgrad": 1])])
    }
    #expect(throws: OptimizerError.unknownOptimizer("Bogus")) {
      _ = try OptimizerCatalog.make("Bogus", groups: [ParameterGroup(parameters)], options: [:])
    }
  }
}
