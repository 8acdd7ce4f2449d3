import DescentPlot
import Testing

@Suite struct FigureAPITests {
  @Test func defaultSizeIsFiveHundredByFourHundredFiftyPerPanel() {
    let two = Figure(rows: 1, columns: 2)
    #expect(two.width == 1000 && two.height == 450 && two.panels.count == 2)
    let grid = Figure(rows: 2, columns: 3)
    #expect(grid.width == 1500 && grid.height == 900 && grid.panels.count == 6)
    let clamped = Figure(rows: 0, columns: -2)
    #expect(clamped.rows == 1 && clamped.columns == 1 && clamped.panels.count == 1)
  }

  @Test func panelsAreAddressedRowByRow() {
    var figure = Figure(rows: 2, columns: 2)
    figure[1, 0].title = "bottom left"
    figure[0, 1].line(y: [1, 2, 3])
    #expect(figure.panels[2].title == "bottom left")
    #expect(figure.panel(row: 0, column: 1).series.count == 1)
    #expect(figure.panel.series.isEmpty)
  }

  @Test func seriesWithoutColourFollowTheCycle() {
    var panel = Axes()
    panel.line(y: [1, 2])
    panel.scatter(x: [1], y: [1])
    panel.line(y: [2, 1], color: .black)
    panel.line(y: [3, 1])
    let colours = panel.series.compactMap { item -> Color? in
      switch item {
      case .line(let s): return s.color
      case .scatter(let s): return s.color
      default: return nil
      }
    }
    #expect(colours == [Color.tab10[0], Color.tab10[1], .black, Color.tab10[2]])
  }

  @Test func automaticContourLevelsLieStrictlyInsideTheData() throws {
    var panel = Panel()
    let grid = (0...10).map(Double.init)
    panel.contour(x: grid, y: grid, z: grid.map { y in grid.map { x in x + y } }, levels: 4)
    guard case .contour(let contour) = try #require(panel.series.first) else {
      Issue.record("expected a contour")
      return
    }
    #expect(contour.levels == [4, 8, 12, 16])
  }
}
