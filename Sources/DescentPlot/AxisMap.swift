import Foundation

/// Maps data values on one axis to device pixels, linearly in the value or in its log10.
struct AxisMap {
  /// Linear or log.
  let scale: AxisScale
  /// The visible range, in transformed units (log10 of the value on a log axis).
  let lower: Double
  let upper: Double
  /// Pixels at which `lower` and `upper` land (the y axis runs upwards, so its pixels decrease).
  var pixelLower: Double = 0
  var pixelUpper: Double = 1

  /// The value in transformed units, or nil if it cannot be drawn (non-finite, or <= 0 on a log axis).
  static func transform(_ value: Double, _ scale: AxisScale) -> Double? {
    switch scale {
    case .linear: return value.isFinite ? value : nil
    case .log: return value.isFinite && value > 0 ? log10(value) : nil
    }
  }

  /// Device coordinate of `value`, or nil if it cannot be drawn.
  func pixel(_ value: Double) -> Double? {
    guard let t = AxisMap.transform(value, scale) else { return nil }
    return pixelLower + (t - lower) / (upper - lower) * (pixelUpper - pixelLower)
  }

  /// The visible range in data units.
  var dataRange: (lower: Double, upper: Double) {
    scale == .log ? (pow(10, lower), pow(10, upper)) : (lower, upper)
  }

  /// Tick positions in data units, at most `maxCount`.
  func ticks(maxCount: Int) -> [Double] {
    let range = dataRange
    switch scale {
    case .linear:
      return NiceTicks.linear(lower: range.lower, upper: range.upper, maxCount: maxCount)
    case .log:
      return NiceTicks.logarithmic(lower: range.lower, upper: range.upper, maxCount: maxCount)
    }
  }

  /// Minor tick positions on a log axis whose ticks are whole consecutive decades: 2...9 × 10^k.
  func minorTicks(major: [Double]) -> [Double] {
    guard scale == .log, major.count >= 1, major.allSatisfy(NiceTicks.isPowerOfTen) else {
      return []
    }
    let exponents = major.map { Int(log10($0).rounded()) }
    if zip(exponents.dropFirst(), exponents).contains(where: { $0 - $1 != 1 }) { return [] }
    let range = dataRange
    var minor: [Double] = []
    for exponent in Int(floor(lower))...Int(ceil(upper)) {
      for mantissa in 2...9 {
        let value = Double(mantissa) * pow(10, Double(exponent))
        if value >= range.lower && value <= range.upper { minor.append(value) }
      }
    }
    return minor
  }

  /// The visible range for an axis: fixed `limits` if given (validated), else the data bounds
  /// widened by `margin` of their span, else 0...1 (1...10 on a log axis).
  static func fit(
    scale: AxisScale, limits: ClosedRange<Double>?, padded: [Double], tight: [Double],
    panel: Int, axis: String
  ) throws(PlotError) -> AxisMap {
    if let limits {
      guard limits.lowerBound.isFinite, limits.upperBound.isFinite,
        limits.upperBound > limits.lowerBound
      else {
        throw .invalidLimits(
          panel: panel, axis: axis, reason: "\(limits) is not a finite range of positive width")
      }
      guard let low = transform(limits.lowerBound, scale),
        let high = transform(limits.upperBound, scale)
      else {
        throw .invalidLimits(
          panel: panel, axis: axis, reason: "\(limits) must be > 0 on a log axis")
      }
      return AxisMap(scale: scale, lower: low, upper: high)
    }
    let paddedValues = padded.compactMap { transform($0, scale) }
    let tightValues = tight.compactMap { transform($0, scale) }
    let all = paddedValues + tightValues
    guard var low = all.min(), var high = all.max() else {
      return AxisMap(scale: scale, lower: 0, upper: 1)
    }
    if high == low {
      let half = scale == .log ? 0.5 : max(abs(low) * 0.05, 0.5)
      return AxisMap(scale: scale, lower: low - half, upper: high + half)
    }
    if let padLow = paddedValues.min(), let padHigh = paddedValues.max() {
      let margin = (high - low) * 0.05
      low = min(tightValues.min() ?? .infinity, padLow - margin)
      high = max(tightValues.max() ?? -.infinity, padHigh + margin)
    }
    return AxisMap(scale: scale, lower: low, upper: high)
  }
}
