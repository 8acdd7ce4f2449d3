/// CosineAnnealingWarmRestarts's rule (SGDR): cosine annealing restarted every `T_i` epochs,
/// `T_i` growing by `T_mult` at each restart.
public struct CosineAnnealingWarmRestartsRule: LRScheduleRule {
  /// `"CosineAnnealingWarmRestarts"`.
  public static let schedulerName = "CosineAnnealingWarmRestarts"
  /// The length of the first period, in epochs (> 0).
  public let t0: Int
  /// The growth factor of the period at each restart (>= 1).
  public let tMult: Int
  /// The lowest learning rate (>= 0).
  public let etaMin: Double
  /// The epochs since the last restart (PyTorch's `T_cur`).
  public private(set) var tCur: Int
  /// The length of the current period (PyTorch's `T_i`).
  public private(set) var tI: Int

  /// Validates the options.
  ///
  /// - Throws: ``SchedulerError`` for `T_0 <= 0`, `T_mult < 1` or a negative `eta_min`.
  public init(t0: Int, tMult: Int = 1, etaMin: Double = 0) throws {
    try SchedulerError.require(t0 > 0, Self.schedulerName, "T_0", t0, "must be > 0")
    try SchedulerError.require(tMult >= 1, Self.schedulerName, "T_mult", tMult, "must be >= 1")
    try SchedulerError.require(
      etaMin >= 0 && etaMin.isFinite, Self.schedulerName, "eta_min", etaMin, "must be >= 0")
    self.t0 = t0
    self.tMult = tMult
    self.etaMin = etaMin
    self.tCur = -1
    self.tI = t0
  }

  /// Advances `T_cur` (restarting when it reaches `T_i`) and evaluates the cosine.
  public mutating func learningRates(_ context: ScheduleContext) -> [Double] {
    if context.lastEpoch == 0 {
      tCur = 0
      tI = t0
    } else {
      tCur += 1
      if tCur >= tI {
        tCur -= tI
        tI *= tMult
      }
    }
    return cosine(context)
  }

  /// The cosine at the current `T_cur` without advancing it (what PyTorch's `get_lr` returns).
  public func closedFormLearningRates(_ context: ScheduleContext) -> [Double]? { cosine(context) }

  /// `T_cur` and `T_i`.
  public var savedValues: [String: Double] { ["T_cur": Double(tCur), "T_i": Double(tI)] }

  /// Restores `T_cur` and `T_i`.
  public mutating func restore(from state: SchedulerState) throws {
    tCur = Int(try state.value("T_cur"))
    tI = Int(try state.value("T_i"))
  }

  private func cosine(_ context: ScheduleContext) -> [Double] {
    context.baseLRs.map {
      cosineAnnealed(from: $0, to: etaMin, at: Double(tCur), period: Double(tI))
    }
  }
}

/// Cosine annealing with warm restarts (SGDR; PyTorch's `CosineAnnealingWarmRestarts`).
public typealias CosineAnnealingWarmRestarts = RuleScheduler<CosineAnnealingWarmRestartsRule>

extension RuleScheduler where Rule == CosineAnnealingWarmRestartsRule {
  /// `CosineAnnealingWarmRestarts(optimizer, T_0, T_mult=1, eta_min=0)`.
  ///
  /// - Throws: ``SchedulerError`` for `t0 <= 0`, `tMult < 1` or a negative `etaMin`.
  public convenience init(
    _ optimizer: any ScheduledOptimizer, t0: Int, tMult: Int = 1, etaMin: Double = 0
  )
    throws
  {
    try self.init(
      optimizer, rule: CosineAnnealingWarmRestartsRule(t0: t0, tMult: tMult, etaMin: etaMin))
  }
}
