import DescentData
import DescentPlot
import DescentTraining
import Foundation
import Testing

@testable import descent

@Suite("Figures of the picture commands")
struct CommandFigureTests {
  /// The seed's EWMA figure: two panels, the data and the data with its average.
  @Test func ewmaFigure() throws {
    let data = EWMACommand.samples(50, seed: 0)
    let curves = try EWMACommand.curves(
      of: data, betas: [0.9, 0.98], conventions: [.firstValue, .biasCorrected])
    #expect(curves.map(\.label).count == 4)
    let figure = EWMACommand.figure(data: data, curves: curves)
    #expect(
      figure.panels.map(\.title) == [
        "daily temperature and its moving averages", "the first 50 days: a zero start lags",
      ])
    #expect(legendLabels(figure.panels[1]).first == "temperature")
    try expectValidFiles(figure, named: "ewma", in: figureFolder("ewma"))
  }

  /// The default EWMA curve is the seed's recurrence: v0 = x0, v = 0.9 v + 0.1 x.
  @Test func ewmaCurveIsTheRecurrence() throws {
    let data = EWMACommand.samples(20, seed: 4)
    let curve = try EWMACommand.curves(of: data, betas: [0.9], conventions: [.firstValue])
    #expect(curve.map(\.label) == ["first-value start, β 0.9"])
    var v = data[0]
    for (x, value) in zip(data, curve[0].values).dropFirst() {
      v = 0.9 * v + 0.1 * x
      #expect(abs(value - v) <= 1e-12 * max(1, abs(v)))
    }
    let summary = EWMACommand.summary(data)
    #expect(summary.hasPrefix("starts ") && summary.contains(" ends "))
  }

  /// The samples are scaled normals: mean near 0 and standard deviation near 10.
  @Test func samplesAreScaledNormals() {
    let data = EWMACommand.samples(20000, seed: 1)
    let mean = data.reduce(0, +) / Double(data.count)
    let sd = (data.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(data.count))
      .squareRoot()
    #expect(abs(mean) < 0.3)
    #expect(abs(sd - 10) < 0.3)
  }

  /// Paths on every surface render, with one legend entry per optimizer plus start and minimum.
  @Test(arguments: TestSurface.allCases)
  func pathsFigure(_ surface: TestSurface) throws {
    let recipes = try OptimizerRecipe.list("sgd,momentum,adam=0.05")
    let paths = try PathsCommand.paths(
      on: surface, recipes: recipes, from: surface.defaultStart, steps: 200)
    let figure = try PathsCommand.figure(paths, on: surface, steps: 200)
    let labels = legendLabels(figure.panel)
    #expect(labels.contains("Adam (lr 0.05)"))
    #expect(labels.contains("start") && labels.contains("minimum"))
    let table = PathsCommand.table(paths, on: surface)
    #expect(table.split(separator: "\n").count == 4)
    try expectValidFiles(figure, named: surface.rawValue, in: figureFolder("paths"))
  }

  /// A diverging path (huge but finite values, then infinities) still renders; the table says so.
  @Test func divergingPathRenders() throws {
    let recipes = try OptimizerRecipe.list("sgd=0.2,sgd=1,adam")
    let paths = try PathsCommand.paths(
      on: .quadratic, recipes: recipes, from: TestSurface.quadratic.defaultStart, steps: 500)
    #expect(PathsCommand.table(paths, on: .quadratic).contains("(diverged)"))
    let figure = try PathsCommand.figure(paths, on: .quadratic, steps: 500)
    try expectValidFiles(figure, named: "diverging", in: figureFolder("paths"))
  }

  /// A start outside the usual region widens the plot to include it.
  @Test func startOutsideTheRegion() throws {
    let start = try PathsCommand.point("-6,4")
    let region = PathsCommand.region(.rosenbrock, including: start)
    #expect(region.x.contains(-6) && region.y.contains(4))
  }

  /// The comparison figure: log-scale loss and accuracy, one curve per optimizer in each.
  @Test func compareFigure() throws {
    let digits: Dataset<Float> = try Digits.load()
    let (train, test) = digits.subset(Array(0..<300)).split(testFraction: 0.2, seed: 0)
    let comparison = try OptimizerComparison(
      train: train, test: test, epochs: 3, batchSize: 32, seed: 0)
    let runs = try OptimizerRecipe.list("sgd=0.2,adam=0.003").map { try comparison.run($0) }
    let figure = CompareCommand.figure(runs, batchSize: 32)
    #expect(figure.panels[0].yScale == .log)
    #expect(figure.panels.map { $0.series.count } == [2, 2])
    let table = CompareCommand.table(runs)
    #expect(table.contains("SGD (lr 0.2)") && table.contains("%"))
    try expectValidFiles(figure, named: "compare", in: figureFolder("compare"))
  }

  /// Progress fractions run from just above 0 to exactly 1 over the whole comparison.
  @Test func progressFraction() {
    func state(_ optimizer: Int, _ epoch: Int, _ batch: Int) -> ComparisonProgress {
      ComparisonProgress(
        optimizer: "x", optimizerIndex: optimizer, optimizerCount: 2, epoch: epoch, epochs: 3,
        batch: batch, batchCount: 4, loss: 1, samplesPerSecond: 1)
    }
    #expect(CompareCommand.fraction(state(1, 1, 1)) == 1.0 / 24)
    #expect(CompareCommand.fraction(state(1, 3, 4)) == 0.5)
    #expect(CompareCommand.fraction(state(2, 3, 4)) == 1)
    #expect(CompareCommand.status(state(2, 3, 4)).hasPrefix("[2/2] x  epoch 3/3"))
  }

  /// A schedule figure: one panel for the rate, a second for a cycled momentum.
  @Test func scheduleFigures() throws {
    let step = try ScheduleTrace("StepLR", epochs: 60, lr: 0.1, options: [:])
    #expect(ScheduleCommand.figure(step).panels.count == 1)
    try expectValidFiles(ScheduleCommand.figure(step), named: "step", in: figureFolder("schedule"))
    let cycle = try ScheduleTrace("OneCycleLR", epochs: 60, lr: 0.1, options: [:])
    #expect(ScheduleCommand.figure(cycle).panels.count == 2)
    try expectValidFiles(
      ScheduleCommand.figure(cycle), named: "onecycle", in: figureFolder("schedule"))
  }

  /// `key=value` options become JSON values: numbers, lists, objects, words.
  @Test func scheduleOptionsParse() throws {
    let options = try ScheduleCommand.parse([
      "step_size=10", "milestones=[30,60]", "gamma = 0.5", "mode=triangular2",
      "three_phase=true", "max_lr=0.1,0.2",
    ])
    #expect(options["step_size"] == .number(10))
    #expect(options["milestones"] == .array([.number(30), .number(60)]))
    #expect(options["gamma"] == .number(0.5))
    #expect(options["mode"] == .string("triangular2"))
    #expect(options["three_phase"] == .bool(true))
    #expect(options["max_lr"] == .array([.number(0.1), .number(0.2)]))
    #expect(ScheduleCommand.sampleEpochs(25).last == 25)
  }
}
