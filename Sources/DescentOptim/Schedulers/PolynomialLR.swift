import Foundation

/// PolynomialLR's rule: `base_lr * (1 - epoch / total_iters)^power`, constant after `total_iters`.
public struct PolynomialLRRule: LRScheduleRule {
  /// `"PolynomialLR"`.
  public static let schedulerName = "PolynomialLR"
  /// The number of epochs of the decay (> 0).
  public let totalIters: Int
  /// The power of the polynomial (>= 0).
  public let power: Double

  /// Validates the options.
  ///
  /// - Throws: ``SchedulerError`` for `total_iters <= 0` or a negative `power`.
  public init(totalIters: Int = 5, power: Double = 1.0) throws {
    try SchedulerError.require(
      totalIters > 0, Self.schedulerName, "total_iters", totalIters, "must be > 0")
    try SchedulerError.require(
      power >= 0 && power.isFinite, Self.schedulerName, "power", power, "must be >= 0")
    self.totalIters = totalIters
    self.power = power
  }

  /// The ratio of consecutive decay factors (PyTorch's recursive form).
  public mutating func learningRates(_ context: ScheduleContext) -> [Double] {
    let epoch = context.lastEpoch
    if context.isInitial || epoch > totalIters { return context.currentLRs }
    let total = Double(totalIters)
    let ratio = (1.0 - Double(epoch) / total) / (1.0 - Double(epoch - 1) / total)
    return context.currentLRs(times: pow(ratio, power))
  }

  /// `base_lr * (1 - min(total_iters, epoch) / total_iters)^power`.
  public func closedFormLearningRates(_ context: ScheduleContext) -> [Double]? {
    let progress = Double(min(totalIters, context.lastEpoch)) / Double(totalIters)
    return context.baseLRs(times: pow(1.0 - progress, power))
  }
}

/// Decays each group's learning rate polynomially to zero over `totalIters` epochs
/// (PyTorch's `PolynomialLR`).
public typealias PolynomialLR = RuleScheduler<PolynomialLRRule>

extension RuleScheduler where Rule == PolynomialLRRule {
  /// `PolynomialLR(optimizer, total_iters=5, power=1.0)`.
  ///
  /// - Throws: ``SchedulerError`` for `totalIters <= 0` or a negative `power`.
  public convenience init(
    _ optimizer: any ScheduledOptimizer, totalIters: Int = 5, power: Double = 1.0
  ) throws {
    try self.init(optimizer, rule: PolynomialLRRule(totalIters: totalIters, power: power))
  }
}
