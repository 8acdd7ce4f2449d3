import DescentTensor

/// A handle to a registered step hook, used to remove it.
public struct StepHookHandle: Hashable, Sendable {
  let id: Int
}

/// What every optimizer shares: parameter groups with defaults, per-parameter state keyed by
/// parameter identity, `zeroGrad`, `step`, state dicts, step hooks and PyTorch's printed layout.
/// The algorithm (`Algorithm`) supplies the hyperparameters and the update.
///
/// Use the named subclasses (`SGD`, `Adam`, ...); this base can also be created directly from a
/// defaults value, as the conformance runner does.
public class Optimizer<Algorithm: OptimizerAlgorithm>: ScheduledOptimizer, CustomStringConvertible {
  /// The element type of the parameters.
  public typealias Scalar = Algorithm.Scalar
  /// The algorithm's hyperparameters.
  public typealias Settings = Algorithm.Settings

  /// The class name shown by ``description`` (`"AdamW"` for Adam with decoupled weight decay).
  public let name: String
  /// The hyperparameters a new group starts from.
  public let defaults: Settings
  /// The parameter groups, in order.
  public private(set) var paramGroups: [OptimizerParamGroup<Settings, Scalar>] = []
  /// Which path runs element-wise updates (the scalar one is the reference for tests).
  public var kernelPath: KernelPath = .vectorized
  /// The threads element-wise updates run on (``WorkerPool/shared`` unless set).
  public var workerPool: WorkerPool = .shared

  /// Every parameter's state, at the parameter's position in ``parameters`` (`nil` before its
  /// first step, for lazily created state).
  var states: [ParameterState<Scalar>?] = []
  /// The position in ``parameters`` of each parameter, by identity.
  private var roster = ParameterRoster<Scalar>()
  private var preHooks: [(StepHookHandle, (Optimizer) -> Void)] = []
  private var postHooks: [(StepHookHandle, (Optimizer) -> Void)] = []
  private var nextHookID = 0
  /// The step's work list, kept between steps so that a steady-state step allocates nothing.
  var plan = StepPlan<Algorithm>()

  /// An optimizer of `groups`, each group's hyperparameters being `defaults` with its overrides.
  ///
  /// - Throws: ``OptimizerError`` for an empty group, a parameter given twice, or an unknown or
  ///   invalid override.
  public init(groups: [ParameterGroup<Scalar>], defaults: Settings, name: String = Algorithm.name)
    throws
  {
    self.name = name
    self.defaults = defaults
    if groups.isEmpty {
      throw OptimizerError.emptyParameterList(optimizer: name, group: 0)
    }
    for group in groups {
      try addParamGroup(group)
    }
  }

  /// Adds a parameter group whose hyperparameters are the defaults with `group.overrides`.
  ///
  /// - Throws: ``OptimizerError`` for an empty group, a parameter already optimized, or an
  ///   unknown or invalid override; the optimizer is then unchanged.
  public func addParamGroup(_ group: ParameterGroup<Scalar>) throws {
    let index = paramGroups.count
    guard !group.parameters.isEmpty else {
      throw OptimizerError.emptyParameterList(optimizer: name, group: index)
    }
    var added = roster
    for (position, parameter) in group.parameters.enumerated() {
      if let reason = Algorithm.unsupportedReason(for: parameter) {
        throw OptimizerError.unsupportedParameter(
          optimizer: name, group: index, position: position, reason: reason)
      }
      switch added.add(parameter, at: parameters.count + position) {
      case nil: continue
      case .duplicate:
        throw OptimizerError.duplicateParameter(optimizer: name, group: index, position: position)
      case .overlap:
        throw OptimizerError.overlappingParameter(optimizer: name, group: index, position: position)
      }
    }
    let settings = try Settings(
      entries: defaults.entries.merging(group.overrides) { _, override in override })
    paramGroups.append(OptimizerParamGroup(parameters: group.parameters, hyperparameters: settings))
    roster = added
    parameters += group.parameters
    states += group.parameters.map { parameter in
      Algorithm.createsStateEagerly ? Algorithm.initialState(for: parameter, settings) : nil
    }
  }

  /// Every parameter, in group order (the groups' parameters, kept flat: the step and clipping
  /// walk it).
  public private(set) var parameters: [Parameter<Scalar>] = []

  /// The state of `parameter`, or `nil` before its first step (for lazily created state).
  public func state(of parameter: Parameter<Scalar>) -> ParameterState<Scalar>? {
    roster.positions[ObjectIdentifier(parameter)].flatMap { states[$0] }
  }

  /// Clears every parameter's gradient: to `nil` (the default, as PyTorch) or to zeros.
  public func zeroGrad(setToNil: Bool = true) {
    for parameter in parameters { parameter.zeroGrad(setToNil: setToNil) }
  }

