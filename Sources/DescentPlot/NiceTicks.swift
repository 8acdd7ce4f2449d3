import Foundation

/// Tick positions at "nice" round numbers: multiples of 1, 2 or 5 times a power of ten.
public enum NiceTicks {
  /// The smallest step of the form {1, 2, 5} x 10^k for which the multiples of the step inside
  /// `lower...upper` number at most `maxCount` (at least 2 are assumed wanted).
  ///
  /// `0...1` with `maxCount: 6` gives step 0.2; an empty or non-finite range gives `nil`.
  public static func step(lower: Double, upper: Double, maxCount: Int) -> Double? {
    guard lower.isFinite, upper.isFinite, upper > lower else { return nil }
    let wanted = max(maxCount, 2)
    let rough = (upper - lower) / Double(wanted - 1)
    var exponent = floor(log10(rough))
    while true {
      let power = pow(10, exponent)
      for mantissa in [1.0, 2.0, 5.0] {
        let step = mantissa * power
        if positions(lower: lower, upper: upper, step: step).count <= wanted { return step }
      }
      exponent += 1
    }
  }

  /// Nice tick values inside `lower...upper` (ends included when they fall on a tick), at most
  /// `maxCount` of them. Values are exact multiples of the step, so 0.30000000000000004 never appears.
  public static func linear(lower: Double, upper: Double, maxCount: Int) -> [Double] {
    guard let step = step(lower: lower, upper: upper, maxCount: maxCount) else {
      return lower.isFinite ? [lower] : []
    }
    return positions(lower: lower, upper: upper, step: step)
  }

  /// Ticks for a logarithmic axis over `lower...upper` (both > 0): powers of ten, every k-th decade
  /// when there are too many, or 1-2-5 multiples when the range spans less than about two decades.
  public static func logarithmic(lower: Double, upper: Double, maxCount: Int) -> [Double] {
    guard lower > 0, upper > lower, lower.isFinite, upper.isFinite else { return [] }
    let low = log10(lower)
    let high = log10(upper)
    let slack = 1e-9
    let first = Int(ceil(low - slack))
    let last = Int(floor(high + slack))
    let decades = last - first + 1
    if decades >= 3 || (decades >= 2 && maxCount < 4) {
      let every = Int(ceil(Double(decades) / Double(max(maxCount, 2))))
      let start = Int((Double(first) / Double(every)).rounded(.up)) * every
      return stride(from: start, through: last, by: every).map { pow(10, Double($0)) }
    }
    var values: [Double] = []
    for exponent in Int(floor(low))...Int(ceil(high)) {
      for mantissa in [1.0, 2.0, 5.0] {
        let value = mantissa * pow(10, Double(exponent))
        let logValue = log10(value)
        if logValue >= low - slack && logValue <= high + slack { values.append(value) }
      }
    }
    if values.count > max(maxCount, 2) { values = values.filter { isPowerOfTen($0) } }
    if values.count < 2 {
      return linear(lower: lower, upper: upper, maxCount: maxCount)
    }
    return values
  }

  /// Whether `value` is 10^k for an integer k (within floating-point rounding).
  static func isPowerOfTen(_ value: Double) -> Bool {
    guard value > 0 else { return false }
    let exponent = log10(value)
    return abs(exponent - exponent.rounded()) < 1e-9
  }

  private static func positions(lower: Double, upper: Double, step: Double) -> [Double] {
    let tolerance = step * 1e-9
    let first = ceil((lower - tolerance) / step)
    let last = floor((upper + tolerance) / step)
    guard last >= first, last - first < 10_000 else { return [] }
    return stride(from: first, through: last, by: 1).map { index in
      let value = index * step
      return value == 0 ? 0 : value  // no negative zero
    }
  }
}
