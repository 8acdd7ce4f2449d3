import Foundation

/// How OneCycleLR moves between two values within a phase.
public enum OneCycleAnnealStrategy: String, Codable, Sendable, CaseIterable {
  /// Half a cosine.
  case cos
  /// A straight line.
  case linear

  /// The value at fraction `pct` of the way from `start` to `end`.
  func anneal(from start: Double, to end: Double, pct: Double) -> Double {
    switch self {
    case .cos: return end + (start - end) / 2.0 * (Foundation.cos(Double.pi * pct) + 1)
    case .linear: return (end - start) * pct + start
    }
  }
}

/// OneCycleLR's rule: the 1cycle policy, up from `max_lr / div_factor` to `max_lr`, then down to
/// `initial_lr / final_div_factor` (two phases, fastai's), or up, down to the initial rate, then
/// down to the minimum (three phases, the paper's); momentum moves inversely.
public struct OneCycleLRRule: LRScheduleRule {
  /// `"OneCycleLR"`.
  public static let schedulerName = "OneCycleLR"
  /// The peak learning rate, once or per group.
  public let maxLR: PerGroupValue
  /// The total number of steps of the cycle.
  public let totalSteps: Int
  /// The fraction of the cycle spent increasing the learning rate, in [0, 1].
  public let pctStart: Double
  /// The shape of each phase.
  public let annealStrategy: OneCycleAnnealStrategy
  /// Whether momentum is cycled inversely to the learning rate.
  public let cycleMomentum: Bool
  /// The momentum at the learning-rate peak, once or per group.
  public let baseMomentum: PerGroupValue
  /// The momentum at the start and end, once or per group.
  public let maxMomentum: PerGroupValue
  /// `initial_lr = max_lr / div_factor` (> 0).
  public let divFactor: Double
  /// `min_lr = initial_lr / final_div_factor` (> 0).
  public let finalDivFactor: Double
  /// Whether to use the paper's three phases instead of fastai's two.
  public let threePhase: Bool

  private struct Phase {
    var endStep: Double
    var lr: (start: KeyPath<Bounds, Double>, end: KeyPath<Bounds, Double>)
    var momentum: (start: KeyPath<Bounds, Double>, end: KeyPath<Bounds, Double>)
  }

  private struct Bounds {
    var initialLR: Double
    var maxLR: Double
    var minLR: Double
    var baseMomentum: Double
    var maxMomentum: Double
  }

  private var groups: [Bounds] = []

  /// Validates the options; the cycle length is `totalSteps`, or `epochs * stepsPerEpoch`.
  ///
  /// - Throws: ``SchedulerError/missingOption(scheduler:option:)`` without a cycle length, and
  ///   ``SchedulerError/invalidOption(scheduler:option:value:requirement:)`` for values out of range.
  public init(
    maxLR: PerGroupValue, totalSteps: Int? = nil, epochs: Int? = nil, stepsPerEpoch: Int? = nil,
    pctStart: Double = 0.3, annealStrategy: OneCycleAnnealStrategy = .cos,
    cycleMomentum: Bool = true,
    baseMomentum: PerGroupValue = 0.85, maxMomentum: PerGroupValue = 0.95, divFactor: Double = 25,
    finalDivFactor: Double = 1e4, threePhase: Bool = false
  ) throws {
    let name = Self.schedulerName
    if let totalSteps {
      try SchedulerError.require(totalSteps > 0, name, "total_steps", totalSteps, "must be > 0")
      self.totalSteps = totalSteps
    } else if let epochs, let stepsPerEpoch {
      try SchedulerError.require(epochs > 0, name, "epochs", epochs, "must be > 0")
      try SchedulerError.require(
        stepsPerEpoch > 0, name, "steps_per_epoch", stepsPerEpoch, "must be > 0")
      let (product, overflow) = epochs.multipliedReportingOverflow(by: stepsPerEpoch)
      try SchedulerError.require(
        !overflow, name, "epochs", epochs, "times steps_per_epoch must fit in an Int")
      self.totalSteps = product
    } else {
      throw SchedulerError.missingOption(
        scheduler: name, option: "total_steps (or epochs and steps_per_epoch)")
    }
    try SchedulerError.require(
      pctStart >= 0 && pctStart <= 1, name, "pct_start", pctStart, "must be in [0, 1]")
    try SchedulerError.require(
      divFactor > 0 && divFactor.isFinite, name, "div_factor", divFactor, "must be > 0")
    try SchedulerError.require(
      finalDivFactor > 0 && finalDivFactor.isFinite, name, "final_div_factor", finalDivFactor,
      "must be > 0")
    self.maxLR = maxLR
    self.pctStart = pctStart
    self.annealStrategy = annealStrategy
    self.cycleMomentum = cycleMomentum
    self.baseMomentum = baseMomentum
    self.maxMomentum = maxMomentum
    self.divFactor = divFactor
    self.finalDivFactor = finalDivFactor
    self.threePhase = threePhase
  }

