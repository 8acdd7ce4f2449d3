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

/// Loads the states of inner schedulers saved in `state.children`.
func loadChildren(
  _ state: SchedulerState, into schedulers: [any EpochLRScheduler], scheduler: String
) throws {
  guard state.children.count == schedulers.count else {
    throw SchedulerError.stateMismatch(
      scheduler: scheduler,
      reason: "the state has \(state.children.count) inner schedulers, this one \(schedulers.count)"
    )
  }
  for (inner, child) in zip(schedulers, state.children) { try inner.loadStateDict(child) }
}
