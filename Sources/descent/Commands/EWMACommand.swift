import ArgumentParser
import DescentOptim
import DescentPlot
import DescentTensor
import Foundation

/// `descent ewma`: the seed's exponentially weighted average figure.
struct EWMACommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ewma",
    abstract: "Draw noisy data and its exponentially weighted moving average (the seed's figure).")

  @Option(
    parsing: .unconditionalSingleValue,
    help: "Smoothing factor in [0, 1); repeat for several curves (default 0.9).")
  var beta: [Double] = []

  @Flag(help: "Also draw the bias-corrected average (zero start, divided by 1 - beta^t).")
  var biasCorrected = false

  @Option(
    parsing: .unconditional,
    help: """
      Number of samples, at most 1000000 (the figure draws at most \
      \(PlotThinning.maximumPoints) points per curve: evenly spaced markers, and lines through \
      the smallest and largest value of each stretch).
      """)
  var samples = 50

  @Option(parsing: .unconditional, help: "Seed of the normal samples.")
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
  }

  func run() throws {
    let destination = try OutputPath(output)
    let data = Self.samples(samples, seed: seed)
    let curves = try Self.curves(
      of: data, betas: beta.isEmpty ? [0.9] : beta,
      biasCorrected: biasCorrected)
    print("data  " + Self.summary(data))
    for curve in curves { print("\(curve.label)  " + Self.summary(curve.values)) }
    try destination.write(Self.figure(data: data, curves: curves))
  }

  /// One averaged curve and its legend text.
  struct Curve {
    /// Legend text, e.g. `ewma_curve`, `ewma_curve (bias-corrected)` or `beta 0.98, corrected`.
    var label: String
    /// One value per sample.
    var values: [Double]
    /// Whether this is the bias-corrected form (drawn dashed).
    var biasCorrected: Bool
  }

  /// `count` standard normal samples scaled by 10, from `seed` (the seed's `torch.randn(50) * 10`
  /// in spirit; PyTorch's generator cannot be reproduced).
  static func samples(_ count: Int, seed: UInt64) -> [Double] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in 10 * generator.nextNormal() }
  }

  /// The averages of `data` for each beta, plain and (when asked) bias-corrected.
  ///
  /// - Throws: ``EWMAError`` for a beta outside [0, 1).
  static func curves(of data: [Double], betas: [Double], biasCorrected: Bool) throws -> [Curve] {
    var curves: [Curve] = []
    for beta in betas {
      // One beta keeps the seed's legend; several are named by their beta.
      let name = betas.count > 1 ? "beta \(beta)" : "ewma_curve"
      curves.append(
        Curve(label: name, values: try ewma(data, beta: beta), biasCorrected: false))
      if biasCorrected {
        curves.append(
          Curve(
            label: name + (betas.count > 1 ? ", corrected" : " (bias-corrected)"),
            values: try ewma(data, beta: beta, biasCorrected: true), biasCorrected: true))
      }
    }
    return curves
  }

  /// The seed's two panels: the data alone, then the data with the averages. Long series are
  /// thinned to at most ``PlotThinning/maximumPoints`` points each: evenly spaced samples for the
  /// markers, the envelope for the lines.
  static func figure(data: [Double], curves: [Curve]) -> Figure {
    let sampled = PlotThinning.evenly(data.count)
    let x = sampled.map { Double($0 + 1) }
    let y = sampled.map { data[$0] }
    let envelope = PlotThinning.envelope(data)
    var figure = Figure(rows: 1, columns: 2)
    var original = Panel(title: "original data", xLabel: "x", yLabel: "y")
    original.scatter(x: x, y: y, color: .blue, size: 6)
    original.line(
      x: envelope.map { Double($0 + 1) }, y: envelope.map { data[$0] }, color: .blue, width: 1.2)
    var averaged = Panel(title: "ewma", xLabel: "x", yLabel: "y")
    averaged.scatter(x: x, y: y, label: "original_data", color: .blue, size: 6)
    let colours = [Color.red, .orange, .green] + Color.tab10.dropFirst(4)
    var beta = 0
    for curve in curves {
      // A bias-corrected curve follows its plain one, in the same colour, dashed.
      if !curve.biasCorrected && curve.label != curves.first?.label { beta += 1 }
      let points = PlotThinning.envelope(curve.values)
      averaged.line(
        x: points.map { Double($0 + 1) }, y: points.map { curve.values[$0] }, label: curve.label,
        color: colours[beta % colours.count],
        width: 2, dash: curve.biasCorrected ? .dashed : .solid)
    }
    if curves.count > 1 {
      averaged.legend = .outsideRight
      figure.width = 1150
    }
    figure[0, 0] = original
    figure[0, 1] = averaged
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