  private var phases: [Phase] {
    let rise = pctStart * Double(totalSteps)
    let last = Double(totalSteps - 1)
    if threePhase {
      return [
        Phase(
          endStep: rise - 1, lr: (\.initialLR, \.maxLR), momentum: (\.maxMomentum, \.baseMomentum)),
        Phase(
          endStep: 2 * rise - 2, lr: (\.maxLR, \.initialLR),
          momentum: (\.baseMomentum, \.maxMomentum)),
        Phase(endStep: last, lr: (\.initialLR, \.minLR), momentum: (\.maxMomentum, \.maxMomentum)),
      ]
    }
    return [
      Phase(
        endStep: rise - 1, lr: (\.initialLR, \.maxLR), momentum: (\.maxMomentum, \.baseMomentum)),
      Phase(endStep: last, lr: (\.maxLR, \.minLR), momentum: (\.baseMomentum, \.maxMomentum)),
    ]
  }

  /// Resolves per-group bounds and sets the momentum to `max_momentum`.
  ///
  /// - Returns: the initial learning rates, `max_lr / div_factor`.
  public mutating func prepare(for optimizer: any ScheduledOptimizer) throws -> [Double]? {
    let count = optimizer.paramGroupCount
    let peaks = try maxLR.resolved(groups: count, scheduler: Self.schedulerName, option: "max_lr")
    var momentum = MomentumBounds(
      base: Array(repeating: 0.0, count: count), max: Array(repeating: 0.0, count: count))
    if cycleMomentum {
      momentum = try MomentumBounds(
        base: baseMomentum, max: maxMomentum, optimizer: optimizer, scheduler: Self.schedulerName)
    }
    groups = peaks.indices.map { index in
      let initial = peaks[index] / divFactor
      return Bounds(
        initialLR: initial, maxLR: peaks[index], minLR: initial / finalDivFactor,
        baseMomentum: momentum.base[index], maxMomentum: momentum.max[index])
    }
    return groups.map(\.initialLR)
  }

  /// Throws past `total_steps`, as PyTorch's `get_lr` raises: the cycle has `total_steps + 1`
  /// values, at steps `0...total_steps`.
  ///
  /// - Throws: ``SchedulerError/steppedPastEnd(scheduler:steps:totalSteps:)``.
  public func checkStep(toEpoch epoch: Int) throws {
    guard epoch <= totalSteps else {
      throw SchedulerError.steppedPastEnd(
        scheduler: Self.schedulerName, steps: epoch, totalSteps: totalSteps)
    }
  }

  /// The learning rates at step `last_epoch` (held at the end of the cycle after `total_steps`:
  /// ``EpochLRScheduler/checkedStep()`` throws there, as PyTorch raises); sets the momentum
  /// alongside.
  public mutating func learningRates(_ context: ScheduleContext) -> [Double] {
    let step = Double(min(context.lastEpoch, totalSteps))
    let phases = self.phases
    var momentums: [Double] = []
    let rates = groups.map { bounds in
      var start = 0.0
      for (index, phase) in phases.enumerated() {
        if step <= phase.endStep || index == phases.count - 1 {
          let pct = (step - start) / (phase.endStep - start)
          momentums.append(
            annealStrategy.anneal(
              from: bounds[keyPath: phase.momentum.start], to: bounds[keyPath: phase.momentum.end],
              pct: pct))
          return annealStrategy.anneal(
            from: bounds[keyPath: phase.lr.start], to: bounds[keyPath: phase.lr.end], pct: pct)
        }
        start = phase.endStep
      }
      return bounds.minLR
    }
    if cycleMomentum {
      setMomentums(momentums, on: context.optimizer)
    }
    return rates
  }
}

/// The 1cycle learning-rate policy (PyTorch's `OneCycleLR`). Step it after every batch.
public typealias OneCycleLR = RuleScheduler<OneCycleLRRule>

extension RuleScheduler where Rule == OneCycleLRRule {
  /// `OneCycleLR(optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
  /// pct_start=0.3, anneal_strategy='cos', cycle_momentum=True, base_momentum=0.85,
  /// max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False)`.
  ///
  /// - Throws: ``SchedulerError`` without a cycle length, for options out of range, per-group
  ///   lists of the wrong length, or momentum cycling on an optimizer without momentum.
  public convenience init(
    _ optimizer: any ScheduledOptimizer, maxLR: PerGroupValue, totalSteps: Int? = nil,
    epochs: Int? = nil,
    stepsPerEpoch: Int? = nil, pctStart: Double = 0.3,
    annealStrategy: OneCycleAnnealStrategy = .cos,
    cycleMomentum: Bool = true, baseMomentum: PerGroupValue = 0.85,
    maxMomentum: PerGroupValue = 0.95,
    divFactor: Double = 25, finalDivFactor: Double = 1e4, threePhase: Bool = false
  ) throws {
    try self.init(
      optimizer,
      rule: OneCycleLRRule(
        maxLR: maxLR, totalSteps: totalSteps, epochs: epochs, stepsPerEpoch: stepsPerEpoch,
        pctStart: pctStart,
        annealStrategy: annealStrategy, cycleMomentum: cycleMomentum, baseMomentum: baseMomentum,
        maxMomentum: maxMomentum, divFactor: divFactor, finalDivFactor: finalDivFactor,
        threePhase: threePhase))
  }
}
