import DescentTensor

/// `torch.optim.LBFGS`: limited-memory BFGS over the flat vector of all parameters, with a fixed
/// step or a strong-Wolfe line search. Each ``step(closure:)`` runs up to `maxIter` iterations,
/// calling the closure to re-evaluate the loss and its gradients.
///
/// As in PyTorch there is one parameter group only, and the state belongs to the whole vector.
/// Without a closure, ``step()`` takes a single fixed-step iteration from the gradients already
/// computed (see there).
///
/// ```swift
/// let lbfgs = try LBFGS([w], lr: 1, lineSearchFn: .strongWolfe)
/// let loss = try lbfgs.step { try lossAndBackward() }
/// ```
public final class LBFGS<Scalar: LaneScalar>: TrainingOptimizer {
  /// `"LBFGS"`.
  public var name: String { "LBFGS" }
  /// The parameters, in the order of the flat vector.
  public let parameters: [Parameter<Scalar>]
  /// The hyperparameters of the single group (schedulers change `lr`).
  public var hyperparameters: LBFGSHyperparameters
  /// The state carried from one step to the next.
  public internal(set) var state = LBFGSState<Scalar>()
  /// Kept for ``TrainingOptimizer``; it changes nothing here. LBFGS's vector arithmetic has one
  /// path: scalar loops in the order PyTorch's CPU kernels round (dot products accumulated in
  /// order, fused `add_`), which SIMD lanes would change.
  public var kernelPath = KernelPath.vectorized
  /// The number of elements of the flat vector.
  let count: Int
  /// The number of elements of each parameter.
  private let parameterCounts: [Int]

