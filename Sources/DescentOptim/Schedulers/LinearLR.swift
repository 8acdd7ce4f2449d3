/// LinearLR's rule: the factor moves linearly from `start_factor` to `end_factor` over
/// `total_iters` epochs.
public struct LinearLRRule: LRScheduleRule {
  /// `"LinearLR"`.
  public static let schedulerName = "LinearLR"
  /// The factor at epoch 0, in (0, 1].
  public let startFactor: Double
  /// The factor from epoch `total_iters` on, in [0, 1].
  public let endFactor: Double
  /// The number of epochs of the ramp (> 0).
  public let totalIters: Int

  /// Validates the options.
  ///
  /// - Throws: ``SchedulerError`` for `start_factor` outside (0, 1], `end_factor` outside [0, 1]
  ///   or `total_iters <= 0`.
  public init(startFactor: Double = 1.0 / 3, endFactor: Double = 1.0, totalIters: Int = 5) throws {
    try SchedulerError.require(
      startFactor > 0 && startFactor <= 1, Self.schedulerName, "start_factor", startFactor,
      "must be in (0, 1]")
    try SchedulerError.require(
      endFactor >= 0 && endFactor <= 1, Self.schedulerName, "end_factor", endFactor,
      "must be in [0, 1]")
    try SchedulerError.require(
      totalIters > 0, Self.schedulerName, "total_iters", totalIters, "must be > 0")
    self.startFactor = startFactor
    self.endFactor = endFactor
    self.totalIters = totalIters
  }

  /// The ratio of consecutive factors of the ramp (PyTorch's recursive form).
  public mutating func learningRates(_ context: ScheduleContext) -> [Double] {
    let epoch = context.lastEpoch
    if epoch == 0 { return context.currentLRs(times: startFactor) }
    if context.isInitial || epoch > totalIters { return context.currentLRs }
    let slope = endFactor - startFactor
    return context.currentLRs(
      times: 1.0 + slope / (Double(totalIters) * startFactor + Double(epoch - 1) * slope))
  }

  /// `base_lr * (start + (end - start) * min(total_iters, epoch) / total_iters)`.
  public func closedFormLearningRates(_ context: ScheduleContext) -> [Double]? {
    let progress = Double(min(totalIters, context.lastEpoch)) / Double(totalIters)
    return context.baseLRs(times: startFactor + (endFactor - startFactor) * progress)
  }
}

/// Ramps each group's learning rate by a linearly changing factor (PyTorch's `LinearLR`).
public typealias LinearLR = RuleScheduler<LinearLRRule>

extension RuleScheduler where Rule == LinearLRRule {
  /// `LinearLR(optimizer, start_factor=1/3, end_factor=1.0, total_iters=5)`.
  ///
  /// - Throws: ``SchedulerError`` for factors or `totalIters` out of range.
  public convenience init(
    _ optimizer: any ScheduledOptimizer, startFactor: Double = 1.0 / 3, endFactor: Double = 1.0,
    totalIters: Int = 5
  ) throws {
    try self.init(
      optimizer,
      rule: LinearLRRule(startFactor: startFactor, endFactor: endFactor, totalIters: totalIters))
  }
}
