import Foundation

/// ExponentialLR's rule: multiply by `gamma` every epoch.
public struct ExponentialLRRule: LRScheduleRule {
  /// `"ExponentialLR"`.
  public static let schedulerName = "ExponentialLR"
  /// The decay factor per epoch (> 0).
  public let gamma: Double

  /// Validates the option.
  ///
  /// - Throws: ``SchedulerError`` for `gamma <= 0`.
  public init(gamma: Double) throws {
    try SchedulerError.require(
      gamma > 0 && gamma.isFinite, Self.schedulerName, "gamma", gamma, "must be > 0")
    self.gamma = gamma
  }

  /// `lr * gamma`, or `lr` at the initial step.
  public mutating func learningRates(_ context: ScheduleContext) -> [Double] {
    context.currentLRs(times: context.isInitial ? 1 : gamma)
  }

  /// `base_lr * gamma^epoch`.
  public func closedFormLearningRates(_ context: ScheduleContext) -> [Double]? {
    context.baseLRs(times: pow(gamma, Double(context.lastEpoch)))
  }
}

/// Decays each group's learning rate by `gamma` every epoch (PyTorch's `ExponentialLR`).
public typealias ExponentialLR = RuleScheduler<ExponentialLRRule>

extension RuleScheduler where Rule == ExponentialLRRule {
  /// `ExponentialLR(optimizer, gamma)`.
  ///
  /// - Throws: ``SchedulerError`` for `gamma <= 0`.
  public convenience init(_ optimizer: any ScheduledOptimizer, gamma: Double) throws {
    try self.init(optimizer, rule: ExponentialLRRule(gamma: gamma))
  }
}
