import DescentPlot
import Foundation
import Testing

@Suite struct NiceTicksTests {
  @Test func unitIntervalGivesFifths() {
    #expect(NiceTicks.linear(lower: 0, upper: 1, maxCount: 6) == [0, 0.2, 0.4, 0.6, 0.8, 1])
  }

  @Test func tenthsAreExactDecimals() {
    // 3 × 0.1 is 0.30000000000000004 in floating point; the ticks must be the decimal 0.3.
    #expect(
      NiceTicks.linear(lower: 0, upper: 1, maxCount: 11)
        == [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1])
  }

  @Test func stepsAreOneTwoOrFiveTimesAPowerOfTen() {
    #expect(NiceTicks.step(lower: 0, upper: 100, maxCount: 11) == 10)
    #expect(NiceTicks.step(lower: -3.7, upper: 12.2, maxCount: 6) == 5)
    #expect(NiceTicks.linear(lower: -3.7, upper: 12.2, maxCount: 6) == [0, 5, 10])
    #expect(NiceTicks.linear(lower: 0.0013, upper: 0.0041, maxCount: 4) == [0.002, 0.003, 0.004])
  }

  @Test(arguments: [
    (0.0, 1.0), (-1.0, 1.0), (3.0, 3.5), (-273.15, 1e4), (1e-9, 3e-9), (123_456.0, 123_999.0),
    (-5e7, -1e7),
  ])
  func ticksStayInsideAndRespectTheCount(range: (Double, Double)) throws {
    for maxCount in 2...12 {
      let ticks = NiceTicks.linear(lower: range.0, upper: range.1, maxCount: maxCount)
      #expect(!ticks.isEmpty && ticks.count <= maxCount, "\(range) max \(maxCount): \(ticks)")
      let span = range.1 - range.0
      #expect(ticks.allSatisfy { $0 >= range.0 - span * 1e-9 && $0 <= range.1 + span * 1e-9 })
      let step = try #require(NiceTicks.step(lower: range.0, upper: range.1, maxCount: maxCount))
      let mantissa = step / pow(10, floor(log10(step)))
      #expect([1.0, 2.0, 5.0].contains { abs(mantissa - $0) < 1e-9 }, "step \(step)")
    }
  }

  @Test func emptyOrNonFiniteRangesHaveNoStep() {
    #expect(NiceTicks.step(lower: 1, upper: 1, maxCount: 5) == nil)
    #expect(NiceTicks.step(lower: 2, upper: 1, maxCount: 5) == nil)
    #expect(NiceTicks.step(lower: .nan, upper: 1, maxCount: 5) == nil)
    #expect(NiceTicks.step(lower: 0, upper: .infinity, maxCount: 5) == nil)
  }

  @Test func logTicksAreDecadesOrOneTwoFive() {
    #expect(
      NiceTicks.logarithmic(lower: 1e-3, upper: 100, maxCount: 8) == [1e-3, 1e-2, 1e-1, 1, 10, 100])
    #expect(
      NiceTicks.logarithmic(lower: 1e-12, upper: 1, maxCount: 5) == [1e-12, 1e-9, 1e-6, 1e-3, 1])
    #expect(NiceTicks.logarithmic(lower: 1.5, upper: 30, maxCount: 8) == [2, 5, 10, 20])
    #expect(NiceTicks.logarithmic(lower: 0, upper: 10, maxCount: 5).isEmpty)
  }
}

@Suite struct TickLabelTests {
  @Test func decimalsFollowTheSpacing() {
    #expect(TickLabels.format([0, 0.2, 0.4]) == ["0.0", "0.2", "0.4"])
    #expect(TickLabels.format([0, 50, 100]) == ["0", "50", "100"])
    #expect(TickLabels.format([0.002, 0.003]) == ["0.002", "0.003"])
  }

  @Test func negativesUseATrueMinusSign() {
    #expect(TickLabels.format([-1, 0, 1]) == ["\u{2212}1", "0", "1"])
  }

  @Test func largeValuesUseSuffixesAndExtremesScientificNotation() {
    #expect(TickLabels.format([0, 2e5, 4e5]) == ["0", "200k", "400k"])
    #expect(TickLabels.format([5e5, 1e6, 1.5e6]) == ["0.5M", "1.0M", "1.5M"])
    #expect(TickLabels.format([123_400, 123_500]) == ["123.4k", "123.5k"])
    #expect(TickLabels.format([1e16, 2e16]) == ["1e16", "2e16"])
    #expect(
      TickLabels.format([1e-5, 1.5e-5, 2e-5]) == ["1e\u{2212}5", "1.5e\u{2212}5", "2e\u{2212}5"])
  }

  @Test func compactLabelsKeepThreeSignificantDigits() {
    #expect(TickLabels.compact(0.8954) == "0.895")
    #expect(TickLabels.compact(1215) == "1215")
    #expect(TickLabels.compact(67.86) == "67.9")
    #expect(TickLabels.compact(0.05) == "0.05")
    #expect(TickLabels.compact(-2.5) == "\u{2212}2.5")
    #expect(TickLabels.compact(0) == "0")
    #expect(TickLabels.compact(2e-5) == "2e\u{2212}5")
  }

  @Test func decadesOnALogAxisUseSuperscripts() {
    #expect(
      TickLabels.format([0.01, 0.1, 1, 10], logarithmic: true) == ["10⁻²", "10⁻¹", "10⁰", "10¹"])
    #expect(TickLabels.format([2, 5, 10, 20], logarithmic: true) == ["2", "5", "10", "20"])
  }
}
