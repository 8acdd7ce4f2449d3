import DescentPlot
import Foundation
import Testing

/// A small figure with one line, enough to render.
func smallFigure() -> Figure {
  var figure = Figure(width: 200, height: 150)
  figure.panel.line(x: [0, 1, 2], y: [1, 3, 2])
  return figure
}

@Suite struct WriteErrorTests {
  @Test func unknownExtensionThrowsAndWritesNothing() throws {
    let url = try outputFolder("errors").appendingPathComponent("chart.jpeg")
    #expect(throws: PlotError.unsupportedFormat(extension: "jpeg", path: url.path)) {
      try smallFigure().write(to: url)
    }
    #expect(!FileManager.default.fileExists(atPath: url.path))
    let noExtension = url.deletingPathExtension()
    #expect(throws: PlotError.self) { try smallFigure().write(to: noExtension) }
  }

  @Test func extensionIsCaseInsensitive() throws {
    let url = try outputFolder("errors").appendingPathComponent("upper.PNG")
    try smallFigure().write(to: url)
    #expect(pngSize(try Data(contentsOf: url)) != nil)
  }

  @Test func missingFolderThrows() throws {
    let folder = try outputFolder("errors").appendingPathComponent("does-not-exist")
    #expect(throws: PlotError.directoryNotFound(path: folder.path)) {
      try smallFigure().write(to: folder.appendingPathComponent("chart.png"))
    }
    #expect(!FileManager.default.fileExists(atPath: folder.path))
  }

  @Test func fileInsteadOfFolderThrows() throws {
    let file = try outputFolder("errors").appendingPathComponent("plain-file")
    try Data("x".utf8).write(to: file)
    #expect(throws: PlotError.notADirectory(path: file.path)) {
      try smallFigure().write(to: file.appendingPathComponent("chart.svg"))
    }
  }

  @Test func unwritableLocationThrowsWithoutLeavingAFile() throws {
    // /proc refuses new files even for root: either the writability check or the write fails.
    let url = URL(fileURLWithPath: "/proc/descent-plot-test.pdf")
    #expect(throws: PlotError.self) { try smallFigure().write(to: url) }
    #expect(!FileManager.default.fileExists(atPath: url.path))
  }

  @Test(.enabled(if: getuid() != 0, "root may write anywhere"))
  func readOnlyFolderThrowsNotWritable() throws {
    let folder = try outputFolder("read-only")
    try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.path)
    defer {
      try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
    }
    #expect(throws: PlotError.directoryNotWritable(path: folder.path)) {
      try smallFigure().write(to: folder.appendingPathComponent("chart.png"))
    }
  }

  @Test func folderInTheWayOfTheFileIsRefused() throws {
    let target = try outputFolder("errors").appendingPathComponent("taken.png")
    try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
    #expect(throws: PlotError.notARegularFile(path: target.path, kind: "a folder")) {
      try smallFigure().write(to: target)
    }
    var isFolder: ObjCBool = false
    #expect(
      FileManager.default.fileExists(atPath: target.path, isDirectory: &isFolder)
        && isFolder.boolValue)
  }

  @Test func invalidSizesThrow() {
    for (width, height) in [(0, 100), (100, -5), (40_000, 10), (30_000, 30_000)] {
      var figure = smallFigure()
      figure.width = width
      figure.height = height
      #expect(throws: PlotError.invalidSize(width: width, height: height)) {
        try figure.render(as: .png)
      }
    }
  }

  @Test func inconsistentSeriesThrowBeforeDrawing() {
    var figure = Figure(rows: 1, columns: 2)
    figure[0, 1].line(x: [1, 2, 3], y: [1, 2])
    #expect(throws: PlotError.mismatchedLengths(panel: 1, series: 0, x: 3, y: 2)) {
      try figure.render(as: .svg)
    }

    var contour = Figure()
    contour.panel.contour(x: [0, 1, 2], y: [0, 1], z: [[0, 1, 2], [0, 1]], levels: [0.5])
    #expect(throws: PlotError.self) { try contour.render(as: .png) }
  }

  @Test func invalidStylesThrow() {
    var figure = Figure()
    figure.panel.line(x: [0, 1], y: [0, 1], width: .nan)
    #expect(
      throws: PlotError.invalidStyle(
        panel: 0, series: 0, reason: "line width nan must be finite and >= 0")
    ) {
      try figure.render(as: .png)
    }
    var markers = Figure()
    markers.panel.marker(x: 0, y: 0, size: -3)
    #expect(throws: PlotError.self) { try markers.render(as: .pdf) }
    var contour = Figure()
    contour.panel.contour(x: [0, 1], y: [0, 1], z: [[0, 1], [1, 2]], levels: [0.5], opacity: 2)
    #expect(throws: PlotError.self) { try contour.render(as: .svg) }
  }

  @Test func tinyAndCrowdedFiguresStillRender() throws {
    for (width, height) in [(1, 1), (12, 9), (80, 60)] {
      var figure = Figure(width: width, height: height, rows: 2, columns: 3)
      figure.title = "A title far too long for the canvas"
      figure[1, 2].title = "Panel"
      figure[1, 2].xLabel = "x"
      figure[1, 2].yLabel = "y"
      figure[1, 2].line(y: [3, 1, 2], label: "legend entry")
      let size = pngSize(try figure.render(as: .png))
      #expect(size?.width == width && size?.height == height)
      #expect(isCompletePDF(try figure.render(as: .pdf)))
    }
  }

  @Test func badLimitsThrow() {
    var figure = smallFigure()
    figure.panel.yScale = .log
    figure.panel.yLimits = 0...10
    #expect(throws: PlotError.self) { try figure.render(as: .png) }
    figure.panel.yLimits = 1...1
    #expect(throws: PlotError.self) { try figure.render(as: .png) }
    figure.panel.yLimits = 1...(.infinity)
    #expect(throws: PlotError.self) { try figure.render(as: .png) }
  }

  @Test func errorsDescribeWhatAndWhere() {
    let error = PlotError.mismatchedLengths(panel: 1, series: 2, x: 3, y: 4)
    #expect(error.description.contains("panel 1") && error.description.contains("3 values"))
    #expect(PlotError.directoryNotFound(path: "/nope").description.contains("/nope"))
  }
}
