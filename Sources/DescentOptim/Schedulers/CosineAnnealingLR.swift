import Foundation

/// The cosine curve from `high` (at `t = 0`) down to `low` (at `t = period`):
/// `low + (high - low) (1 + cos(pi t / period)) / 2`.
func cosineAnnealed(from high: Double, to low: Double, at t: Double, period: Double) -> Double {
  low + (high - low) * (1 + cos(Double.pi * t / period)) / 2
}

/// CosineAnnealingLR's rule: from the base learning rate down to `eta_min` over `T_max` epochs and
/// back up over the next `T_max` (no restarts), in PyTorch's recursive form.
public struct CosineAnnealingLRRule: LRScheduleRule {
  /// `"CosineAnnealingLR"`.
  public static let schedulerName = "CosineAnnealingLR"
  /// Half the period, in epochs (> 0).
  public let tMax: Int
  /// The lowest learning rate (>= 0).
  public let etaMin: Double

  /// Validates the options.
  ///
  /// - Throws: ``SchedulerError`` for `T_max <= 0` or a negative `eta_min`.
  public init(tMax: Int, etaMin: Double = 0) throws {
    try SchedulerError.require(tMax > 0, Self.schedulerName, "T_max", tMax, "must be > 0")
    try SchedulerError.require(
      etaMin >= 0 && etaMin.isFinite, Self.schedulerName, "eta_min", etaMin, "must be >= 0")
    self.tMax = tMax
    self.etaMin = etaMin
  }

  /// PyTorch's recursive cosine step (with its special case at the bottom of each period).
  public mutating func learningRates(_ context: ScheduleContext) -> [Double] {
    let epoch = context.lastEpoch
    let period = Double(tMax)
    if context.isInitial { return context.currentLRs }
    if context.stepCount == 1 && epoch > 0 { return closedForm(context) }
    if floorModulo(epoch - 1 - tMax, 2 * tMax) == 0 {
      return zip(context.currentLRs, context.baseLRs).map { lr, base in
        lr + (base - etaMin) * (1 - cos(Double.pi / period)) / 2
      }
    }
    let ratio =
      (1 + cos(Double.pi * Double(epoch) / period))
      / (1 + cos(Double.pi * Double(epoch - 1) / period))
    return context.currentLRs.map { ratio * ($0 - etaMin) + etaMin }
  }

  /// `eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2`.
  public func closedFormLearningRates(_ context: ScheduleContext) -> [Double]? {
    closedForm(context)
  }

  private func closedForm(_ context: ScheduleContext) -> [Double] {
    context.baseLRs.map {
      cosineAnnealed(from: $0, to: etaMin, at: Double(context.lastEpoch), period: Double(tMax))
    }
  }
}

/// Anneals each group's learning rate along a cosine from its initial value to `etaMin`
/// (PyTorch's `CosineAnnealingLR`).
public typealias CosineAnnealingLR = RuleScheduler<CosineAnnealingLRRule>

extension RuleScheduler where Rule == CosineAnnealingLRRule {
  /// `CosineAnnealingLR(optimizer, T_max, eta_min=0)`.
  ///
  /// - Throws: ``SchedulerError`` for `tMax <= 0` or a negative `etaMin`.
  public convenience init(_ optimizer: any ScheduledOptimizer, tMax: Int, etaMin: Double = 0) throws
  {
    try self.init(optimizer, rule: CosineAnnealingLRRule(tMax: tMax, etaMin: etaMin))
  }
}
