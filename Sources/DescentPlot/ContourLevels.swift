import Foundation

/// `count` levels spaced evenly on a log scale from `min` to `max` inclusive, as loss landscapes
/// want (e.g. `logSpacedLevels(min: 0.01, max: 100, count: 5)` is 0.01, 0.1, 1, 10, 100).
///
/// Throws `PlotError.invalidLevels` unless `0 < min < max`, both finite, and `count >= 2`.
public func logSpacedLevels(min: Double, max: Double, count: Int) throws(PlotError) -> [Double] {
  guard min > 0, max > min, min.isFinite, max.isFinite else {
    throw .invalidLevels(reason: "log-spaced levels need 0 < min < max, got min \(min), max \(max)")
  }
  guard count >= 2 else {
    throw .invalidLevels(reason: "log-spaced levels need count >= 2, got \(count)")
  }
  let low = log10(min)
  let high = log10(max)
  return (0..<count).map { index in
    if index == 0 { return min }
    if index == count - 1 { return max }
    return pow(10, low + (high - low) * Double(index) / Double(count - 1))
  }
}

/// `count` levels spaced evenly from `min` to `max` inclusive.
///
/// Throws `PlotError.invalidLevels` unless `min < max`, both finite, and `count >= 2`.
public func linearLevels(min: Double, max: Double, count: Int) throws(PlotError) -> [Double] {
  guard max > min, min.isFinite, max.isFinite else {
    throw .invalidLevels(reason: "linear levels need min < max, got min \(min), max \(max)")
  }
  guard count >= 2 else {
    throw .invalidLevels(reason: "linear levels need count >= 2, got \(count)")
  }
  return (0..<count).map { min + (max - min) * Double($0) / Double(count - 1) }
}
