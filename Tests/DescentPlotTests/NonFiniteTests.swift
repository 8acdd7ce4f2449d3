import CCairo
import DescentPlot
import Foundation
import Testing

/// The columns of a PNG that contain a pixel close to `colour` (0xRRGGBB).
func columnsContaining(_ colour: UInt32, in data: Data) throws -> [Int] {
  let url = try outputFolder("columns").appendingPathComponent("\(UUID().uuidString).png")
  try data.write(to: url)
  let surface = try #require(cairo_image_surface_create_from_png(url.path))
  defer { cairo_surface_destroy(surface) }
  let pixels = try #require(cairo_image_surface_get_data(surface))
  let width = Int(cairo_image_surface_get_width(surface))
  let height = Int(cairo_image_surface_get_height(surface))
  let stride = Int(cairo_image_surface_get_stride(surface))
  func close(_ pixel: UInt32) -> Bool {
    (0..<3).allSatisfy { shift in
      let a = Int((pixel >> (8 * shift)) & 0xff)
      let b = Int((colour >> (8 * shift)) & 0xff)
      return abs(a - b) < 24
    }
  }
  var found = Set<Int>()
  for row in 0..<height {
    let line = UnsafeRawPointer(pixels + row * stride).assumingMemoryBound(to: UInt32.self)
    for column in 0..<width where close(line[column]) { found.insert(column) }
  }
  return found.sorted()
}

/// The widest run of missing columns between the first and last column in `columns`.
func widestGap(_ columns: [Int]) -> Int {
  zip(columns.dropFirst(), columns).map { $0 - $1 - 1 }.max() ?? 0
}

@Suite struct NonFiniteTests {
  let red: UInt32 = 0xd62728

  func lineFigure(_ y: [Double], scale: AxisScale = .linear) -> Figure {
    var figure = Figure(width: 400, height: 200)
    figure.panel.showsGrid = false
    figure.panel.xLimits = 0...10
    figure.panel.yLimits = scale == .log ? 0.1...10 : -1...2
    figure.panel.yScale = scale
    figure.panel.line(x: (0...10).map(Double.init), y: y, color: .red)
    return figure
  }

  /// Finite but huge values (a diverging optimizer's path) draw without overflowing anything.
  @Test func hugeFiniteValuesDraw() throws {
    var y = Array(repeating: 1.0, count: 11)
    y[4] = 1e300
    y[5] = -Double.greatestFiniteMagnitude
    let columns = try columnsContaining(red, in: lineFigure(y).render(as: .png))
    #expect(columns.count > 100)
  }

  @Test func nanBreaksALine() throws {
    let full = try columnsContaining(
      red, in: lineFigure(Array(repeating: 1, count: 11)).render(as: .png))
    var broken = Array(repeating: 1.0, count: 11)
    broken[5] = .nan
    let gapped = try columnsContaining(red, in: lineFigure(broken).render(as: .png))
    #expect(widestGap(full) == 0)
    // Points 4 and 6 are no longer joined: a gap of about a fifth of the 0...10 axis.
    let gap = widestGap(gapped)
    #expect(gap > 40 && gap < 100, "gap of \(gap) columns")
  }

  @Test func infinityAndNonPositiveValuesOnALogAxisBreakALine() throws {
    var y = Array(repeating: 1.0, count: 11)
    y[3] = .infinity
    let linear = try columnsContaining(red, in: lineFigure(y).render(as: .png))
    #expect(widestGap(linear) > 40)
    y[3] = 1
    y[7] = 0
    let log = try columnsContaining(red, in: lineFigure(y, scale: .log).render(as: .png))
    #expect(widestGap(log) > 40)
  }

  @Test func nonFiniteScatterPointsAreSkipped() throws {
    var figure = Figure(width: 300, height: 200)
    figure.panel.scatter(
      x: [0, .nan, 2, 3, .infinity], y: [0, 1, .nan, 3, 4], color: .red, size: 8)
    let columns = try columnsContaining(red, in: figure.render(as: .png))
    #expect(!columns.isEmpty)
    // Two drawable points (0,0) and (3,3): two separate dots.
    #expect(widestGap(columns) > 50)
  }

  @Test func allNonFiniteDataStillRenders() throws {
    var figure = Figure(width: 300, height: 200)
    figure.panel.line(x: [0, 1], y: [.nan, .nan], label: "nothing")
    figure.panel.scatter(x: [.infinity], y: [1])
    figure.panel.contour(x: [0, 1], y: [0, 1], z: [[.nan, .nan], [.nan, .nan]], levels: 5)
    #expect(try pngSize(figure.render(as: .png)) != nil)
  }

  @Test func hugeValuesAreClippedNotOverflowed() throws {
    var figure = Figure(width: 300, height: 200)
    figure.panel.yLimits = 0...1
    figure.panel.line(x: [0, 1, 2], y: [0.5, 1e300, 0.5], color: .red)
    let columns = try columnsContaining(red, in: figure.render(as: .png))
    #expect(!columns.isEmpty)
  }
}
