/// ConstantLR's rule: multiply by `factor` until epoch `total_iters`, then restore.
public struct ConstantLRRule: LRScheduleRule {
  /// `"ConstantLR"`.
  public static let schedulerName = "ConstantLR"
  /// The factor applied until the milestone, in (0, 1].
  public let factor: Double
  /// The epoch at which the factor is removed (> 0).
  public let totalIters: Int

  /// Validates the options.
  ///
  /// - Throws: ``SchedulerError`` for `factor` outside (0, 1] or `total_iters <= 0`.
  public init(factor: Double = 1.0 / 3, totalIters: Int = 5) throws {
    try SchedulerError.require(
      factor > 0 && factor <= 1, Self.schedulerName, "factor", factor, "must be in (0, 1]")
    try SchedulerError.require(
      totalIters > 0, Self.schedulerName, "total_iters", totalIters, "must be > 0")
    self.factor = factor
    self.totalIters = totalIters
  }

  /// `lr * factor` at epoch 0, `lr / factor` at `total_iters`, else `lr`.
  public mutating func learningRates(_ context: ScheduleContext) -> [Double] {
    switch context.lastEpoch {
    case 0: return context.currentLRs(times: factor)
    case totalIters: return context.currentLRs(times: 1.0 / factor)
    default: return context.currentLRs
    }
  }

  /// `base_lr * factor` before `total_iters`, `base_lr` from then on.
  public func closedFormLearningRates(_ context: ScheduleContext) -> [Double]? {
    context.baseLRs(times: factor + (context.lastEpoch >= totalIters ? 1 - factor : 0))
  }
}

/// Multiplies each group's learning rate by a constant factor until a milestone
/// (PyTorch's `ConstantLR`).
public typealias ConstantLR = RuleScheduler<ConstantLRRule>

extension RuleScheduler where Rule == ConstantLRRule {
  /// `ConstantLR(optimizer, factor=1/3, total_iters=5)`.
  ///
  /// - Throws: ``SchedulerError`` for `factor` outside (0, 1] or `totalIters <= 0`.
  public convenience init(
    _ optimizer: any ScheduledOptimizer, factor: Double = 1.0 / 3, totalIters: Int = 5
  )
    throws
  {
    try self.init(optimizer, rule: ConstantLRRule(factor: factor, totalIters: totalIters))
  }
}