  /// Takes one step: updates every parameter that has a gradient; parameters without one are
  /// skipped and their state left unchanged.
  public func step() {
    runHooks(preHooks)
    willUpdate()
    update()
    didUpdate()
    runHooks(postHooks)
  }

  /// Evaluates `closure` (which recomputes the loss and gradients), takes one step, and returns
  /// the closure's result. Pre-hooks run before the closure, post-hooks after the update.
  @discardableResult
  public func step<Loss>(closure: () throws -> Loss) rethrows -> Loss {
    runHooks(preHooks)
    let loss = try closure()
    willUpdate()
    update()
    didUpdate()
    runHooks(postHooks)
    return loss
  }

  /// Runs right before each step's update (after the closure): an optimizer with per-group step
  /// bookkeeping (the schedule-free ones) advances its groups here. Does nothing by default.
  func willUpdate() {}

  /// Runs right after each step's update. Does nothing by default.
  func didUpdate() {}

  /// Changes the hyperparameters of group `index` in place (step bookkeeping kept in the group,
  /// as the schedule-free optimizers' `k` and `weight_sum`).
  func modifyHyperparameters(ofGroup index: Int, _ body: (inout Settings) -> Void) {
    paramGroups.withUnsafeMutableBufferPointer { groups in body(&groups[index].hyperparameters) }
  }

  // MARK: Hooks

  /// Registers `hook` to run before each step.
  @discardableResult
  public func registerStepPreHook(_ hook: @escaping (Optimizer) -> Void) -> StepHookHandle {
    let handle = makeHandle()
    preHooks.append((handle, hook))
    return handle
  }

  /// Registers `hook` to run after each step.
  @discardableResult
  public func registerStepPostHook(_ hook: @escaping (Optimizer) -> Void) -> StepHookHandle {
    let handle = makeHandle()
    postHooks.append((handle, hook))
    return handle
  }

  /// Removes the hook registered with `handle` (no effect when it was already removed).
  public func removeHook(_ handle: StepHookHandle) {
    preHooks.removeAll { $0.0 == handle }
    postHooks.removeAll { $0.0 == handle }
  }

  private func makeHandle() -> StepHookHandle {
    nextHookID += 1
    return StepHookHandle(id: nextHookID)
  }

  private func runHooks(_ hooks: [(StepHookHandle, (Optimizer) -> Void)]) {
    for (_, hook) in hooks { hook(self) }
  }

  // MARK: ScheduledOptimizer

  /// The number of parameter groups.
  public var paramGroupCount: Int { paramGroups.count }

  /// The learning rate of group `index`.
  public func learningRate(ofGroup index: Int) -> Double { paramGroups[index].hyperparameters.lr }

  /// Sets the learning rate of group `index` (not validated, as PyTorch's schedulers do).
  public func setLearningRate(_ value: Double, ofGroup index: Int) {
    paramGroups[index].hyperparameters.lr = value
  }

  /// `momentum` or the first beta of group `index`, `nil` when the algorithm has none.
  public func momentum(ofGroup index: Int) -> Double? {
    paramGroups[index].hyperparameters.momentumLike
  }

  /// Sets `momentum` or the first beta of group `index` (no effect when there is none).
  public func setMomentum(_ value: Double, ofGroup index: Int) {
    paramGroups[index].hyperparameters.momentumLike = value
  }

  // MARK: Description

  /// PyTorch's printed layout with Swift spellings: the class name, then each group's
  /// hyperparameters sorted by name.
  public var description: String {
    var text = "\(name) ("
    for (index, group) in paramGroups.enumerated() {
      text += "\nParameter Group \(index)\n"
      for (key, value) in group.hyperparameters.entries.sorted(by: { $0.key < $1.key }) {
        text += "    \(key): \(Settings.printed(key, value))\n"
      }
    }
    return text + ")"
  }

  // MARK: State dict

  /// The state in PyTorch's structure (see ``OptimizerStateDict``).
  public func stateDict() -> OptimizerStateDict {
    var records: [Int: OptimizerStateDict.ParameterRecord] = [:]
    var groups: [OptimizerStateDict.GroupRecord] = []
    var index = 0
    for group in paramGroups {
      var indices: [Int] = []
      for parameter in group.parameters {
        if let state = states[index] {
          let buffers = state.recordBuffers()
          records[index] = OptimizerStateDict.ParameterRecord(
            step: state.step, shape: parameter.shape,
            buffers: Dictionary(uniqueKeysWithValues: buffers.map { ($0.name, $0.values) }),
            bufferOrder: buffers.map(\.name), scalars: state.scalars,
            bufferDTypes: Dictionary(
              uniqueKeysWithValues: buffers.compactMap { buffer in
                buffer.dtype.map { (buffer.name, $0) }
              }))
        }
        indices.append(index)
        index += 1
      }
      groups.append(
        OptimizerStateDict.GroupRecord(
          params: indices, hyperparameters: group.hyperparameters.entries))
    }
    return OptimizerStateDict(state: records, paramGroups: groups)
  }

