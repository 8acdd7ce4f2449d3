import ArgumentParser
import DescentOptim
import DescentPlot
import DescentTensor
import DescentTraining
import Foundation

/// `descent ewma`: daily temperatures and their exponentially weighted moving averages, started
/// three ways, so the bias of a zero start and what correction does about it show.
struct EWMACommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ewma",
    abstract: "Draw daily temperatures and their exponentially weighted moving averages.",
    discussion: """
      The data is a seeded series of daily temperatures (°C from 1 May, a level far from zero). \
      Each average is drawn in up to three conventions: 'first-value' (the tutorial's: v1 = x1), \
      'zero' (v0 = 0: it lags at the start, biased toward zero) and 'bias-corrected' (Adam's: \
      the zero start divided by 1 - beta^t, which removes the lag). The right panel zooms on the \
      first days, where they differ.
      """)

  @Option(
    parsing: .unconditionalSingleValue,
    help: "Smoothing factor in [0, 1); repeat for several betas (default 0.9).")
  var beta: [Double] = []

  @Option(
    name: .customLong("convention"), parsing: .unconditionalSingleValue,
    help: ArgumentHelp(
      "Which starts to draw: \(EWMAConvention.allCases.map(\.rawValue).joined(separator: ", ")) "
        + "(repeatable; default all three).", valueName: "name"))
  var conventions: [String] = []

  @Option(
    parsing: .unconditional,
    help: """
      Number of days, at most 1000000 (the figure draws at most \
      \(PlotThinning.maximumPoints) points per curve: evenly spaced markers, and lines through \
      the smallest and largest value of each stretch).
      """)
  var samples = 100

  @Option(parsing: .unconditional, help: "Seed of the weather noise.")
  var seed: UInt64 = 0

  @Option(help: "Figure file; the format comes from the extension (.png, .svg, .pdf).")
  var output = "ewma.png"

  func validate() throws {
    guard (1...1_000_000).contains(samples) else {
      throw ValidationError("--samples must be in 1...1000000, got \(samples)")
    }
    for beta in beta where !(beta >= 0 && beta < 1) {
      throw ValidationError("--beta must be in [0, 1), got \(beta)")
    }
    _ = try asValidationError { try Self.conventions(conventions) }
  }

  func run() throws {
    let destination = try OutputPath(output)
    let data = Self.temperatures(samples, seed: seed)
    let curves = try Self.curves(
      of: data, betas: beta.isEmpty ? [0.9] : beta, conventions: try Self.conventions(conventions))
    print("data  " + Self.summary(data))
    for curve in curves { print("\(curve.label)  " + Self.summary(curve.values)) }
    try destination.write(Self.figure(data: data, curves: curves))
  }

  /// One averaged curve and its legend text.
  struct Curve {
    /// Legend text, e.g. `zero start, β 0.9`.
    var label: String
    /// One value per sample.
    var values: [Double]
    /// How the average starts.
    var convention: EWMAConvention
    /// Its smoothing factor.
    var beta: Double
  }

  /// The conventions named (all three when none is).
  ///
  /// - Throws: ``CommandError/unknownName(kind:name:choices:)`` for a name not in
  ///   ``EWMAConvention``.
  static func conventions(_ names: [String]) throws -> [EWMAConvention] {
    guard !names.isEmpty else { return EWMAConvention.allCases }
    var chosen: [EWMAConvention] = []
    for name in names {
      guard let convention = EWMAConvention(rawValue: name.lowercased()) else {
        throw CommandError.unknownName(
          kind: "convention", name: name, choices: EWMAConvention.allCases.map(\.rawValue))
      }
      if !chosen.contains(convention) { chosen.append(convention) }
    }
    return chosen
  }

  /// `count` seeded daily temperatures (°C from 1 May): see ``DailyTemperatures``.
  static func temperatures(_ count: Int, seed: UInt64) -> [Double] {
    DailyTemperatures.make(days: count, seed: seed)
  }

  /// `count` standard normal samples scaled by 10, from `seed` (the seed's `torch.randn(50) * 10`
  /// in spirit): zero-mean data, on which the three starts look alike.
  static func samples(_ count: Int, seed: UInt64) -> [Double] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in 10 * generator.nextNormal() }
  }

  /// The averages of `data` for each beta in each convention, in that order.
  ///
  /// - Throws: ``EWMAError`` for a beta outside [0, 1).
  static func curves(
    of data: [Double], betas: [Double], conventions: [EWMAConvention] = EWMAConvention.allCases
  ) throws -> [Curve] {
    var curves: [Curve] = []
    for beta in betas {
      for convention in conventions {
        curves.append(
          Curve(
            label: "\(convention.legendText), β \(formatBeta(beta))",
            values: try ewma(data, beta: beta, convention: convention), convention: convention,
            beta: beta))
      }
    }
    return curves
  }

  /// `0.9`, `0.98`, `0` (no trailing `.0`).
  static func formatBeta(_ beta: Double) -> String {
    var text = String(beta)
    if text.hasSuffix(".0") { text.removeLast(2) }
    return text
  }

  /// Days shown in the zoomed panel: about three time constants of the largest beta
  /// (`3 / (1 - beta)`), at least 10, at most the data.
  static func zoomDays(count: Int, betas: [Double]) -> Int {
    let slowest = betas.max() ?? 0.9
    let span = Int((3 / (1 - slowest)).rounded(.up))
    return min(count, max(10, span))
  }

  /// Two panels: the whole series with its averages, and its first days, where the starts
  /// differ. With one beta each convention has its colour; with several, each beta has a colour
  /// and each convention a dash. Long series are thinned to at most
  /// ``PlotThinning/maximumPoints`` points each.
  static func figure(data: [Double], curves: [Curve]) -> Figure {
    let betas = curves.reduce(into: [Double]()) { if !$0.contains($1.beta) { $0.append($1.beta) } }
    let byBeta = betas.count > 1
    func style(_ curve: Curve) -> (Color, Dash) {
      let index = EWMAConvention.allCases.firstIndex(of: curve.convention) ?? 0
      if byBeta {
        let colours = [Color.red, .orange, .green] + Color.tab10.dropFirst(4)
        let dash: [Dash] = [.solid, .dotted, .dashed]
        return (colours[(betas.firstIndex(of: curve.beta) ?? 0) % colours.count], dash[index])
      }
      let colours = [Color.green, .red, Color(hex: 0x9467bd)]
      return (colours[index], curve.convention == .biasCorrected ? .dashed : .solid)
    }
    let zoom = zoomDays(count: data.count, betas: betas)
    var whole = Panel(
      title: "daily temperature and its moving averages", xLabel: "day", yLabel: "°C")
    var start = Panel(
      title: "the first \(zoom) days: a zero start lags", xLabel: "day", yLabel: "°C")
    let sampled = PlotThinning.evenly(data.count)
    whole.scatter(
      x: sampled.map { Double($0 + 1) }, y: sampled.map { data[$0] }, label: "temperature",
      color: .blue, size: 5)
    start.scatter(
      x: (0..<zoom).map { Double($0 + 1) }, y: Array(data.prefix(zoom)), label: "temperature",
      color: .blue, size: 7)
    for curve in curves {
      let (colour, dash) = style(curve)
      let points = PlotThinning.envelope(curve.values)
      whole.line(
        x: points.map { Double($0 + 1) }, y: points.map { curve.values[$0] }, label: curve.label,
        color: colour, width: 2, dash: dash)
      start.line(
        x: (0..<zoom).map { Double($0 + 1) }, y: Array(curve.values.prefix(zoom)),
        label: curve.label, color: colour, width: 2.5, dash: dash)
    }
    whole.legend = .hidden
    start.legend = .outsideRight
    let low = min(0, data.filter(\.isFinite).min() ?? 0)
    let high = max(data.filter(\.isFinite).max() ?? 1, low + 1)
    let margin = 0.05 * (high - low)
    start.yLimits = (low - margin)...(high + margin)
    start.xLimits = 0...Double(zoom + 1)
    var figure = Figure(width: 1400, height: 520, rows: 1, columns: 2)
    figure.title = "Exponentially weighted averages of daily temperatures: three ways to start"
    figure.footnotes = [
      "first-value start: v1 = x1.  zero start: v0 = 0, so v1 = (1 - β) x1, biased toward 0 "
        + "until β^t is small.  bias-corrected: the zero start divided by 1 - β^t (Adam's), "
        + "so v1 = x1 again."
    ]
    figure[0, 0] = whole
    figure[0, 1] = start
    return figure
  }

  /// The first nine and last six values with four decimals, as the seed prints them.
  static func summary(_ values: [Double]) -> String {
    func text(_ slice: ArraySlice<Double>) -> String {
      slice.map { String(format: "%.4f", $0) }.joined(separator: ", ")
    }
    guard values.count > 15 else { return text(values[...]) }
    return "starts \(text(values.prefix(9))), ... ends \(text(values.suffix(6)))"
  }
}
