import Foundation

/// Compact text for tick values: as few digits as the spacing needs, k/M/G/T suffixes for large
/// values (250k, 1.5M), scientific notation for tiny or enormous ones, a true minus sign, and
/// "10⁻³" style labels on decade-only log axes.
public enum TickLabels {
  /// Labels for `values` (sorted tick positions). All labels share one style so they line up.
  public static func format(_ values: [Double], logarithmic: Bool = false) -> [String] {
    guard !values.isEmpty else { return [] }
    if logarithmic && values.allSatisfy(NiceTicks.isPowerOfTen) {
      return values.map { "10" + superscript(Int(log10($0).rounded())) }
    }
    let magnitude = values.map { abs($0) }.max() ?? 0
    let step = smallestGap(values) ?? max(magnitude, 1)
    if magnitude >= 1e15 || (magnitude > 0 && magnitude < 1e-3) || (logarithmic && step < 1e-3) {
      return values.map { scientific($0, step: step) }
    }
    var unit = (divisor: 1.0, suffix: "")
    if magnitude >= 1e5 && step >= 1 {
      let units = [(1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T")]
      unit = units.last { magnitude >= $0.0 } ?? unit
    }
    let decimals = max(0, -Int(floor(log10(step / unit.divisor) + 1e-9)))
    return values.map { value in
      if value == 0 {
        return "0" + (decimals > 0 && unit.suffix.isEmpty ? "." + zeros(decimals) : "")
      }
      var text = String(format: "%.\(decimals)f", value / unit.divisor)
      if logarithmic { text = trimZeros(text) }
      return withMinusSign(text) + unit.suffix
    }
  }

  private static func zeros(_ count: Int) -> String { String(repeating: "0", count: count) }

  /// A single compact label, e.g. for contour levels: three significant digits (all digits of a
  /// whole number below 100 000), trailing zeros dropped, a true minus sign; scientific outside
  /// 0.001 ..< 100 000.
  public static func compact(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "∞" : "−∞") }
    if value == 0 { return "0" }
    let magnitude = abs(value)
    if magnitude >= 1e5 || magnitude < 1e-3 { return scientific(value, step: magnitude / 1000) }
    let decimals = max(0, 2 - Int(floor(log10(magnitude))))
    return withMinusSign(trimZeros(String(format: "%.\(decimals)f", value)))
  }

  private static func smallestGap(_ values: [Double]) -> Double? {
    let gaps = zip(values.dropFirst(), values).map { abs($0 - $1) }.filter { $0 > 0 }
    return gaps.min()
  }

  private static func scientific(_ value: Double, step: Double) -> String {
    if value == 0 { return "0" }
    let exponent = Int(floor(log10(abs(value)) + 1e-12))
    let digits = max(0, min(6, exponent - Int(floor(log10(step) + 1e-9))))
    var mantissa = String(format: "%.\(digits)f", value / pow(10, Double(exponent)))
    mantissa = trimZeros(mantissa)
    return withMinusSign("\(mantissa)e\(exponent)")
  }

  private static func trimZeros(_ text: String) -> String {
    guard text.contains("."), !text.contains("e") else { return text }
    var trimmed = text
    while trimmed.hasSuffix("0") { trimmed.removeLast() }
    if trimmed.hasSuffix(".") { trimmed.removeLast() }
    return trimmed
  }

  private static func withMinusSign(_ text: String) -> String {
    let replaced = text.replacingOccurrences(of: "-", with: "\u{2212}")
    return replaced == "\u{2212}0" ? "0" : replaced
  }

  private static func superscript(_ exponent: Int) -> String {
    let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
    let body = String(String(abs(exponent)).compactMap { $0.wholeNumberValue.map { digits[$0] } })
    return (exponent < 0 ? "⁻" : "") + body
  }
}
