/// A streaming exponentially weighted moving average of scalars.
///
/// Two conventions are offered:
/// - the tutorial's (`biasCorrected: false`): `v_0 = x_0`, then `v_t = beta v_{t-1} + (1 - beta) x_t`;
/// - Adam's (`biasCorrected: true`): `v_0 = 0`, `v_t = beta v_{t-1} + (1 - beta) x_t`, and the
///   reported value is `v_t / (1 - beta^t)` for `t = 1, 2, ...` (so the first report is `x_1`).
///
/// With `beta = 0` the average is the latest sample.
public struct ExponentialMovingAverage: Codable, Equatable, Sendable {
  /// The smoothing factor, in [0, 1); the larger, the smoother.
  public let beta: Double
  /// Whether the average starts at zero and is reported divided by `1 - beta^t` (Adam's form).
  public let biasCorrected: Bool
  /// How many samples have been folded in.
  public private(set) var count: Int = 0
  /// The running average before bias correction.
  public private(set) var raw: Double = 0
  /// `beta^count`, kept as a running product.
  private var betaPower: Double = 1

  /// An empty average with smoothing factor `beta`.
  ///
  /// - Throws: ``EWMAError/betaOutOfRange(_:)`` unless `0 <= beta < 1`.
  public init(beta: Double = 0.9, biasCorrected: Bool = false) throws {
    self.beta = try validatedEWMABeta(beta)
    self.biasCorrected = biasCorrected
  }

  /// The current average, or `nil` before the first sample.
  public var value: Double? {
    guard count > 0 else { return nil }
    return biasCorrected ? ewmaBiasCorrected(raw, betaPower: betaPower) : raw
  }

  /// Folds in `sample` and returns the new average.
  @discardableResult
  public mutating func update(_ sample: Double) -> Double {
    if count == 0 && !biasCorrected {
      raw = sample
    } else {
      raw = ewmaUpdate(raw, sample, beta: beta)
    }
    count += 1
    betaPower *= beta
    return value!
  }
}

/// The exponentially weighted moving average of a whole sequence: one output per input.
///
/// See ``ExponentialMovingAverage`` for the two conventions chosen by `biasCorrected`.
/// - Throws: ``EWMAError/betaOutOfRange(_:)`` unless `0 <= beta < 1`.
public func ewma(_ data: [Double], beta: Double = 0.9, biasCorrected: Bool = false) throws
  -> [Double]
{
  var average = try ExponentialMovingAverage(beta: beta, biasCorrected: biasCorrected)
  return data.map { average.update($0) }
}
