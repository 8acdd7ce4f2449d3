import DescentPlot
import Foundation
import Testing

@Suite struct ContourTests {
  @Test func logSpacedLevelsAreGeometric() throws {
    let levels = try logSpacedLevels(min: 0.01, max: 100, count: 5)
    let expected = [0.01, 0.1, 1, 10, 100]
    #expect(levels.count == 5)
    for (level, want) in zip(levels, expected) { #expect(abs(level / want - 1) < 1e-12) }
    #expect(levels.first == 0.01 && levels.last == 100)
  }

  @Test func invalidLevelBoundsThrow() throws {
    #expect(throws: PlotError.self) { try logSpacedLevels(min: 0, max: 1, count: 5) }
    #expect(throws: PlotError.self) { try logSpacedLevels(min: -1, max: 1, count: 5) }
    #expect(throws: PlotError.self) { try logSpacedLevels(min: 2, max: 1, count: 5) }
    #expect(throws: PlotError.self) { try logSpacedLevels(min: 1, max: .infinity, count: 5) }
    #expect(throws: PlotError.self) { try logSpacedLevels(min: 1, max: 10, count: 1) }
    #expect(throws: PlotError.self) { try linearLevels(min: 1, max: 1, count: 3) }
    #expect(try linearLevels(min: 0, max: 1, count: 3) == [0, 0.5, 1])
  }

  @Test func planeContoursLieOnTheirLevel() {
    // z = x + 2y is linear, so interpolated crossings are exact: every end point has x + 2y = level.
    let xs = (0...10).map { Double($0) / 10 }
    let ys = (0...8).map { Double($0) / 8 }
    let zs = ys.map { y in xs.map { x in x + 2 * y } }
    for level in [0.3, 1.0, 1.77, 2.5] {
      let segments = MarchingSquares.segments(x: xs, y: ys, z: zs, level: level)
      #expect(!segments.isEmpty)
      for segment in segments {
        #expect(abs(segment.start.x + 2 * segment.start.y - level) < 1e-12)
        #expect(abs(segment.end.x + 2 * segment.end.y - level) < 1e-12)
      }
    }
    #expect(MarchingSquares.segments(x: xs, y: ys, z: zs, level: 5).isEmpty)
  }

  @Test func circleContourHasTheRightRadius() {
    // Marching squares on a fine grid traces x² + y² = 1 within the grid spacing.
    let grid = (0...80).map { -1.5 + 3 * Double($0) / 80 }
    let zs = grid.map { y in grid.map { x in x * x + y * y } }
    let segments = MarchingSquares.segments(x: grid, y: grid, z: zs, level: 1)
    #expect(segments.count > 50)
    for segment in segments {
      #expect(abs(hypot(segment.start.x, segment.start.y) - 1) < 0.01)
    }
  }

  @Test func cellsWithNonFiniteCornersAreSkipped() {
    let xs = [0.0, 1, 2]
    let ys = [0.0, 1]
    let zs = [[0.0, .nan, 0], [1.0, 1, 1]]
    #expect(MarchingSquares.segments(x: xs, y: ys, z: zs, level: 0.5).isEmpty)
    let finite = [[0.0, 0, 0], [1.0, 1, 1]]
    #expect(MarchingSquares.segments(x: xs, y: ys, z: finite, level: 0.5).count == 2)
  }
}
