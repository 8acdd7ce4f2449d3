import Foundation

/// How ``SWALRRule`` moves from the learning rate to `swa_lr`: PyTorch's `anneal_strategy`.
public enum SWAAnnealStrategy: String, Codable, Sendable, CaseIterable {
  /// The fraction of the way done after a fraction `t` of the epochs is `(1 - cos(pi t)) / 2`.
  case cos
  /// The fraction done is `t`.
  case linear

  /// The strategy named `name` (`"cos"` or `"linear"`).
  ///
  /// - Throws: ``SchedulerError/unknownChoice(scheduler:option:value:allowed:)`` otherwise.
  public init(named name: String) throws {
    guard let strategy = SWAAnnealStrategy(rawValue: name) else {
      throw SchedulerError.unknownChoice(
        scheduler: SWALRRule.schedulerName, option: "anneal_strategy", value: name,
        allowed: Self.allCases.map(\.rawValue))
    }
    self = strategy
  }

  /// The fraction of the way done at progress `t` in [0, 1].
  func fraction(_ t: Double) -> Double {
    switch self {
    case .cos: return (1 - Foundation.cos(Double.pi * t)) / 2
    case .linear: return t
    }
  }
}

/// SWALR's rule: anneals each group's learning rate to its `swa_lr` over `anneal_epochs`
/// epochs, then holds it (PyTorch's `torch.optim.swa_utils.SWALR`, in its recursive form).
public struct SWALRRule: LRScheduleRule {
  /// `"SWALR"`.
  public static let schedulerName = "SWALR"
  /// The learning rate annealed to, for every group or per group.
  public let swaLR: PerGroupValue
  /// The number of epochs of the annealing phase (>= 0).
  public let annealEpochs: Int
  /// The shape of the annealing.
  public let annealStrategy: SWAAnnealStrategy
  /// Each group's `swa_lr`, set when the scheduler is attached.
  public private(set) var swaLRs: [Double] = []

  /// Validates the options.
  ///
  /// - Throws: ``SchedulerError`` for a negative `anneal_epochs` or a negative or non-finite
  ///   `swa_lr`.
  public init(
    swaLR: PerGroupValue, annealEpochs: Int = 10, annealStrategy: SWAAnnealStrategy = .cos
  )
    throws
  {
    try SchedulerError.require(
      annealEpochs >= 0, Self.schedulerName, "anneal_epochs", annealEpochs, "must be >= 0")
    let values: [Double]
    switch swaLR {
    case .all(let value): values = [value]
    case .each(let list): values = list
    }
    for value in values {
      try SchedulerError.require(
        value >= 0 && value.isFinite, Self.schedulerName, "swa_lr", value, "must be >= 0")
    }
    self.swaLR = swaLR
    self.annealEpochs = annealEpochs
    self.annealStrategy = annealStrategy
  }

  /// Resolves `swa_lr` for each group of `optimizer`.
  public mutating func prepare(for optimizer: any ScheduledOptimizer) throws -> [Double]? {
    swaLRs = try swaLR.resolved(
      groups: optimizer.paramGroupCount, scheduler: Self.schedulerName, option: "swa_lr")
    return nil
  }

  /// PyTorch's step: recovers the learning rate the annealing started from at the previous
  /// step, then moves the fraction `alpha` of the way from it to `swa_lr`.
  public mutating func learningRates(_ context: ScheduleContext) -> [Double] {
    var step = context.stepCount - 1
    if annealEpochs == 0 { step = max(1, step) }
    let span = Double(max(1, annealEpochs))
    let previousAlpha = annealStrategy.fraction(max(0, min(1, Double(step - 1) / span)))
    let alpha = annealStrategy.fraction(max(0, min(1, Double(step) / span)))
    return zip(context.currentLRs, swaLRs).map { lr, swaLR in
      let start = previousAlpha == 1 ? swaLR : (lr - previousAlpha * swaLR) / (1 - previousAlpha)
      return swaLR * alpha + start * (1 - alpha)
    }
  }

  /// Restores `swa_lr` per group (saved as `swa_lr_<group>`).
  public var savedValues: [String: Double] {
    Dictionary(
      uniqueKeysWithValues: swaLRs.enumerated().map { ("swa_lr_\($0.offset)", $0.element) })
  }

  /// Restores the per-group `swa_lr` saved by ``savedValues``.
  public mutating func restore(from state: SchedulerState) throws {
    swaLRs = try swaLRs.indices.map { try state.value("swa_lr_\($0)") }
  }
}

/// Anneals the learning rate to a fixed `swa_lr` for stochastic weight averaging (PyTorch's
/// `torch.optim.swa_utils.SWALR`); pair it with ``AveragedModel``.
public typealias SWALR = RuleScheduler<SWALRRule>

extension RuleScheduler where Rule == SWALRRule {
  /// `SWALR(optimizer, swa_lr, anneal_epochs=10, anneal_strategy='cos')`.
  ///
  /// - Throws: ``SchedulerError`` for out-of-range options or a per-group `swaLR` list of the
  ///   wrong length.
  public convenience init(
    _ optimizer: any ScheduledOptimizer, swaLR: PerGroupValue, annealEpochs: Int = 10,
    annealStrategy: SWAAnnealStrategy = .cos
  ) throws {
    try self.init(
      optimizer,
      rule: SWALRRule(swaLR: swaLR, annealEpochs: annealEpochs, annealStrategy: annealStrategy))
  }
}
