/// Checks the schedulers given to a composite scheduler: at least one, all on `optimizer`.
func checkComposition(
  _ schedulers: [any EpochLRScheduler], optimizer: any ScheduledOptimizer, scheduler: String
) throws {
  guard !schedulers.isEmpty else {
    throw SchedulerError.invalidComposition(
      scheduler: scheduler, reason: "expects at least one scheduler")
  }
  for (index, inner) in schedulers.enumerated() where inner.optimizer !== optimizer {
    throw SchedulerError.invalidComposition(
      scheduler: scheduler, reason: "the scheduler at index \(index) belongs to another optimizer")
  }
}

/// A scheduler that drives inner schedulers (SequentialLR, ChainedScheduler).
protocol CompositeLRScheduler: EpochLRScheduler {
  /// The PyTorch class name.
  static var schedulerName: String { get }
  /// The inner schedulers, in order.
  var schedulers: [any EpochLRScheduler] { get }
}

extension CompositeLRScheduler {
  /// The progress of this scheduler and the states of the inner ones.
  func compositeState() -> SchedulerState {
    SchedulerState(
      kind: Self.schedulerName, lastEpoch: lastEpoch, stepCount: lastEpoch,
      baseLRs: InitialLearningRates.shared.recordIfAbsent(for: optimizer), lastLR: lastLR,
      children: schedulers.map { $0.stateDict() })
  }

  /// Loads the inner schedulers' states and returns this scheduler's progress.
  func loadCompositeState(_ state: SchedulerState) throws -> (lastEpoch: Int, lastLR: [Double]) {
    try state.check(kind: Self.schedulerName, groups: optimizer.paramGroupCount)
    guard state.children.count == schedulers.count else {
      throw SchedulerError.stateMismatch(
        scheduler: Self.schedulerName,
        reason:
          "the state has \(state.children.count) inner schedulers, this one \(schedulers.count)")
    }
    for (inner, child) in zip(schedulers, state.children) { try inner.loadStateDict(child) }
    return (state.lastEpoch, state.lastLR)
  }
}
