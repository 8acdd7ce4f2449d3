import DescentNN

/// An average of a model's weights over training, as PyTorch's
/// `torch.optim.swa_utils.AveragedModel`: stochastic weight averaging (an equal-weight running
/// mean, the default) or an exponential moving average (``AveragingRule``).
///
/// It follows the model's live parameters and keeps its own averaged copies. Call
/// ``updateParameters()`` after the optimizer steps you want averaged; the first call copies
/// the weights, later ones fold them in with the rule. Evaluate with the averaged weights inside
/// ``withAveragedWeights(_:)``, or copy them into the model at the end with
/// ``copyAveragedWeights()``.
///
/// ```swift
/// let swa = AveragedModel(model)                                  // SWA
/// let ema = try AveragedModel(model, rule: .exponential(decay: 0.999))
/// ema.updateParameters()
/// let accuracy = ema.withAveragedWeights { evaluate(model) }
/// ```
public final class AveragedModel<Scalar: TensorScalar> {
  /// The averaged parameters' dotted names, in order.
  public let names: [String]
  /// The model's live parameters, in the order of ``names``.
  public let parameters: [Parameter<Scalar>]
  /// How the weights are folded into the average.
  public let rule: AveragingRule<Scalar>
  /// The averaged weights, in the order of ``names``; the initial weights before any update.
  public private(set) var averages: [Tensor<Scalar>]
  /// How many times ``updateParameters()`` ran (PyTorch's `n_averaged`).
  public private(set) var nAveraged = 0

  /// Averages every parameter of `model`, named as ``Module/namedParameters()`` names them.
  public convenience init(_ model: some Module<Scalar>, rule: AveragingRule<Scalar> = .runningMean)
  {
    self.init(uniquelyNamed: model.namedParameters(), rule: rule)
  }

  /// Averages the given named parameters.
  ///
  /// - Throws: ``AveragingError/duplicateName(_:)`` when two parameters share a name.
  public convenience init(
    namedParameters: [(name: String, parameter: Parameter<Scalar>)],
    rule: AveragingRule<Scalar> = .runningMean
  ) throws {
    var seen = Set<String>()
    for (name, _) in namedParameters where !seen.insert(name).inserted {
      throw AveragingError.duplicateName(name)
    }
    self.init(uniquelyNamed: namedParameters, rule: rule)
  }

  /// Averages parameters whose names are known to be unique (a module's).
  private init(
    uniquelyNamed namedParameters: [(name: String, parameter: Parameter<Scalar>)],
    rule: AveragingRule<Scalar>
  ) {
    self.names = namedParameters.map(\.name)
    self.parameters = namedParameters.map(\.parameter)
    self.rule = rule
    self.averages = namedParameters.map { $0.parameter.value.detached }
  }

  /// Folds the parameters' current values into the average (PyTorch's
  /// `update_parameters(model)`): copies them at the first call, applies the rule afterwards.
  public func updateParameters() {
    for index in parameters.indices {
      let current = parameters[index].value.detached
      averages[index] =
        nAveraged == 0
        ? current : rule.averaged(averages[index], current, nAveraged: nAveraged)
    }
    nAveraged += 1
  }

  /// Runs `body` with the averaged weights in the model's parameters, then puts the model's own
  /// weights back (also when `body` throws). Gradients are left alone.
  public func withAveragedWeights<R>(_ body: () throws -> R) rethrows -> R {
    let own = parameters.map(\.value)
    copyAveragedWeights()
    defer {
      for (parameter, value) in zip(parameters, own) { parameter.value = value }
    }
    return try body()
  }

  /// Replaces the model's weights by the averaged ones (at the end of training).
  public func copyAveragedWeights() {
    for (parameter, average) in zip(parameters, averages) { parameter.value = average }
  }

  /// The state to save in a checkpoint.
  public func stateDict() -> AveragingState<Scalar> {
    AveragingState(rule: rule.name, nAveraged: nAveraged, names: names, averages: averages)
  }

  /// Throws unless `state` fits this averaged model: the same rule name and parameter names, in
  /// order, with the same shapes, and a count of updates >= 0. Changes nothing.
  ///
  /// - Throws: ``AveragingError/stateMismatch(reason:)`` saying what differs.
  public func validate(_ state: AveragingState<Scalar>) throws {
    func mismatch(_ reason: String) -> AveragingError { .stateMismatch(reason: reason) }
    guard state.rule == rule.name else {
      throw mismatch(
        "the state was averaged with rule '\(state.rule)', this model with '\(rule.name)'")
    }
    guard state.nAveraged >= 0 else { throw mismatch("negative update count \(state.nAveraged)") }
    guard state.averages.count == state.names.count else {
      throw mismatch("\(state.names.count) names for \(state.averages.count) averages")
    }
    let missing = names.filter { !state.names.contains($0) }
    let extra = state.names.filter { !names.contains($0) }
    guard missing.isEmpty && extra.isEmpty && state.names == names else {
      throw mismatch(
        "parameter names differ (missing: \(missing), unexpected: \(extra), order: \(state.names))")
    }
    for (name, (average, parameter)) in zip(names, zip(state.averages, parameters))
    where average.shape != parameter.shape {
      throw mismatch("'\(name)' has shape \(average.shape) in the state, \(parameter.shape) here")
    }
  }

  /// Restores a state saved by ``stateDict()``, after checking it with ``validate(_:)``.
  ///
  /// - Throws: ``AveragingError/stateMismatch(reason:)``; nothing is changed then.
  public func loadStateDict(_ state: AveragingState<Scalar>) throws {
    try validate(state)
    averages = state.averages.map(\.detached)
    nAveraged = state.nAveraged
  }
}