  /// Replaces the groups' hyperparameters and every parameter's state by those of `dict`.
  ///
  /// - Throws: ``OptimizerError/stateDictMismatch(optimizer:reason:)`` (or a hyperparameter
  ///   error) when the group or parameter counts, a parameter index, a buffer's size or a
  ///   hyperparameter does not fit; the optimizer is then exactly as it was.
  public func loadStateDict(_ dict: OptimizerStateDict) throws {
    func mismatch(_ reason: String) -> OptimizerError {
      .stateDictMismatch(optimizer: name, reason: reason)
    }
    guard dict.paramGroups.count == paramGroups.count else {
      throw mismatch(
        "it has \(dict.paramGroups.count) parameter groups, the optimizer \(paramGroups.count)")
    }
    var settings: [Settings] = []
    // The dict's parameter indices, mapped to positions in `parameters` (group order).
    var positionOfIndex: [Int: Int] = [:]
    for (groupIndex, (record, group)) in zip(dict.paramGroups, paramGroups).enumerated() {
      guard record.params.count == group.parameters.count else {
        throw mismatch(
          "group \(groupIndex) has \(record.params.count) parameters, the optimizer's \(group.parameters.count)"
        )
      }
      settings.append(try Settings(entries: record.hyperparameters))
      for index in record.params {
        guard positionOfIndex.updateValue(positionOfIndex.count, forKey: index) == nil else {
          throw mismatch("parameter index \(index) appears twice")
        }
      }
    }
    let groupOfPosition = paramGroups.indices.flatMap { group in
      repeatElement(group, count: paramGroups[group].parameters.count)
    }
    var newStates = [ParameterState<Scalar>?](repeating: nil, count: parameters.count)
    for (index, record) in dict.state.sorted(by: { $0.key < $1.key }) {
      guard let position = positionOfIndex[index] else {
        throw mismatch("state for parameter \(index), which no group holds")
      }
      newStates[position] = try restoredState(
        record, for: parameters[position], settings: settings[groupOfPosition[position]],
        index: index, mismatch: mismatch)
    }
    for index in paramGroups.indices {
      paramGroups[index].hyperparameters = settings[index]
    }
    states = newStates
  }

  /// The state `record` holds for `parameter`, which must have every buffer and scalar a fresh
  /// state of the algorithm has under `settings` (issue 15: a checkpoint missing `exp_avg_sq`
  /// must not load).
  private func restoredState(
    _ record: OptimizerStateDict.ParameterRecord, for parameter: Parameter<Scalar>,
    settings: Settings, index: Int, mismatch: (String) -> OptimizerError
  ) throws -> ParameterState<Scalar> {
    guard record.shape == parameter.shape else {
      throw mismatch("parameter \(index) has shape \(parameter.shape), the state \(record.shape)")
    }
    guard record.step >= 0 else {
      throw mismatch("parameter \(index): negative step \(record.step)")
    }
    var fresh = Algorithm.initialState(for: parameter, settings)
    for (name, dtype) in record.bufferDTypes.sorted(by: { $0.key < $1.key })
    where fresh.recordedDType(of: name) != dtype {
      throw mismatch(
        "parameter \(index): buffer '\(name)' is kept in \(dtype.rawValue), which is not how "
          + "\(self.name) keeps it")
    }
    for name in fresh.scalars.keys.sorted() where record.scalars[name] == nil {
      throw mismatch("parameter \(index): scalar '\(name)' is missing, and the optimizer needs it")
    }
    if fresh.encoding != .plain {
      do {
        try fresh.restoreEncoded(from: record.buffers)
      } catch {
        throw mismatch(error.reason(parameter: index))
      }
      fresh.step = record.step
      fresh.scalars = record.scalars
      return fresh
    }
    for name in fresh.bufferNames where record.buffers[name] == nil {
      throw mismatch(StateRestoreError.missing(name).reason(parameter: index))
    }
    guard Set(record.bufferOrder) == Set(record.buffers.keys),
      record.bufferOrder.count == record.buffers.count
    else {
      throw mismatch(
        "parameter \(index): buffer order \(record.bufferOrder) does not name its buffers")
    }
    var buffers: [(name: String, values: [Scalar])] = []
    for name in record.bufferOrder {
      let values = record.buffers[name] ?? []
      guard values.count == parameter.count else {
        throw mismatch(
          "parameter \(index): buffer '\(name)' has \(values.count) elements, not \(parameter.count)"
        )
      }
      buffers.append((name, values.map { Scalar($0) }))
    }
    guard buffers.count <= ElementwiseKernel.maxBuffers else {
      throw mismatch("parameter \(index) has \(buffers.count) buffers")
    }
    var state = ParameterState<Scalar>(count: parameter.count, scalars: record.scalars)
    state.step = record.step
    state.setBuffers(buffers)
    return state
  }
}
