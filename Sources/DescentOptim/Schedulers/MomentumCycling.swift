/// The momentum bounds of a schedule that cycles momentum inversely to the learning rate
/// (CyclicLR, OneCycleLR), resolved per group.
struct MomentumBounds {
  /// The momentum at the learning rate's peak, per group.
  var base: [Double]
  /// The momentum at the learning rate's trough, per group.
  var max: [Double]

  /// Resolves the bounds for `optimizer`, checks it has a momentum-like hyperparameter and sets
  /// it to `max` (as PyTorch does at construction).
  ///
  /// - Throws: ``SchedulerError/momentumUnsupported(scheduler:)`` or a group-count mismatch.
  init(
    base: PerGroupValue, max: PerGroupValue, optimizer: any ScheduledOptimizer, scheduler: String
  ) throws {
    let groups = optimizer.paramGroupCount
    guard (0..<groups).allSatisfy({ optimizer.momentum(ofGroup: $0) != nil }) else {
      throw SchedulerError.momentumUnsupported(scheduler: scheduler)
    }
    self.base = try base.resolved(groups: groups, scheduler: scheduler, option: "base_momentum")
    self.max = try max.resolved(groups: groups, scheduler: scheduler, option: "max_momentum")
    setMomentums(self.max, on: optimizer)
  }

  /// Bounds given group by group.
  init(base: [Double], max: [Double]) {
    self.base = base
    self.max = max
  }
}

/// Sets each group's momentum-like hyperparameter, in group order.
func setMomentums(_ momentums: [Double], on optimizer: any ScheduledOptimizer) {
  for (index, value) in momentums.enumerated() { optimizer.setMomentum(value, ofGroup: index) }
}
