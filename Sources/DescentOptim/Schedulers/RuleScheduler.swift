/// A learning-rate scheduler driven by one ``LRScheduleRule``: PyTorch's `LRScheduler` base class.
///
/// Construction performs PyTorch's initial step (`last_epoch` goes from -1 to 0 and the learning
/// rates take their epoch-0 values); each ``step()`` then advances one epoch using the rule's
/// recursive form, so several schedulers on one optimizer compose as in PyTorch.
/// Every named scheduler (``StepLR``, ``CosineAnnealingLR``, ...) is this class with its rule.
public final class RuleScheduler<Rule: LRScheduleRule>: EpochLRScheduler {
  /// The optimizer whose learning rates this scheduler sets.
  public let optimizer: any ScheduledOptimizer
  /// The schedule's hyperparameters and carried values.
  public private(set) var rule: Rule
  /// The learning rates the schedule starts from (PyTorch's `base_lrs`).
  public private(set) var baseLRs: [Double]
  /// The index of the last epoch stepped; 0 right after construction.
  public private(set) var lastEpoch: Int = -1
  /// How many steps were taken, the initial one included (PyTorch's `_step_count`).
  public private(set) var stepCount: Int = 0
  /// The learning rate of each group after the last step.
  public private(set) var lastLR: [Double]

  /// Attaches `rule` to `optimizer` and performs the initial step.
  ///
  /// - Throws: ``SchedulerError`` when a per-group option does not fit the optimizer.
  public init(_ optimizer: any ScheduledOptimizer, rule: Rule) throws {
    var rule = rule
    let imposed = try rule.prepare(for: optimizer)
    if let imposed { InitialLearningRates.shared.record(imposed, for: optimizer) }
    self.optimizer = optimizer
    self.rule = rule
    self.baseLRs = imposed ?? InitialLearningRates.shared.recordIfAbsent(for: optimizer)
    self.lastLR = optimizer.learningRates
    restartFromInitialStep()
  }

  /// Advances one epoch and sets the optimizer's learning rates.
  public func step() { advance(isInitial: false) }

  /// Throws when the rule has no value at the next epoch (OneCycleLR past `total_steps`).
  ///
  /// - Throws: ``SchedulerError/steppedPastEnd(scheduler:steps:totalSteps:)``.
  public func checkNextStep() throws { try rule.checkStep(toEpoch: lastEpoch + 1) }

  /// Restarts the schedule from its first epoch, as at construction.
  public func restartFromInitialStep() {
    stepCount = 0
    advance(isInitial: true)
  }

  /// Moves to epoch `epoch` with the closed form where the rule has one (else its recursive form),
  /// without counting a step.
  public func jump(toEpoch epoch: Int) {
    lastEpoch = epoch
    let context = self.context(isInitial: false)
    apply(rule.closedFormLearningRates(context) ?? rule.learningRates(context))
  }

  /// Moves the epoch counter back by one without touching learning rates.
  public func undoEpoch() { lastEpoch -= 1 }

  /// The scheduler's state, for checkpoints.
  public func stateDict() -> SchedulerState {
    SchedulerState(
      kind: Rule.schedulerName, lastEpoch: lastEpoch, stepCount: stepCount, baseLRs: baseLRs,
      lastLR: lastLR, values: rule.savedValues)
  }

  /// Restores a state saved by ``stateDict()``; the optimizer's learning rates are not changed
  /// (restore the optimizer's own state alongside, as in PyTorch).
  public func loadStateDict(_ state: SchedulerState) throws {
    try state.check(kind: Rule.schedulerName, groups: optimizer.paramGroupCount)
    try rule.restore(from: state)
    lastEpoch = state.lastEpoch
    stepCount = state.stepCount
    baseLRs = state.baseLRs
    lastLR = state.lastLR
  }

  private func advance(isInitial: Bool) {
    stepCount += 1
    lastEpoch += 1
    apply(rule.learningRates(context(isInitial: isInitial)))
  }

  private func context(isInitial: Bool) -> ScheduleContext {
    ScheduleContext(
      optimizer: optimizer, lastEpoch: lastEpoch, stepCount: stepCount, isInitial: isInitial,
      baseLRs: baseLRs)
  }

  private func apply(_ rates: [Double]) {
    optimizer.setLearningRates(rates)
    lastLR = optimizer.learningRates
  }
}
