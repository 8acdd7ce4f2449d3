/// Steps several schedulers of one optimizer together, each applying its recursive form to the
/// learning rate the previous one left (PyTorch's `ChainedScheduler`); multiplicative schedules
/// multiply.
public final class ChainedScheduler: CompositeLRScheduler {
  /// `"ChainedScheduler"`.
  public static let schedulerName = "ChainedScheduler"
  /// The optimizer every inner scheduler sets.
  public let optimizer: any ScheduledOptimizer
  /// The inner schedulers, stepped in order.
  public let schedulers: [any EpochLRScheduler]
  /// How many times this scheduler was stepped; 0 right after construction.
  public private(set) var lastEpoch: Int = 0
  /// The learning rate of each group after the last step.
  public private(set) var lastLR: [Double]

  /// `ChainedScheduler(schedulers, optimizer=None)`: the inner schedulers have already taken
  /// their initial steps, so nothing is stepped here.
  ///
  /// - Throws: ``SchedulerError/invalidComposition(scheduler:reason:)`` when there is no
  ///   scheduler or they belong to different optimizers.
  public init(_ schedulers: [any EpochLRScheduler], optimizer: (any ScheduledOptimizer)? = nil)
    throws
  {
    guard let optimizer = optimizer ?? schedulers.first?.optimizer else {
      throw SchedulerError.invalidComposition(
        scheduler: Self.schedulerName, reason: "expects at least one scheduler")
    }
    try checkComposition(schedulers, optimizer: optimizer, scheduler: Self.schedulerName)
    self.optimizer = optimizer
    self.schedulers = schedulers
    self.lastLR = optimizer.learningRates
  }

  /// Steps every inner scheduler, in order.
  public func step() {
    lastEpoch += 1
    for inner in schedulers { inner.step() }
    lastLR = optimizer.learningRates
  }

  /// Throws when an inner scheduler cannot take its next step.
  ///
  /// - Throws: ``SchedulerError/steppedPastEnd(scheduler:steps:totalSteps:)``.
  public func checkNextStep() throws {
    for inner in schedulers { try inner.checkNextStep() }
  }

  /// Restarts every inner scheduler from its initial step, in order.
  public func restartFromInitialStep() {
    lastEpoch = 0
    for inner in schedulers { inner.restartFromInitialStep() }
    lastLR = optimizer.learningRates
  }

  /// Moves every inner scheduler to `epoch`, in order.
  public func jump(toEpoch epoch: Int) {
    lastEpoch = epoch
    for inner in schedulers { inner.jump(toEpoch: epoch) }
    lastLR = optimizer.learningRates
  }

  /// Moves every inner scheduler's epoch counter back by one.
  public func undoEpoch() {
    for inner in schedulers { inner.undoEpoch() }
  }

  /// The state of this scheduler and of every inner one.
  public func stateDict() -> SchedulerState { compositeState() }

  /// Restores a state saved by ``stateDict()``, inner schedulers included.
  public func loadStateDict(_ state: SchedulerState) throws {
    (lastEpoch, lastLR) = try loadCompositeState(state)
  }
}
