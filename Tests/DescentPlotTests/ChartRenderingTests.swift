import DescentPlot
import Foundation
import Testing

/// Writes `figure` as PNG, SVG and PDF into a fresh folder and checks each file is valid and not blank.
func checkAllFormats(_ figure: Figure, name: String, minimumColours: Int = 3) throws {
  let folder = try outputFolder(name)
  for format in ImageFormat.allCases {
    let url = folder.appendingPathComponent("\(name).\(format.rawValue)")
    try figure.write(to: url)
    let data = try Data(contentsOf: url)
    switch format {
    case .png:
      let size = try #require(pngSize(data))
      #expect(size.width == figure.width && size.height == figure.height)
      let ink = try #require(pngInk(url))
      #expect(ink.inked > figure.width * figure.height / 100, "\(name).png looks blank")
      #expect(ink.colours >= minimumColours, "\(name).png has \(ink.colours) colours")
    case .svg:
      let size = try #require(svgSize(data), "\(name).svg does not parse as SVG")
      #expect(size.width == "\(figure.width)px" && size.height == "\(figure.height)px")
    case .pdf:
      #expect(isCompletePDF(data))
      #expect(data.count > 1000)
    }
  }
}

/// Rosenbrock's function, the usual optimizer test landscape.
func rosenbrock(_ x: Double, _ y: Double) -> Double { pow(1 - x, 2) + 100 * pow(y - x * x, 2) }

@Suite struct ChartRenderingTests {
  @Test func lineChart() throws {
    var figure = Figure(width: 640, height: 420)
    figure.panel.title = "Training loss"
    figure.panel.xLabel = "step"
    figure.panel.yLabel = "loss"
    let steps = (0..<200).map(Double.init)
    figure.panel.line(x: steps, y: steps.map { exp(-$0 / 40) + 0.05 }, label: "SGD")
    figure.panel.line(x: steps, y: steps.map { exp(-$0 / 15) + 0.02 }, label: "Adam", dash: .dashed)
    try checkAllFormats(figure, name: "line")
  }

  @Test func logScaleLossCurve() throws {
    var figure = Figure(width: 500, height: 400)
    figure.panel.yScale = .log
    figure.panel.title = "Loss (log scale)"
    let steps = (0..<300).map(Double.init)
    figure.panel.line(x: steps, y: steps.map { 100 * exp(-$0 / 30) + 1e-4 }, label: "Adam")
    figure.panel.line(x: steps, y: steps.map { 50 * exp(-$0 / 80) }, label: "SGD")
    try checkAllFormats(figure, name: "log-line")
  }

  @Test func scatterChart() throws {
    var figure = Figure(width: 500, height: 450)
    figure.panel.title = "Samples"
    let angles = (0..<150).map { Double($0) * 0.13 }
    figure.panel.scatter(
      x: angles.map { $0 * cos($0) }, y: angles.map { $0 * sin($0) }, label: "spiral")
    figure.panel.scatter(
      x: angles.map { -$0 * cos($0) }, y: angles.map { -$0 * sin($0) }, label: "mirror", size: 4)
    try checkAllFormats(figure, name: "scatter")
  }

  @Test func contourChart() throws {
    var figure = Figure(width: 560, height: 480)
    figure.panel.title = "Rosenbrock"
    let xs = (0...120).map { -2 + 4 * Double($0) / 120 }
    let ys = (0...100).map { -1 + 4 * Double($0) / 100 }
    let zs = ys.map { y in xs.map { x in rosenbrock(x, y) } }
    figure.panel.contour(
      x: xs, y: ys, z: zs, levels: try logSpacedLevels(min: 0.1, max: 2000, count: 14))
    figure.panel.marker(x: 1, y: 1, shape: .star, label: "minimum")
    try checkAllFormats(figure, name: "contour", minimumColours: 6)
  }

  @Test func multiPanelWithLegends() throws {
    let figure = try demoFigure()
    try checkAllFormats(figure, name: "multi-panel", minimumColours: 6)
  }
}
