import ArgumentParser
import DescentPlot
import DescentTraining
import Foundation

/// `descent paths`: optimizers' routes on a 2-D test function, drawn over its contours.
struct PathsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "paths",
    abstract: "Draw the paths of optimizers on a 2-D test function over its contour lines.")

  @Option(
    help: ArgumentHelp(
      "The function: \(TestSurface.allCases.map(\.rawValue).joined(separator: ", ")).",
      valueName: "name"))
  var function = "rosenbrock"

  @OptionGroup var lineUp: OptimizerListOption

  @Option(
    parsing: .unconditional,
    help: """
      Number of steps, at most \(Self.maximumSteps) (default 500; 30 for the quadratic's lesson; \
      the figure draws at most \(PlotThinning.maximumPoints) evenly spaced points of each path, \
      the table uses them all).
      """)
  var steps: Int?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Start point (default: the function's usual one).", valueName: "x,y"))
  var start: String?

  @Option(help: "Figure file; the format comes from the extension (.png, .svg, .pdf).")
  var output = "paths.png"

  /// The most steps a path may take.
  static let maximumSteps = 100_000

  func validate() throws {
    if let steps, !(0...Self.maximumSteps).contains(steps) {
      throw ValidationError("--steps must be in 0...\(Self.maximumSteps), got \(steps)")
    }
  }

  func run() throws {
    let destination = try OutputPath(output)
    let surface = try Self.surface(function)
    // Told only the function, show its lesson: the optimizers, rates and steps that teach it.
    let lesson = PathLesson.defaults(for: surface)
    let recipes = lineUp.optimizers == nil ? lesson.recipes : try lineUp.recipes()
    let steps = self.steps ?? (lineUp.optimizers == nil ? lesson.steps : 500)
    let from = try start.map(Self.point) ?? surface.defaultStart
    let paths = try Self.paths(on: surface, recipes: recipes, from: from, steps: steps)
    print(Self.table(paths, on: surface))
    let notes = lineUp.optimizers == nil ? lesson.notes : []
    try destination.write(try Self.figure(paths, on: surface, steps: steps, notes: notes))
  }

  /// The surface named `name` (any case).
  static func surface(_ name: String) throws -> TestSurface {
    guard let surface = TestSurface(rawValue: name.lowercased()) else {
      throw CommandError.unknownName(
        kind: "function", name: name, choices: TestSurface.allCases.map(\.rawValue))
    }
    return surface
  }

  /// `"x,y"` as a finite point.
  static func point(_ text: String) throws -> PlanePoint {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    guard parts.count == 2 else {
      throw CommandError.malformedOption(option: "--start", text: text, expected: "x,y")
    }
    return PlanePoint(
      x: try finiteNumber(String(parts[0]), option: "--start"),
      y: try finiteNumber(String(parts[1]), option: "--start"))
  }

  /// Each recipe's path, with the surface's default learning rate where none was given.
  static func paths(
    on surface: TestSurface, recipes: [OptimizerRecipe], from start: PlanePoint, steps: Int
  ) throws -> [OptimizerPath] {
    let runner = PathRunner(surface: surface, steps: steps)
    return try recipes.map {
      try runner.run($0.withDefaultLR(runner.defaultLR(for: $0)), from: start)
    }
  }

  /// Final loss and distance to the nearest minimum of each path.
  static func table(_ paths: [OptimizerPath], on surface: TestSurface) -> String {
    let width = max(9, paths.map(\.recipe.legendText.count).max() ?? 0)
    func pad(_ text: String) -> String {
      text.padding(toLength: width, withPad: " ", startingAt: 0)
    }
    var lines = [pad("optimizer") + "   steps     final loss   distance to minimum"]
    for path in paths {
      let note = path.end.isFinite && path.finalLoss.isFinite ? "" : "  (diverged)"
      lines.append(
        pad(path.recipe.legendText)
          + String(
            format: "  %6d  %13.6g  %20.6g", path.points.count - 1, path.finalLoss,
            surface.distanceToNearestMinimum(path.end)) + note)
    }
    return lines.joined(separator: "\n")
  }

  /// Paths of at most this many steps have a dot at every step.
  static let markedStepLimit = 150

  /// The title: the function, its condition number when it has one, and the steps.
  static func title(_ surface: TestSurface, steps: Int) -> String {
    var title = surface.rawValue
    if surface == .quadratic { title += " (x² + 25y²)/2" }
    if let kappa = surface.conditionNumber {
      title += ", condition number κ = \(formatNumber(kappa))"
    }
    return title + ": \(steps) steps"
  }

  /// `25`, `0.5`: the shortest text of a number.
  static func formatNumber(_ value: Double) -> String {
    var text = String(value)
    if text.hasSuffix(".0") { text.removeLast(2) }
    return text
  }

  /// The contour plot with every path, its end, the start and the minima; `notes` go below it.
  /// Paths of at most ``markedStepLimit`` steps have a dot at every step.
  static func figure(
    _ paths: [OptimizerPath], on surface: TestSurface, steps: Int, notes: [String] = []
  ) throws -> Figure {
    let region = Self.region(surface, including: paths.first?.points.first)
    let columns = 240
    let xs = (0...columns).map {
      region.x.lowerBound + (region.x.upperBound - region.x.lowerBound) * Double($0)
        / Double(columns)
    }
    let ys = (0...columns).map {
      region.y.lowerBound + (region.y.upperBound - region.y.lowerBound) * Double($0)
        / Double(columns)
    }
    let zs = ys.map { y in xs.map { x in surface.value(x, y) } }
    let top = zs.joined().filter(\.isFinite).max() ?? 1
    var panel = Panel(title: Self.title(surface, steps: steps), xLabel: "x", yLabel: "y")
    panel.xLimits = region.x
    panel.yLimits = region.y
    panel.legend = .outsideRight
    panel.showsColorbar = false
    panel.contour(
      x: xs, y: ys, z: zs,
      levels: try logSpacedLevels(min: max(top * 1e-7, 1e-3), max: top, count: 18), opacity: 0.55)
    let marksSteps = paths.allSatisfy { $0.points.count - 1 <= Self.markedStepLimit }
    var ends: [(PlanePoint, Color)] = []
    for (index, path) in paths.enumerated() {
      let colour = Color.tab10[index % Color.tab10.count]
      let finite = Self.drawable(path.points, in: region)
      panel.line(
        x: finite.map(\.x), y: finite.map(\.y), label: path.recipe.legendText, color: colour,
        width: 2)
      if marksSteps {
        panel.scatter(x: finite.map(\.x), y: finite.map(\.y), color: colour, size: 6)
      }
      if let end = finite.last, region.x.contains(end.x), region.y.contains(end.y) {
        ends.append((end, colour))
      }
    }
    // Ends last and large, so that paths drawn later do not hide where earlier ones stopped.
    for (end, colour) in ends {
      panel.marker(x: end.x, y: end.y, shape: .cross, color: colour, size: 20)
    }
    if let start = paths.first?.points.first {
      panel.marker(x: start.x, y: start.y, shape: .circle, label: "start", color: .black, size: 11)
    }
    panel.marker(
      x: surface.minima.map(\.x), y: surface.minima.map(\.y), shape: .star, label: "minimum",
      color: .gold, size: 18)
    var figure = Figure(width: 1000, height: 700 + 18 * notes.count)
    figure[0, 0] = panel
    figure.footnotes =
      notes + [
        (marksSteps ? "Dots mark each step; " : "") + (marksSteps ? "a" : "A")
          + " large × marks where each path ends."
      ]
    return figure
  }

  /// The leading part of `points` that stays finite and within ten region-widths of the region:
  /// a path that runs away is drawn until it leaves the picture for good. A long path is thinned
  /// to at most ``PlotThinning/maximumPoints`` evenly spaced points, its last one included.
  static func drawable(
    _ points: [PlanePoint], in region: (x: ClosedRange<Double>, y: ClosedRange<Double>)
  )
    -> [PlanePoint]
  {
    let reach =
      10 * max(region.x.upperBound - region.x.lowerBound, region.y.upperBound - region.y.lowerBound)
    let near = { (point: PlanePoint) in
      point.isFinite && abs(point.x - region.x.lowerBound) <= reach
        && abs(point.y - region.y.lowerBound) <= reach
    }
    let shown = points.prefix { near($0) }
    return PlotThinning.evenly(shown.count).map { shown[shown.startIndex + $0] }
  }

  /// The surface's usual region, widened to contain `start`.
  static func region(_ surface: TestSurface, including start: PlanePoint?)
    -> (x: ClosedRange<Double>, y: ClosedRange<Double>)
  {
    var (x, y) = surface.region
    if let start, start.isFinite {
      let margin = 0.1 * max(x.upperBound - x.lowerBound, y.upperBound - y.lowerBound)
      x = min(x.lowerBound, start.x - margin)...max(x.upperBound, start.x + margin)
      y = min(y.lowerBound, start.y - margin)...max(y.upperBound, start.y + margin)
    }
    return (x, y)
  }
}
