import Foundation

/// How an exponential moving average of weights ramps its decay up over the first updates, so
/// that early averages are not dominated by the random initial weights.
public enum EMAWarmup: Equatable, Sendable, Codable {
  /// No warm-up: the decay is constant (PyTorch's `get_ema_multi_avg_fn(decay)`).
  case none
  /// timm's `ModelEmaV3` warm-up: at update `t` (0 for the first averaging update) the decay is
  /// `1 - (1 + t / gamma)^(-power)`, clamped into `[minDecay, decay]`.
  case inverseGamma(gamma: Double = 1, power: Double = 0.75, minDecay: Double = 0)

  /// The decay to use at update `step` (counted from 0) for a base decay `decay`.
  public func decay(base decay: Double, step: Int) -> Double {
    switch self {
    case .none:
      return decay
    case .inverseGamma(let gamma, let power, let minDecay):
      let ramp = 1 - pow(1 + Double(step) / gamma, -power)
      return max(min(ramp, decay), minDecay)
    }
  }

  /// Throws unless the warm-up's constants are valid (`gamma > 0`, `power > 0`,
  /// `0 <= minDecay <= 1`).
  func validate() throws {
    guard case .inverseGamma(let gamma, let power, let minDecay) = self else { return }
    guard gamma > 0 && gamma.isFinite else {
      throw AveragingError.invalidOption(name: "warmup gamma", value: gamma, requirement: "> 0")
    }
    guard power > 0 && power.isFinite else {
      throw AveragingError.invalidOption(name: "warmup power", value: power, requirement: "> 0")
    }
    guard minDecay >= 0 && minDecay <= 1 else {
      throw AveragingError.invalidOption(
        name: "warmup minDecay", value: minDecay, requirement: "in [0, 1]")
    }
  }
}
