import DescentData
import DescentOptim
import DescentPlot
import DescentTraining
import Foundation
import Testing

@testable import descent

/// The picture commands teach their lesson by default (issue 18).
@Suite("Figures that teach")
struct TeachingFigureTests {
  /// The EWMA data sits far from zero; the zero start lags there, the corrected and first-value
  /// starts do not, and all three agree after a few time constants.
  @Test func ewmaShowsTheBiasOfAZeroStart() throws {
    let data = EWMACommand.temperatures(100, seed: 0)
    let mean = data.reduce(0, +) / Double(data.count)
    #expect(mean > 12 && mean < 25)
    #expect(data.allSatisfy { $0 > 0 })
    let curves = try EWMACommand.curves(of: data, betas: [0.9])
    #expect(curves.map(\.convention) == [.firstValue, .zeroStart, .biasCorrected])
    #expect(curves.allSatisfy { $0.label.contains("β 0.9") })
    let (first, zero, corrected) = (curves[0].values, curves[1].values, curves[2].values)
    #expect(first[0] == data[0])
    #expect(abs(corrected[0] - data[0]) <= 1e-12 * abs(data[0]))
    #expect(abs(zero[0] - 0.1 * data[0]) <= 1e-12 * abs(data[0]))
    #expect(zero[0] < 0.2 * mean && corrected[0] > 0.5 * mean)
    // After 50 days 0.9^50 < 0.006 of the start remains: the three agree.
    for day in 50..<100 {
      #expect(abs(zero[day] - corrected[day]) < 0.2)
      #expect(abs(first[day] - corrected[day]) < 0.2)
    }
    let figure = EWMACommand.figure(data: data, curves: curves)
    #expect(legendLabels(figure.panels[1]).contains("zero start, β 0.9"))
    #expect(!figure.footnotes.isEmpty)
    try expectValidFiles(figure, named: "temperatures", in: figureFolder("ewma"))
  }

