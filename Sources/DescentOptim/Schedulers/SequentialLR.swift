/// Runs schedulers one after another, switching at milestones (PyTorch's `SequentialLR`).
///
/// At construction the learning rates go back to their initial values, the step every inner
/// scheduler took at its own construction is undone, and only the first one takes its initial
/// step. At a milestone the next scheduler starts at its epoch 0 (closed form where it has one).
public final class SequentialLR: CompositeLRScheduler {
  /// `"SequentialLR"`.
  public static let schedulerName = "SequentialLR"
  /// The optimizer every inner scheduler sets.
  public let optimizer: any ScheduledOptimizer
  /// The inner schedulers, in order.
  public let schedulers: [any EpochLRScheduler]
  /// The epochs at which the next scheduler takes over; one fewer than the schedulers.
  public let milestones: [Int]
  /// The index of the last epoch stepped; 0 right after construction.
  public private(set) var lastEpoch: Int = 0
  /// The learning rate of each group after the last step.
  public private(set) var lastLR: [Double] = []

  /// `SequentialLR(optimizer, schedulers, milestones)`.
  ///
  /// - Throws: ``SchedulerError`` when there is no scheduler, one belongs to another optimizer,
  ///   or the milestones are not one fewer than the schedulers and strictly increasing.
  public init(
    _ optimizer: any ScheduledOptimizer, schedulers: [any EpochLRScheduler], milestones: [Int]
  ) throws {
    try checkComposition(schedulers, optimizer: optimizer, scheduler: Self.schedulerName)
    try SchedulerError.require(
      milestones.count == schedulers.count - 1, Self.schedulerName, "milestones", milestones,
      "must hold one fewer value than the \(schedulers.count) schedulers")
    try SchedulerError.require(
      zip(milestones, milestones.dropFirst()).allSatisfy { $0 < $1 }, Self.schedulerName,
      "milestones",
      milestones, "must be strictly increasing")
    self.optimizer = optimizer
    self.schedulers = schedulers
    self.milestones = milestones
    restartFromInitialStep()
  }

  /// Advances one epoch with the scheduler in charge of it.
  public func step() {
    lastEpoch += 1
    let index = milestones.filter { $0 <= lastEpoch }.count
    let current = schedulers[index]
    if index > 0 && milestones[index - 1] == lastEpoch {
      current.jump(toEpoch: 0)
    } else {
      current.step()
    }
    lastLR = current.lastLR
  }

  /// Throws when the scheduler in charge of the next epoch cannot step to it.
  ///
  /// - Throws: ``SchedulerError/steppedPastEnd(scheduler:steps:totalSteps:)``.
  public func checkNextStep() throws {
    let next = lastEpoch + 1
    let index = milestones.filter { $0 <= next }.count
    if index > 0 && milestones[index - 1] == next { return }
    try schedulers[index].checkNextStep()
  }

  /// Resets the learning rates to their initial values, undoes the inner schedulers' steps and
  /// takes the first scheduler's initial step (what construction does).
  public func restartFromInitialStep() {
    lastEpoch = 0
    optimizer.setLearningRates(InitialLearningRates.shared.recordIfAbsent(for: optimizer))
    undoEpoch()
    schedulers[0].restartFromInitialStep()
    lastLR = schedulers[0].lastLR
  }

  /// Moves to epoch `epoch`: restarts, then steps up to it.
  public func jump(toEpoch epoch: Int) {
    restartFromInitialStep()
    while lastEpoch < epoch { step() }
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
