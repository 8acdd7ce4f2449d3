/// Whether ReduceLROnPlateau watches a metric that should fall or rise.
public enum PlateauMode: String, Codable, Sendable, CaseIterable {
  /// Lower is better (a loss).
  case min
  /// Higher is better (an accuracy).
  case max
}

/// How ReduceLROnPlateau measures a significant improvement.
public enum PlateauThresholdMode: String, Codable, Sendable, CaseIterable {
  /// Relative: better than `best * (1 -/+ threshold)`.
  case rel
  /// Absolute: better than `best -/+ threshold`.
  case abs
}

/// Reduces the learning rate by `factor` when a metric has not improved for `patience` epochs
/// (PyTorch's `ReduceLROnPlateau`). Step it with ``step(metric:)`` after each validation.
public final class ReduceLROnPlateau: LRScheduler {
  /// `"ReduceLROnPlateau"`.
  public static let schedulerName = "ReduceLROnPlateau"
  /// The optimizer whose learning rates this scheduler sets.
  public let optimizer: any ScheduledOptimizer
  /// Whether the metric should fall or rise.
  public let mode: PlateauMode
  /// The reduction factor, in [0, 1).
  public let factor: Double
  /// The number of epochs without improvement tolerated before reducing (>= 0).
  public let patience: Int
  /// The size of a significant improvement (>= 0).
  public let threshold: Double
  /// Whether `threshold` is relative or absolute.
  public let thresholdMode: PlateauThresholdMode
  /// The number of epochs to wait after a reduction before counting bad epochs again (>= 0).
  public let cooldown: Int
  /// The lowest learning rate of each group.
  public let minLRs: [Double]
  /// Reductions smaller than this are ignored (>= 0).
  public let eps: Double
  /// The best metric seen so far (infinitely bad before the first).
  public private(set) var best: Double
  /// The epochs since the last significant improvement.
  public private(set) var numBadEpochs: Int = 0
  /// The epochs of cooldown left.
  public private(set) var cooldownCounter: Int = 0
  /// The number of metrics seen.
  public private(set) var lastEpoch: Int = 0
  /// The learning rate of each group after the last step.
  public private(set) var lastLR: [Double]

  /// `ReduceLROnPlateau(optimizer, mode='min', factor=0.1, patience=10, threshold=1e-4,
  /// threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-8)`.
  ///
  /// - Throws: ``SchedulerError`` for `factor >= 1` or a negative option, or a `minLR` list of
  ///   the wrong length.
  public init(
    _ optimizer: any ScheduledOptimizer, mode: PlateauMode = .min, factor: Double = 0.1,
    patience: Int = 10,
    threshold: Double = 1e-4, thresholdMode: PlateauThresholdMode = .rel, cooldown: Int = 0,
    minLR: PerGroupValue = 0, eps: Double = 1e-8
  ) throws {
    let name = Self.schedulerName
    try SchedulerError.require(factor < 1, name, "factor", factor, "must be < 1.0")
    try SchedulerError.require(factor >= 0, name, "factor", factor, "must be >= 0")
    try SchedulerError.require(patience >= 0, name, "patience", patience, "must be >= 0")
    try SchedulerError.require(
      threshold >= 0 && threshold.isFinite, name, "threshold", threshold, "must be >= 0")
    try SchedulerError.require(cooldown >= 0, name, "cooldown", cooldown, "must be >= 0")
    try SchedulerError.require(eps >= 0 && eps.isFinite, name, "eps", eps, "must be >= 0")
    let minLRs = try minLR.resolved(
      groups: optimizer.paramGroupCount, scheduler: name, option: "min_lr")
    try SchedulerError.require(
      minLRs.allSatisfy { $0 >= 0 }, name, "min_lr", minLRs, "must be >= 0")
    self.optimizer = optimizer
    self.mode = mode
    self.factor = factor
    self.patience = patience
    self.threshold = threshold
    self.thresholdMode = thresholdMode
    self.cooldown = cooldown
    self.minLRs = minLRs
    self.eps = eps
    self.best = mode == .min ? .infinity : -.infinity
    self.lastLR = optimizer.learningRates
  }

  /// Whether a reduction happened less than `cooldown` epochs ago.
  public var inCooldown: Bool { cooldownCounter > 0 }

  /// Records the epoch's metric and reduces the learning rates after too many bad epochs.
  public func step(metric: Double) {
    lastEpoch += 1
    if isBetter(metric, than: best) {
      best = metric
      numBadEpochs = 0
    } else {
      numBadEpochs += 1
    }
    if inCooldown {
      cooldownCounter -= 1
      numBadEpochs = 0
    }
    if numBadEpochs > patience {
      reduceLearningRates()
      cooldownCounter = cooldown
      numBadEpochs = 0
    }
    lastLR = optimizer.learningRates
  }

  private func reduceLearningRates() {
    for (index, old) in optimizer.learningRates.enumerated() {
      let new = Swift.max(old * factor, minLRs[index])
      if old - new > eps { optimizer.setLearningRate(new, ofGroup: index) }
    }
  }

  private func isBetter(_ value: Double, than best: Double) -> Bool {
    switch (mode, thresholdMode) {
    case (.min, .rel): return value < best * (1.0 - threshold)
    case (.min, .abs): return value < best - threshold
    case (.max, .rel): return value > best * (threshold + 1.0)
    case (.max, .abs): return value > best + threshold
    }
  }

  /// The counters and the best metric (absent while infinite, so the state encodes as JSON).
  public func stateDict() -> SchedulerState {
    var values = [
      "num_bad_epochs": Double(numBadEpochs), "cooldown_counter": Double(cooldownCounter),
    ]
    if best.isFinite { values["best"] = best }
    return SchedulerState(
      kind: Self.schedulerName, lastEpoch: lastEpoch, stepCount: lastEpoch, baseLRs: minLRs,
      lastLR: lastLR,
      values: values)
  }

  /// Restores a state saved by ``stateDict()``.
  public func loadStateDict(_ state: SchedulerState) throws {
    try state.check(kind: Self.schedulerName, groups: optimizer.paramGroupCount)
    numBadEpochs = Int(try state.value("num_bad_epochs"))
    cooldownCounter = Int(try state.value("cooldown_counter"))
    best = state.values["best"] ?? (mode == .min ? .infinity : -.infinity)
    lastEpoch = state.lastEpoch
    lastLR = state.lastLR
  }
}