  /// LBFGS over `parameters`, with PyTorch's defaults.
  ///
  /// - Throws: ``OptimizerError`` for no parameters, a parameter given twice, or an invalid
  ///   hyperparameter.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double = 1, maxIter: Int = 20, maxEval: Int? = nil,
    toleranceGrad: Double = 1e-7, toleranceChange: Double = 1e-9, historySize: Int = 100,
    lineSearchFn: LBFGSLineSearch? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)],
      hyperparameters: LBFGSHyperparameters(
        lr: lr, maxIter: maxIter, maxEval: maxEval, toleranceGrad: toleranceGrad,
        toleranceChange: toleranceChange, historySize: historySize, lineSearchFn: lineSearchFn))
  }

  /// LBFGS over exactly one parameter group, whose overrides are not supported (as PyTorch).
  ///
  /// - Throws: ``OptimizerError/invalidHyperparameter(optimizer:name:value:requirement:)`` for a
  ///   group count other than 1 or a group with overrides; ``OptimizerError`` for an empty group
  ///   or a parameter given twice.
  public init(_ groups: [ParameterGroup<Scalar>], hyperparameters: LBFGSHyperparameters) throws {
    let check = HyperparameterCheck("LBFGS")
    try check.require(
      groups.count == 1, "parameter groups", groups.count,
      "exactly 1 (LBFGS doesn't support per-parameter options)")
    try check.require(
      groups[0].overrides.isEmpty, "group overrides", groups[0].overrides.keys.sorted(),
      "empty (LBFGS doesn't support per-parameter options)")
    let parameters = groups[0].parameters
    guard !parameters.isEmpty else {
      throw OptimizerError.emptyParameterList(optimizer: "LBFGS", group: 0)
    }
    var roster = ParameterRoster<Scalar>()
    for (position, parameter) in parameters.enumerated() {
      switch roster.add(parameter, at: position) {
      case nil: continue
      case .duplicate:
        throw OptimizerError.duplicateParameter(optimizer: "LBFGS", group: 0, position: position)
      case .overlap:
        throw OptimizerError.overlappingParameter(optimizer: "LBFGS", group: 0, position: position)
      }
    }
    self.parameters = parameters
    self.hyperparameters = hyperparameters
    self.parameterCounts = parameters.map(\.count)
    self.count = parameterCounts.reduce(0, +)
  }

  /// Clears every parameter's gradient: to `nil` (the default, as PyTorch) or to zeros.
  public func zeroGrad(setToNil: Bool = true) {
    for parameter in parameters { parameter.zeroGrad(setToNil: setToNil) }
  }

  /// Runs up to `maxIter` LBFGS iterations. `closure` must recompute the loss at the current
  /// parameters, fill their gradients (clearing old ones first) and return the loss; it is called
  /// once at the start and after every move (several times per iteration with the line search).
  ///
  /// - Returns: the loss of the first evaluation, at the parameters as they were on entry.
  /// - Throws: what `closure` throws (the parameters may then have moved).
  @discardableResult
  public func step(closure: () throws -> Double) rethrows -> Double {
    try iterate(hyperparameters, closure: closure)
  }

  /// One LBFGS iteration from the gradients already in the parameters, for training loops that
  /// call `backward()` and then `step()`: what ``step(closure:)`` does with `maxIter` 1 and a
  /// closure that returns the loss already computed (its one evaluation counts in `func_evals`),
  /// a fixed step of `lr` along the two-loop direction (the first iteration's scaled by
  /// `min(1, 1 / |g|_1)`). The loss is unknown, so the state's `prev_loss` is cleared.
  ///
  /// PyTorch's `step` requires a closure; a line search needs one to re-evaluate the loss, so
  /// calling this with `lineSearchFn` set is a programming error (a precondition failure):
  /// use ``step(closure:)``.
  public func step() {
    precondition(
      hyperparameters.lineSearchFn == nil,
      "LBFGS with lineSearchFn strong_wolfe re-evaluates the loss: call step(closure:)")
    var settings = hyperparameters
    settings.maxIter = 1
    // With maxIter 1 and no line search, the loss only becomes prev_loss, cleared below.
    _ = iterate(settings) { .nan }
    state.prevLoss = nil
  }

  /// The iterations of one call of `step` under `settings`.
  private func iterate(
    _ settings: LBFGSHyperparameters, closure: () throws -> Double
  ) rethrows -> Double {
    let originalLoss = try closure()
    var loss = originalLoss
    var currentEvaluations = 1
    state.funcEvals += 1
    var flatGrad = gatherFlatGrad()
    var optimal = LBFGSVector.maxMagnitude(flatGrad) <= settings.toleranceGrad
    if optimal { return originalLoss }

    var iteration = 0
    while iteration < settings.maxIter {
      iteration += 1
      state.nIter += 1
      let direction = searchDirection(flatGrad)
      state.d = direction
      state.prevFlatGrad = flatGrad
      state.prevLoss = loss
      var t =
        state.nIter == 1
        ? pythonMin(1, 1 / LBFGSVector.sumMagnitude(flatGrad)) * settings.lr : settings.lr
      let gtd = LBFGSVector.dot(flatGrad, direction)
      if gtd > -settings.toleranceChange {
        state.t = t
        break
      }

      var evaluations = 0
      switch settings.lineSearchFn {
      case .strongWolfe:
        let start = currentValues()
        let result = try StrongWolfeLineSearch<Scalar>().search(
          direction: direction, step: t,
          start: LBFGSLinePoint(step: 0, loss: loss, gradient: flatGrad, slope: gtd)
        ) { trial in try directionalEvaluate(closure, from: start, step: trial, along: direction) }
        (loss, flatGrad, t) = (result.point.loss, result.point.gradient, result.point.step)
        evaluations = result.evaluations
        addToParameters(direction, times: t)
        optimal = LBFGSVector.maxMagnitude(flatGrad) <= settings.toleranceGrad
      case nil:
        addToParameters(direction, times: t)
        if iteration != settings.maxIter {
          loss = try closure()
          flatGrad = gatherFlatGrad()
          optimal = LBFGSVector.maxMagnitude(flatGrad) <= settings.toleranceGrad
          evaluations = 1
        }
      }
      state.t = t
      currentEvaluations += evaluations
      state.funcEvals += evaluations

      if iteration == settings.maxIter || currentEvaluations >= settings.maxEval || optimal {
        break
      }
      if LBFGSVector.maxMagnitude(direction, scaledBy: t) <= settings.toleranceChange { break }
      if abs(loss - (state.prevLoss ?? loss)) < settings.toleranceChange { break }
    }
    return originalLoss
  }

  /// The next search direction: the negative gradient on the first iteration, otherwise the
  /// two-loop recursion over the stored pairs after storing the newest one (when `y . s > 1e-10`).
  private func searchDirection(_ flatGrad: [Scalar]) -> [Scalar] {
    let negativeGradient = LBFGSVector.negated(flatGrad)
    guard state.nIter > 1, let previousGrad = state.prevFlatGrad, let d = state.d,
      let t = state.t
    else {
      (state.oldDirs, state.oldStps, state.ro, state.hDiag) = ([], [], [], 1)
      return negativeGradient
    }
    let y = LBFGSVector.difference(flatGrad, previousGrad)
    let s = LBFGSVector.scaled(d, t)
    let ys = LBFGSVector.dot(y, s)
    if ys > 1e-10 {
      if state.oldDirs.count == hyperparameters.historySize {
        state.oldDirs.removeFirst()
        state.oldStps.removeFirst()
        state.ro.removeFirst()
      }
      state.oldDirs.append(y)
      state.oldStps.append(s)
      state.ro.append(1 / ys)
      state.hDiag = ys / LBFGSVector.dot(y, y)
    }
    var q = negativeGradient
    var alphas = Array(repeating: 0.0, count: state.oldDirs.count)
    for i in state.oldDirs.indices.reversed() {
      alphas[i] = LBFGSVector.dot(state.oldStps[i], q) * state.ro[i]
      LBFGSVector.add(&q, state.oldDirs[i], alpha: -alphas[i])
    }
    var r = LBFGSVector.scaled(q, state.hDiag)
    for i in state.oldDirs.indices {
      let beta = LBFGSVector.dot(state.oldDirs[i], r) * state.ro[i]
      LBFGSVector.add(&r, state.oldStps[i], alpha: alphas[i] - beta)
    }
    return r
  }

  // MARK: The flat view

  /// Every parameter's gradient, concatenated; zeros for a parameter without one.
  private func gatherFlatGrad() -> [Scalar] {
    LBFGSVector.concatenated(parameters.map { $0.grad?.scalars }, counts: parameterCounts)
  }

  /// Every parameter's values, concatenated.
  private func currentValues() -> [Scalar] {
    LBFGSVector.concatenated(parameters.map { $0.value.scalars }, counts: parameterCounts)
  }

  /// Adds `step * update` to the parameters (`_add_grad`).
  private func addToParameters(_ update: [Scalar], times step: Double) {
    var offset = 0
    for parameter in parameters {
      parameter.withUnsafeMutableValues { values in
        LBFGSVector.add(values, update[offset..<offset + values.count], alpha: step)
      }
      offset += parameter.count
    }
  }

  /// Sets the parameters to the concatenated `values`.
  private func setValues(_ values: [Scalar]) {
    var offset = 0
    for parameter in parameters {
      parameter.withUnsafeMutableValues { LBFGSVector.copy(values, from: offset, into: $0) }
      offset += parameter.count
    }
  }

  /// The loss and gradient at `start + step * direction`; the parameters are `start` afterwards.
  private func directionalEvaluate(
    _ closure: () throws -> Double, from start: [Scalar], step: Double, along direction: [Scalar]
  ) rethrows -> (loss: Double, gradient: [Scalar]) {
    addToParameters(direction, times: step)
    defer { setValues(start) }
    let loss = try closure()
    return (loss, gatherFlatGrad())
  }

  // MARK: ScheduledOptimizer

  /// Always 1.
  public var paramGroupCount: Int { 1 }
  /// The learning rate.
  public func learningRate(ofGroup index: Int) -> Double { hyperparameters.lr }
  /// Sets the learning rate (not validated, as PyTorch's schedulers do).
  public func setLearningRate(_ value: Double, ofGroup index: Int) { hyperparameters.lr = value }
  /// `nil`: LBFGS has no momentum.
  public func momentum(ofGroup index: Int) -> Double? { nil }
  /// No effect: LBFGS has no momentum.
  public func setMomentum(_ value: Double, ofGroup index: Int) {}

  /// PyTorch's printed layout with Swift spellings: the entries sorted, the line search by name
  /// (`strong_wolfe` or `nil`) rather than as its flag.
  public var description: String {
    var text = "LBFGS (\nParameter Group 0\n"
    let search = hyperparameters.lineSearchFn?.description ?? "nil"
    for (name, value) in hyperparameters.entries.sorted(by: { $0.key < $1.key }) {
      text += "    \(name): \(name == "lineSearchFn" ? search : value.description)\n"
    }
    return text + ")"
  }
}
