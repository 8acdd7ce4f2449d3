/// Fewer points for a figure than a long series holds: a figure is at most a few thousand pixels
/// wide, so drawing a million points only costs time (minutes) and file size (hundreds of MB of
/// SVG) without showing more. Tables and printed values still use every point.
enum PlotThinning {
  /// The most points a thinned series keeps.
  static let maximumPoints = 4_000

  /// The indices of `count` points to draw: all of them up to ``maximumPoints``; otherwise, in
  /// each of `maximumPoints / 2` equal runs of indices, those of the smallest and the largest
  /// `y` (so spikes and oscillations keep their extent), with the first and last index always
  /// kept.
  static func envelope(_ y: [Double]) -> [Int] {
    let count = y.count
    guard count > maximumPoints else { return Array(0..<count) }
    let buckets = maximumPoints / 2
    var kept: [Int] = [0]
    for bucket in 0..<buckets {
      let start = bucket * count / buckets
      let end = (bucket + 1) * count / buckets
      var low = start
      var high = start
      for index in start..<end {
        // NaN compares false both ways: a bucket of NaNs keeps its first point.
        if y[index] < y[low] { low = index }
        if y[index] > y[high] { high = index }
      }
      for index in Set([low, high]).sorted() where index != kept.last { kept.append(index) }
    }
    if kept.last != count - 1 { kept.append(count - 1) }
    return kept
  }

  /// The indices of `count` points of a path to draw: all of them up to ``maximumPoints``,
  /// otherwise evenly spaced ones, the first and last included.
  static func evenly(_ count: Int) -> [Int] {
    guard count > maximumPoints else { return Array(0..<count) }
    let last = count - 1
    return (0..<maximumPoints).map { $0 * last / (maximumPoints - 1) }
  }
}
