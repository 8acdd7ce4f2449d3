/// What every learning-rate scheduler offers, as PyTorch's `torch.optim.lr_scheduler.LRScheduler`.
public protocol LRScheduler: AnyObject {
  /// The optimizer whose learning rates this scheduler sets.
  var optimizer: any ScheduledOptimizer { get }
  /// The index of the last epoch (or batch) stepped; 0 right after construction.
  var lastEpoch: Int { get }
  /// The learning rate of each group after the last step (PyTorch's `get_last_lr()`).
  var lastLR: [Double] { get }
  /// The scheduler's state, for checkpoints (closures are not saved, as in PyTorch).
  func stateDict() -> SchedulerState
  /// Restores a state saved by ``stateDict()`` of a scheduler of the same kind.
  ///
  /// - Throws: ``SchedulerError/stateMismatch(scheduler:reason:)`` when the state is of another
  ///   kind or shape.
  func loadStateDict(_ state: SchedulerState) throws
}

/// A scheduler stepped without a metric, once per epoch (or batch): every scheduler except
/// ``ReduceLROnPlateau``. Only these can be chained or sequenced.
public protocol EpochLRScheduler: LRScheduler {
  /// Advances one epoch and sets the optimizer's learning rates (PyTorch's `scheduler.step()`).
  /// Where PyTorch's `step()` raises (OneCycleLR past `total_steps`) this holds the last value;
  /// ``checkedStep()`` throws there instead.
  func step()
  /// Throws where PyTorch's `step()` would raise on the next step: a OneCycleLR (alone or inside
  /// a composite) already at its `total_steps`. Changes nothing.
  ///
  /// - Throws: ``SchedulerError/steppedPastEnd(scheduler:steps:totalSteps:)``.
  func checkNextStep() throws
  /// Moves to epoch `epoch` using the closed form where the schedule has one, as PyTorch's
  /// `_update_lr(epoch)`; ``SequentialLR`` uses it to start a scheduler at its milestone.
  func jump(toEpoch epoch: Int)
  /// Restarts the schedule from its first epoch as at construction (PyTorch's `_initial_step`).
  func restartFromInitialStep()
  /// Moves the epoch counter back by one without touching learning rates (PyTorch's
  /// `recursive_undo`), used by ``SequentialLR``.
  func undoEpoch()
}

extension EpochLRScheduler {
  /// Nothing to check: a schedule without an end.
  public func checkNextStep() throws {}

  /// ``step()`` as PyTorch steps: throws instead of stepping where PyTorch raises (OneCycleLR
  /// stepped past `total_steps`), leaving the scheduler and the optimizer as they were.
  ///
  /// - Throws: ``SchedulerError/steppedPastEnd(scheduler:steps:totalSteps:)``.
  public func checkedStep() throws {
    try checkNextStep()
    step()
  }
}

/// A scheduler's saved state: a Codable value for checkpoints.
///
/// It holds the progress every scheduler has (epoch, step count, base and last learning rates),
/// the few numbers some schedules carry between steps (in `values`, e.g. `T_cur` and `T_i` of
/// warm restarts, `best` of ReduceLROnPlateau) and the states of inner schedulers. Hyperparameters
/// are not saved: the state is loaded into a scheduler built with the same options.
public struct SchedulerState: Codable, Equatable, Sendable {
  /// The scheduler's PyTorch class name, e.g. `"StepLR"`.
  public var kind: String
  /// The index of the last epoch stepped.
  public var lastEpoch: Int
  /// How many times the scheduler was stepped, counting the initial step.
  public var stepCount: Int
  /// The learning rates the schedule starts from (PyTorch's `base_lrs`; ReduceLROnPlateau, which
  /// has none, saves its `min_lr` of each group here).
  public var baseLRs: [Double]
  /// The learning rates after the last step.
  public var lastLR: [Double]
  /// Schedule-specific numbers carried between steps, by PyTorch's attribute name.
  public var values: [String: Double]
  /// The states of inner schedulers (SequentialLR, ChainedScheduler).
  public var children: [SchedulerState]

  /// A state with the given parts.
  public init(
    kind: String, lastEpoch: Int, stepCount: Int, baseLRs: [Double], lastLR: [Double],
    values: [String: Double] = [:], children: [SchedulerState] = []
  ) {
    self.kind = kind
    self.lastEpoch = lastEpoch
    self.stepCount = stepCount
    self.baseLRs = baseLRs
    self.lastLR = lastLR
    self.values = values
    self.children = children
  }

  /// Checks that this state was saved by a `kind` scheduler over `groups` parameter groups.
  func check(kind expected: String, groups: Int) throws {
    guard kind == expected else {
      throw SchedulerError.stateMismatch(scheduler: expected, reason: "the state is of a \(kind)")
    }
    guard lastLR.count == groups, baseLRs.count == groups else {
      throw SchedulerError.stateMismatch(
        scheduler: expected,
        reason: "the state has \(lastLR.count) groups, the optimizer \(groups)")
    }
  }

  /// The saved number named `key`.
  func value(_ key: String) throws -> Double {
    guard let value = values[key] else {
      throw SchedulerError.stateMismatch(scheduler: kind, reason: "the state lacks '\(key)'")
    }
    return value
  }
}

extension ScheduledOptimizer {
  /// The learning rate of every group, in group order.
  var learningRates: [Double] { (0..<paramGroupCount).map { learningRate(ofGroup: $0) } }

  /// Sets the learning rate of every group, in group order.
  func setLearningRates(_ values: [Double]) {
    for (index, value) in values.enumerated() { setLearningRate(value, ofGroup: index) }
  }
}
