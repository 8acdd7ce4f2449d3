/// How an exponentially weighted moving average starts, the one choice that separates the
/// tutorial's average from Adam's.
///
/// With data far from zero the three differ visibly at the start: ``zeroStart`` lags (its first
/// value is `(1 - beta) x_1`), ``biasCorrected`` removes that lag exactly (its first value is
/// `x_1`), and ``firstValue`` has no lag to remove. After about `1 / (1 - beta)` samples all
/// three agree.
public enum EWMAConvention: String, CaseIterable, Codable, Sendable {
  /// The tutorial's: `v_1 = x_1`, then `v_t = beta v_{t-1} + (1 - beta) x_t`.
  case firstValue = "first-value"
  /// `v_0 = 0`, then `v_t = beta v_{t-1} + (1 - beta) x_t`, reported as is (biased toward 0).
  case zeroStart = "zero"
  /// Adam's: the zero-start average divided by `1 - beta^t`.
  case biasCorrected = "bias-corrected"

  /// A few words for legends, e.g. `zero start, bias-corrected`.
  public var legendText: String {
    switch self {
    case .firstValue: return "first-value start"
    case .zeroStart: return "zero start"
    case .biasCorrected: return "zero start, bias-corrected"
    }
  }
}

/// The exponentially weighted moving average of a whole sequence in the given convention: one
/// output per input.
///
/// - Throws: ``EWMAError/betaOutOfRange(_:)`` unless `0 <= beta < 1`.
public func ewma(_ data: [Double], beta: Double, convention: EWMAConvention) throws -> [Double] {
  switch convention {
  case .firstValue: return try ewma(data, beta: beta, biasCorrected: false)
  case .biasCorrected: return try ewma(data, beta: beta, biasCorrected: true)
  case .zeroStart:
    // The zero-started average before correction is what Adam keeps as its running moment.
    var average = try ExponentialMovingAverage(beta: beta, biasCorrected: true)
    return data.map { sample in
      average.update(sample)
      return average.raw
    }
  }
}
