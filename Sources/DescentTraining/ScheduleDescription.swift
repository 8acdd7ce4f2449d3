import Foundation

extension ScheduleTrace {
  /// The learning rate each epoch trains with, epoch 1 first: the value before the first step,
  /// then after each step but the last (PyTorch's loop steps the scheduler after each epoch, so
  /// the value after the last epoch's step trains nothing; for OneCycleLR it lies past the cycle).
  public var ratesByEpoch: [Double] {
    learningRates.count > 1 ? Array(learningRates.dropLast()) : learningRates
  }

  /// The momentum each epoch trains with, as ``ratesByEpoch``; `nil` when it is constant.
  public var momentaByEpoch: [Double]? {
    guard let momenta else { return nil }
    return momenta.count > 1 ? Array(momenta.dropLast()) : momenta
  }

  /// The learning-rate curve over the epochs (``ratesByEpoch``) in words, from its numbers, one
  /// clause per part: where it starts, where it peaks and bottoms out (with the epoch), where it
  /// ends, e.g. `["starts at 0.004 in epoch 1 (...)", "rises to 0.1 in epoch 31",
  /// "falls to 4e-07 in epoch 100"]`. When the schedule sets its own starting rate (OneCycleLR's
  /// `max_lr / div_factor`) rather than the optimizer's `optimizerLR`, the first clause says so.
  public func curveDescription(optimizerLR: Double) -> [String] {
    let rates = ratesByEpoch
    guard let first = rates.first, let last = rates.last else { return ["no epochs"] }
    let lastEpoch = rates.count
    if rates.allSatisfy({ Self.close($0, first) }) {
      return ["constant at \(Self.short(first)) for \(lastEpoch) epochs"]
    }
    var start = "starts at \(Self.short(first)) in epoch 1"
    if !Self.close(first, optimizerLR) {
      start +=
        " (\(scheduler) sets its own start, not the optimizer's lr \(Self.short(optimizerLR)))"
    }
    let peak = rates.indices.max { rates[$0] < rates[$1] }!
    let trough = rates.indices.min { rates[$0] < rates[$1] }!
    let steps = zip(rates, rates.dropFirst())
    let nonIncreasing = steps.allSatisfy { $1 <= $0 || Self.close($0, $1) }
    let nonDecreasing = steps.allSatisfy { $1 >= $0 || Self.close($0, $1) }
    var parts = [start]
    if nonIncreasing {
      parts.append("falls to \(Self.short(last)) in epoch \(lastEpoch)")
    } else if nonDecreasing {
      parts.append("rises to \(Self.short(last)) in epoch \(lastEpoch)")
    } else if peak > 0 && trough > peak {
      // Up, then down (OneCycleLR, a warmup then a decay).
      parts.append("rises to \(Self.short(rates[peak])) in epoch \(peak + 1)")
      parts.append("falls to \(Self.short(rates[trough])) in epoch \(trough + 1)")
      if trough != rates.count - 1 { parts.append("ends at \(Self.short(last))") }
    } else {
      parts.append(
        "ranges from \(Self.short(rates[trough])) (epoch \(trough + 1)) to "
          + "\(Self.short(rates[peak])) (epoch \(peak + 1))")
      parts.append("ends at \(Self.short(last)) in epoch \(lastEpoch)")
    }
    return parts
  }

  /// Whether two rates agree to 1e-9 relative.
  private static func close(_ a: Double, _ b: Double) -> Bool {
    abs(a - b) <= 1e-9 * max(abs(a), abs(b))
  }

  /// A rate in at most four significant digits: `0.004`, `0.1`, `4e-07`.
  static func short(_ value: Double) -> String {
    String(format: "%.4g", value)
  }
}
