import Foundation

/// Tick positions at "nice" round numbers: multiples of 1, 2 or 5 times a power of ten.
public enum NiceTicks {
  /// The smallest step of the form {1, 2, 5} x 10^k for which the multiples of the step inside
  /// `lower...upper` number at most `maxCount` (at least 2 are assumed wanted).
  ///
  /// `0...1` with `maxCount: 6` gives step 0.2; an empty or non-finite range gives `nil`.
  public static func step(lower: Double, upper: Double, maxCount: Int) -> Double? {
    niceStep(lower: lower, upper: upper, maxCount: maxCount)?.value
  }

  /// Nice tick values inside `lower...upper` (ends included when they fall on a tick), at most
  /// `maxCount` of them. Each is computed as (integer × mantissa) scaled by a power of ten in one
  /// correctly rounded operation, so 0...1 gives exactly 0.6, never 0.6000000000000001.
  public static func linear(lower: Double, upper: Double, maxCount: Int) -> [Double] {
    guard let step = niceStep(lower: lower, upper: upper, maxCount: maxCount) else {
      return lower.isFinite ? [lower] : []
    }
    return positions(lower: lower, upper: upper, step: step)
  }

  /// A step `mantissa × 10^exponent`, kept apart so multiples can be formed exactly.
  private struct Step {
    let mantissa: Double
    let exponent: Int
    var value: Double { scaled(mantissa) }
    /// `multiple × 10^exponent`, with one rounding (dividing by an exact power of ten).
    func scaled(_ multiple: Double) -> Double {
      exponent >= 0 ? multiple * pow(10, Double(exponent)) : multiple / pow(10, Double(-exponent))
    }
  }

  private static func niceStep(lower: Double, upper: Double, maxCount: Int) -> Step? {
    guard lower.isFinite, upper.isFinite, upper > lower else { return nil }
    let wanted = max(maxCount, 2)
    let rough = (upper - lower) / Double(wanted - 1)
    guard rough.isNormal else { return nil }
    var exponent = Int(floor(log10(rough)))
    while exponent < 400 {
      for mantissa in [1.0, 2.0, 5.0] {
        let step = Step(mantissa: mantissa, exponent: exponent)
        // Zero positions means "too many to list" (or none): either way, not this step.
        let count = positions(lower: lower, upper: upper, step: step).count
        if count > 0 && count <= wanted { return step }
      }
      exponent += 1
    }
    return nil
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

  private static func positions(lower: Double, upper: Double, step: Step) -> [Double] {
    let size = step.value
    guard size > 0, size.isFinite else { return [] }
    let tolerance = 1e-9
    let first = ceil(lower / size - tolerance)
    let last = floor(upper / size + tolerance)
    guard last >= first, last - first < 10_000 else { return [] }
    return stride(from: first, through: last, by: 1).map { index in
      let value = step.scaled(index * step.mantissa)
      return value == 0 ? 0 : value  // no negative zero
    }
  }
}