  /// `--convention` picks starts by name and refuses unknown ones.
  @Test func ewmaConventionsByName() throws {
    #expect(try EWMACommand.conventions([]) == EWMAConvention.allCases)
    #expect(
      try EWMACommand.conventions(["zero", "Zero", "first-value"]) == [.zeroStart, .firstValue])
    #expect(throws: CommandError.self) { try EWMACommand.conventions(["adam"]) }
    #expect(throws: (any Error).self) { try EWMACommand.parse(["--convention", "nope"]) }
  }

  /// On the quadratic, told nothing else, SGD and Momentum take the same learning rate; SGD
  /// zig-zags (a longer path, y changing sign every step) and ends farther from the minimum.
  @Test func quadraticDefaultsShowTheLesson() throws {
    let lesson = PathLesson.defaults(for: .quadratic)
    #expect(lesson.recipes.count == 2)
    #expect(Set(lesson.recipes.map(\.lr)).count == 1)
    let paths = try PathsCommand.paths(
      on: .quadratic, recipes: lesson.recipes, from: TestSurface.quadratic.defaultStart,
      steps: lesson.steps)
    func length(_ path: OptimizerPath) -> Double {
      zip(path.points, path.points.dropFirst()).map { $0.distance(to: $1) }.reduce(0, +)
    }
    func signChanges(_ path: OptimizerPath) -> Int {
      zip(path.points, path.points.dropFirst()).filter { $0.y * $1.y < 0 }.count
    }
    let (sgd, momentum) = (paths[0], paths[1])
    #expect(length(sgd) > 2 * length(momentum))
    #expect(signChanges(sgd) == lesson.steps)
    #expect(
      TestSurface.quadratic.distanceToNearestMinimum(sgd.end)
        > 10 * TestSurface.quadratic.distanceToNearestMinimum(momentum.end))
    let figure = try PathsCommand.figure(
      paths, on: .quadratic, steps: lesson.steps, notes: lesson.notes)
    #expect(figure.panel.title?.contains("condition number κ = 25") == true)
    // Dots at every step of both paths.
    let dots = figure.panel.series.compactMap { series -> Int? in
      if case .scatter(let scatter) = series { return scatter.x.count }
      return nil
    }
    #expect(dots == [lesson.steps + 1, lesson.steps + 1])
    #expect(figure.footnotes.count == lesson.notes.count + 1)
    try expectValidFiles(figure, named: "lesson", in: figureFolder("paths"))
  }

  /// Elsewhere the seed's seven optimizers run 500 steps, with large end markers and no dots.
  @Test func rosenbrockDefaults() throws {
    let lesson = PathLesson.defaults(for: .rosenbrock)
    #expect(lesson.recipes.map(\.label) == OptimizerRecipe.seedLineUp.map(\.label))
    #expect(lesson.steps == 500 && lesson.notes.isEmpty)
    let paths = try PathsCommand.paths(
      on: .rosenbrock, recipes: lesson.recipes, from: TestSurface.rosenbrock.defaultStart,
      steps: lesson.steps)
    let figure = try PathsCommand.figure(paths, on: .rosenbrock, steps: lesson.steps)
    let ends = figure.panel.series.compactMap { series -> Double? in
      if case .markers(let markers) = series, markers.shape == .cross { return markers.size }
      return nil
    }
    #expect(!ends.isEmpty && ends.allSatisfy { $0 >= 18 })
    #expect(!figure.panel.series.contains { if case .scatter = $0 { true } else { false } })
  }

  /// OneCycleLR's header and footnotes describe the curve: its own start at max_lr / 25, the
  /// peak, the end at the minimum in the last epoch (100 epochs, total_steps = 100).
  @Test func oneCycleIsDescribedAsDrawn() throws {
    let trace = try ScheduleTrace(
      "OneCycleLR", epochs: 100, lr: 0.1, options: ["max_lr": .number(0.1)])
    #expect(trace.options["total_steps"] == .number(100))
    let rates = trace.ratesByEpoch
    #expect(rates.count == 100)
    #expect(abs(rates[0] - 0.004) < 1e-12)
    #expect(abs(rates.max()! - 0.1) < 1e-12)
    #expect(abs(rates[99] - 0.004 / 1e4) < 1e-12)
    let words = trace.curveDescription(optimizerLR: 0.1).joined(separator: ", ")
    #expect(words.contains("starts at 0.004 in epoch 1"))
    #expect(words.contains("sets its own start"))
    #expect(words.contains("rises to 0.1 in epoch 30"))
    #expect(words.contains("falls to 4e-07 in epoch 100"))
    let figure = ScheduleCommand.figure(trace, optimizerLR: 0.1)
    #expect(figure.footnotes.joined().contains("sets its own start"))
    let step = try ScheduleTrace("StepLR", epochs: 40, lr: 0.1, options: [:])
    #expect(
      step.curveDescription(optimizerLR: 0.1)
        == ["starts at 0.1 in epoch 1", "falls to 0.0001 in epoch 40"])
    let constant = try ScheduleTrace(
      "ConstantLR", epochs: 10, lr: 0.1, options: ["factor": .number(1)])
    #expect(constant.curveDescription(optimizerLR: 0.1) == ["constant at 0.1 for 10 epochs"])
  }

  /// `descent show` prints the update rule of every optimizer in the catalog.
  @Test func showPrintsTheUpdateRule() throws {
    for name in OptimizerCatalog.names {
      let rule = try #require(UpdateRules.rule(for: name), "\(name) has no update rule")
      #expect(rule.contains("←"), "\(name)")
    }
    #expect(UpdateRules.rule(for: "adamw") == UpdateRules.rule(for: "AdamW"))
    #expect(UpdateRules.rule(for: "NoSuchOptimizer") == nil)
    for name in OptimizerCatalog.names {
      let text = try ShowCommand.text(name)
      #expect(text.contains("Update rule (\(name)):"))
      #expect(text.contains(UpdateRules.rule(for: name)!))
    }
    let sgd = try ShowCommand.text("sgd", hyperparameters: ["--momentum", "0.9"])
    #expect(sgd.contains("momentum: 0.9") && sgd.contains("b_t ← μ b_{t-1} + (1 - τ) g_t"))
  }

  /// The comparison's figure says where its learning rates come from.
  @Test func compareSaysWhyEachLearningRate() throws {
    let digits: Dataset<Float> = try Digits.load()
    let (train, test) = digits.subset(Array(0..<200)).split(testFraction: 0.2, seed: 0)
    let comparison = try OptimizerComparison(
      train: train, test: test, epochs: 1, batchSize: 32, seed: 0)
    let recipes = [
      OptimizerRecipe.seedLineUp[0].withDefaultLR(
        OptimizerComparison.defaultLR(for: OptimizerRecipe.seedLineUp[0])),
      try OptimizerRecipe.named("adam").withDefaultLR(0.01),
    ]
    let runs = try recipes.map { try comparison.run($0) }
    let notes = CompareCommand.learningRateNotes(runs, chosenLR: ["Adam"])
    #expect(notes.first?.hasPrefix("Learning rates of SGD: Descent's defaults") == true)
    #expect(notes.joined().contains("not tuned"))
    #expect(notes.last == "Given on the command line (--optimizers name=lr): Adam (lr 0.01).")
    let figure = CompareCommand.figure(runs, batchSize: 32, chosenLR: ["Adam"])
    #expect(figure.footnotes == notes)
    var parsed = try CompareCommand.parse(["--optimizers", "sgd,adam=0.01"])
    #expect(CompareCommand.chosenLabels(parsed.lineUp) == ["Adam"])
    parsed = try CompareCommand.parse([])
    #expect(CompareCommand.chosenLabels(parsed.lineUp).isEmpty)
  }
}
