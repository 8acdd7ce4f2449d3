import Foundation

/// The amplitude policy of ``CyclicLRRule``.
public enum CyclicLRMode: String, Codable, Sendable, CaseIterable {
  /// Constant amplitude.
  case triangular
  /// Amplitude halved every cycle.
  case triangular2
  /// Amplitude scaled by `gamma^iteration`.
  case expRange = "exp_range"
}

/// What a custom scale function of ``CyclicLRRule`` is evaluated on.
public enum CyclicLRScaleMode: String, Codable, Sendable, CaseIterable {
  /// The cycle number (1, 2, ...).
  case cycle
  /// The iteration (`last_epoch`).
  case iterations
}

/// CyclicLR's rule: the learning rate cycles between `base_lr` and `max_lr` (and momentum
/// inversely between `max_momentum` and `base_momentum`).
public struct CyclicLRRule: LRScheduleRule {
  /// `"CyclicLR"`.
  public static let schedulerName = "CyclicLR"
  /// The lower learning-rate bound, once or per group.
  public let baseLR: PerGroupValue
  /// The upper learning-rate bound, once or per group.
  public let maxLR: PerGroupValue
  /// The number of iterations of the rising half (> 0).
  public let stepSizeUp: Int
  /// The number of iterations of the falling half (> 0); `nil` for `stepSizeUp`.
  public let stepSizeDown: Int?
  /// The amplitude policy (ignored when `scaleFn` is given).
  public let mode: CyclicLRMode
  /// The constant of `exp_range` (> 0).
  public let gamma: Double
  /// A custom amplitude scaling, in [0, 1] for arguments >= 0; not saved in ``SchedulerState``.
  public let scaleFn: ((Double) -> Double)?
  /// What `scaleFn` is evaluated on; set by `mode` when `scaleFn` is `nil`.
  public let scaleMode: CyclicLRScaleMode
  /// Whether momentum is cycled inversely to the learning rate.
  public let cycleMomentum: Bool
  /// The momentum at the learning-rate peak, once or per group.
  public let baseMomentum: PerGroupValue
  /// The momentum at the learning-rate trough, once or per group.
  public let maxMomentum: PerGroupValue
  private var lowerLRs: [Double] = []
  private var upperLRs: [Double] = []
  private var momentumBounds: MomentumBounds?

  /// Validates the options.
  ///
  /// - Throws: ``SchedulerError`` for step sizes <= 0 or `gamma <= 0`.
  public init(
    baseLR: PerGroupValue, maxLR: PerGroupValue, stepSizeUp: Int = 2000, stepSizeDown: Int? = nil,
    mode: CyclicLRMode = .triangular, gamma: Double = 1.0, scaleFn: ((Double) -> Double)? = nil,
    scaleMode: CyclicLRScaleMode = .cycle, cycleMomentum: Bool = true,
    baseMomentum: PerGroupValue = 0.8,
    maxMomentum: PerGroupValue = 0.9
  ) throws {
    try SchedulerError.require(
      stepSizeUp > 0, Self.schedulerName, "step_size_up", stepSizeUp, "must be > 0")
    if let stepSizeDown {
      try SchedulerError.require(
        stepSizeDown > 0, Self.schedulerName, "step_size_down", stepSizeDown, "must be > 0")
    }
    try SchedulerError.require(
      gamma > 0 && gamma.isFinite, Self.schedulerName, "gamma", gamma, "must be > 0")
    self.baseLR = baseLR
    self.maxLR = maxLR
    self.stepSizeUp = stepSizeUp
    self.stepSizeDown = stepSizeDown
    self.mode = mode
    self.gamma = gamma
    self.scaleFn = scaleFn
    self.scaleMode = scaleFn == nil ? (mode == .expRange ? .iterations : .cycle) : scaleMode
    self.cycleMomentum = cycleMomentum
    self.baseMomentum = baseMomentum
    self.maxMomentum = maxMomentum
  }

  /// Resolves per-group bounds, sets the learning rates to `base_lr` and the momentum to
  /// `max_momentum`.
  public mutating func prepare(for optimizer: any ScheduledOptimizer) throws -> [Double]? {
    let groups = optimizer.paramGroupCount
    lowerLRs = try baseLR.resolved(groups: groups, scheduler: Self.schedulerName, option: "base_lr")
    upperLRs = try maxLR.resolved(groups: groups, scheduler: Self.schedulerName, option: "max_lr")
    optimizer.setLearningRates(lowerLRs)
    if cycleMomentum {
      momentumBounds = try MomentumBounds(
        base: baseMomentum, max: maxMomentum, optimizer: optimizer, scheduler: Self.schedulerName)
    }
    return nil
  }

  /// The point of the cycle at `last_epoch`; sets the momentum alongside.
  public mutating func learningRates(_ context: ScheduleContext) -> [Double] {
    let epoch = Double(context.lastEpoch)
    let totalSize = Double(stepSizeUp + (stepSizeDown ?? stepSizeUp))
    let stepRatio = Double(stepSizeUp) / totalSize
    let cycle = (1 + epoch / totalSize).rounded(.down)
    let x = 1.0 + epoch / totalSize - cycle
    let height = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1)
    let scale = self.scale(scaleMode == .cycle ? cycle : epoch)
    if let bounds = momentumBounds {
      setMomentums(
        zip(bounds.base, bounds.max).map { $1 - ($1 - $0) * height * scale }, on: context.optimizer)
    }
    return zip(lowerLRs, upperLRs).map { $0 + ($1 - $0) * height * scale }
  }

  private func scale(_ x: Double) -> Double {
    if let scaleFn { return scaleFn(x) }
    switch mode {
    case .triangular: return 1.0
    case .triangular2: return 1 / pow(2.0, x - 1)
    case .expRange: return pow(gamma, x)
    }
  }
}

/// Cycles each group's learning rate between two bounds (and momentum inversely), the cyclical
/// learning rate policy (PyTorch's `CyclicLR`). Step it after every batch.
public typealias CyclicLR = RuleScheduler<CyclicLRRule>

extension RuleScheduler where Rule == CyclicLRRule {
  /// `CyclicLR(optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
  /// mode='triangular', gamma=1.0, scale_fn=None, scale_mode='cycle', cycle_momentum=True,
  /// base_momentum=0.8, max_momentum=0.9)`.
  ///
  /// - Throws: ``SchedulerError`` for options out of range, per-group lists of the wrong length,
  ///   or momentum cycling on an optimizer without momentum.
  public convenience init(
    _ optimizer: any ScheduledOptimizer, baseLR: PerGroupValue, maxLR: PerGroupValue,
    stepSizeUp: Int = 2000,
    stepSizeDown: Int? = nil, mode: CyclicLRMode = .triangular, gamma: Double = 1.0,
    scaleFn: ((Double) -> Double)? = nil, scaleMode: CyclicLRScaleMode = .cycle,
    cycleMomentum: Bool = true,
    baseMomentum: PerGroupValue = 0.8, maxMomentum: PerGroupValue = 0.9
  ) throws {
    try self.init(
      optimizer,
      rule: CyclicLRRule(
        baseLR: baseLR, maxLR: maxLR, stepSizeUp: stepSizeUp, stepSizeDown: stepSizeDown,
        mode: mode,
        gamma: gamma, scaleFn: scaleFn, scaleMode: scaleMode, cycleMomentum: cycleMomentum,
        baseMomentum: baseMomentum, maxMomentum: maxMomentum))
  }
}
