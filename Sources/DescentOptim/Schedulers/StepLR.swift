import Foundation

/// StepLR's rule: multiply by `gamma` every `step_size` epochs.
public struct StepLRRule: LRScheduleRule {
  /// `"StepLR"`.
  public static let schedulerName = "StepLR"
  /// The period of the decay, in epochs (> 0).
  public let stepSize: Int
  /// The decay factor (> 0).
  public let gamma: Double

  /// Validates the options.
  ///
  /// - Throws: ``SchedulerError/invalidOption(scheduler:option:value:requirement:)`` for
  ///   `step_size <= 0` or `gamma <= 0`.
  public init(stepSize: Int, gamma: Double = 0.1) throws {
    try SchedulerError.require(
      stepSize > 0, Self.schedulerName, "step_size", stepSize, "must be > 0")
    try SchedulerError.require(
      gamma > 0 && gamma.isFinite, Self.schedulerName, "gamma", gamma, "must be > 0")
    self.stepSize = stepSize
    self.gamma = gamma
  }

  /// `lr * gamma` when the epoch is a positive multiple of `step_size`, else `lr`.
  public mutating func learningRates(_ context: ScheduleContext) -> [Double] {
    let epoch = context.lastEpoch
    return context.currentLRs(times: epoch == 0 || epoch % stepSize != 0 ? 1 : gamma)
  }

  /// `base_lr * gamma^(epoch / step_size)`.
  public func closedFormLearningRates(_ context: ScheduleContext) -> [Double]? {
    context.baseLRs(times: pow(gamma, Double(floorDivision(context.lastEpoch, stepSize))))
  }
}

/// MultiStepLR's rule: multiply by `gamma` at each milestone.
public struct MultiStepLRRule: LRScheduleRule {
  /// `"MultiStepLR"`.
  public static let schedulerName = "MultiStepLR"
  /// The epochs at which the learning rate decays, strictly increasing.
  public let milestones: [Int]
  /// The decay factor (> 0).
  public let gamma: Double

  /// Validates the options.
  ///
  /// - Throws: ``SchedulerError/invalidOption(scheduler:option:value:requirement:)`` when the
  ///   milestones are not strictly increasing or negative, or `gamma <= 0`.
  public init(milestones: [Int], gamma: Double = 0.1) throws {
    try SchedulerError.require(
      zip(milestones, milestones.dropFirst()).allSatisfy { $0 < $1 }, Self.schedulerName,
      "milestones", milestones, "must be strictly increasing")
    try SchedulerError.require(
      milestones.allSatisfy { $0 >= 0 }, Self.schedulerName, "milestones", milestones,
      "must be >= 0")
    try SchedulerError.require(
      gamma > 0 && gamma.isFinite, Self.schedulerName, "gamma", gamma, "must be > 0")
    self.milestones = milestones
    self.gamma = gamma
  }

  /// `lr * gamma` at a milestone, else `lr`.
  public mutating func learningRates(_ context: ScheduleContext) -> [Double] {
    context.currentLRs(times: milestones.contains(context.lastEpoch) ? gamma : 1)
  }

  /// `base_lr * gamma^(number of milestones <= epoch)`.
  public func closedFormLearningRates(_ context: ScheduleContext) -> [Double]? {
    let passed = milestones.filter { $0 <= context.lastEpoch }.count
    return context.baseLRs(times: pow(gamma, Double(passed)))
  }
}

/// Decays each group's learning rate by `gamma` every `stepSize` epochs (PyTorch's `StepLR`).
public typealias StepLR = RuleScheduler<StepLRRule>

/// Decays each group's learning rate by `gamma` at each milestone (PyTorch's `MultiStepLR`).
public typealias MultiStepLR = RuleScheduler<MultiStepLRRule>

extension RuleScheduler where Rule == StepLRRule {
  /// `StepLR(optimizer, step_size, gamma=0.1)`.
  ///
  /// - Throws: ``SchedulerError`` for `stepSize <= 0` or `gamma <= 0`.
  public convenience init(_ optimizer: any ScheduledOptimizer, stepSize: Int, gamma: Double = 0.1)
    throws
  {
    try self.init(optimizer, rule: StepLRRule(stepSize: stepSize, gamma: gamma))
  }
}

extension RuleScheduler where Rule == MultiStepLRRule {
  /// `MultiStepLR(optimizer, milestones, gamma=0.1)`.
  ///
  /// - Throws: ``SchedulerError`` for milestones not strictly increasing or `gamma <= 0`.
  public convenience init(
    _ optimizer: any ScheduledOptimizer, milestones: [Int], gamma: Double = 0.1
  ) throws {
    try self.init(optimizer, rule: MultiStepLRRule(milestones: milestones, gamma: gamma))
  }
}

/// Python's `a // b` for a positive `b`.
func floorDivision(_ a: Int, _ b: Int) -> Int {
  let quotient = a / b
  return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
}

/// Python's `a % b` for a positive `b` (never negative).
func floorModulo(_ a: Int, _ b: Int) -> Int {
  ((a % b) + b) % b
}
