import DescentOptim
import DescentTraining

/// A request for optimizers' paths on a test function (`/api/paths`), read from the query:
/// `function`, `optimizers` (comma-separated), `lr_NAME` for each optimizer, `momentum` (for
/// Momentum and Nesterov), `beta1` and `beta2` (for Adam), `steps`, and the start `x`, `y`.
/// Every value is checked; an absent one takes the value that shows the function's lesson.
public struct PathsRequest: Equatable, Sendable {
  /// The optimizers the explorer offers, by query name: the seed's line-up.
  public static let optimizerNames = [
    "sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam",
  ]
  /// The most steps a request may ask for.
  public static let maximumSteps = 2000
  /// The learning rates accepted.
  public static let learningRates: ClosedRange<Double> = 1e-6...10
  /// A path is cut where a coordinate leaves `±divergenceBound` (it has diverged).
  public static let divergenceBound = 1e6

  /// The function walked on.
  public var surface: TestSurface
  /// The optimizers, by query name, in the order given.
  public var optimizers: [String]
  /// The learning rate of each optimizer, by query name.
  public var learningRates: [String: Double]
  /// The momentum of Momentum and Nesterov.
  public var momentum: Double
  /// Adam's `beta1` (the average of gradients).
  public var beta1: Double
  /// Adam's `beta2` (the average of squared gradients).
  public var beta2: Double
  /// Number of steps.
  public var steps: Int
  /// Where every path starts.
  public var start: PlanePoint

  /// Every parameter name the endpoint reads.
  public static var parameterNames: [String] {
    ["function", "optimizers", "momentum", "beta1", "beta2", "steps", "x", "y"]
      + optimizerNames.map { "lr_\($0)" }
  }

  /// The request in `query`.
  ///
  /// - Throws: ``ExplorerError`` for an unknown parameter, function or optimizer, a value that
  ///   is not a finite number in its range, or more than ``maximumSteps`` steps.
  public init(query: String?) throws(ExplorerError) {
    let parameters = try QueryParameters(query, known: Self.parameterNames)
    surface = try Self.surface(parameters.text("function"))
    optimizers = try Self.optimizers(parameters.text("optimizers"))
    let lesson = PathLesson.defaults(for: surface)
    let quadratic = surface == .quadratic
    var rates: [String: Double] = [:]
    for name in optimizers {
      rates[name] = try parameters.number(
        "lr_\(name)", in: Self.learningRates, default: Self.defaultLR(name, on: surface))
    }
    learningRates = rates
    momentum = try parameters.fraction(
      "momentum", default: quadratic ? PathLesson.quadraticMomentum : 0.9)
    beta1 = try parameters.fraction("beta1", default: 0.9)
    beta2 = try parameters.fraction("beta2", default: 0.999)
    steps = try parameters.integer("steps", in: 1...Self.maximumSteps, default: lesson.steps)
    let region = surface.region
    start = PlanePoint(
      x: try parameters.number("x", in: region.x, default: surface.defaultStart.x),
      y: try parameters.number("y", in: region.y, default: surface.defaultStart.y))
  }

  /// The test function named `name` (rosenbrock when none is).
  static func surface(_ name: String?) throws(ExplorerError) -> TestSurface {
    guard let name else { return .rosenbrock }
    guard let surface = TestSurface(rawValue: name.lowercased()) else {
      throw ExplorerError(
        "unknown function '\(QueryParameters.shortened(name))'; choose from "
          + TestSurface.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return surface
  }

  /// The optimizers in a comma-separated list (the whole line-up when none is given).
  static func optimizers(_ list: String?) throws(ExplorerError) -> [String] {
    guard let list else { return optimizerNames }
    var chosen: [String] = []
    for entry in list.split(separator: ",", omittingEmptySubsequences: false) {
      let name = entry.trimmingCharacters(in: .whitespaces).lowercased()
      guard optimizerNames.contains(name) else {
        throw ExplorerError(
          "unknown optimizer '\(QueryParameters.shortened(name))'; choose from "
            + optimizerNames.joined(separator: ", "))
      }
      guard !chosen.contains(name) else {
        throw ExplorerError("optimizer '\(name)' is listed twice")
      }
      chosen.append(name)
    }
    return chosen
  }

  /// The learning rate that shows `surface`'s lesson: the quadratic's shared rate for the SGD
  /// family there, else ``PathRunner/defaultLR(for:)`` (0.01 for a name not in
  /// ``optimizerNames``).
  public static func defaultLR(_ name: String, on surface: TestSurface) -> Double {
    if surface == .quadratic && ["sgd", "momentum", "nesterov"].contains(name) {
      return PathLesson.quadraticLR
    }
    guard let recipe = try? OptimizerRecipe.named(name) else { return 0.01 }
    return PathRunner(surface: surface, steps: 0).defaultLR(for: recipe)
  }

  /// The recipe of optimizer `name` (one of ``optimizerNames``) with this request's settings.
  func recipe(_ name: String) -> OptimizerRecipe {
    var recipe = (try? OptimizerRecipe.named(name)) ?? OptimizerRecipe(label: name, className: name)
    recipe.lr = learningRates[name]
    switch name {
    case "momentum", "nesterov": recipe.options["momentum"] = .number(momentum)
    case "adam": recipe.options["betas"] = .pair(beta1, beta2)
    default: break
    }
    return recipe
  }

  /// A few words giving `name`'s settings, e.g. `lr 0.1, betas (0.9, 0.999)`.
  func settingsText(_ name: String) -> String {
    let lr = "lr \(learningRates[name].map(Self.format) ?? "?")"
    switch name {
    case "momentum", "nesterov": return "\(lr), momentum \(Self.format(momentum))"
    case "adam": return "\(lr), betas (\(Self.format(beta1)), \(Self.format(beta2)))"
    default: return lr
    }
  }

  /// `0.05`, `1`, `1e-05`: Swift's shortest round-trip text without a trailing `.0`.
  static func format(_ value: Double) -> String {
    var text = String(value)
    if text.hasSuffix(".0") { text.removeLast(2) }
    return text
  }

  /// Every optimizer's path, computed by Descent's optimizers through ``PathRunner``.
  ///
  /// - Throws: ``ExplorerError`` when an optimizer refuses its settings (Nesterov with zero
  ///   momentum, say).
  public func response() throws(ExplorerError) -> PathsResponse {
    let runner = PathRunner(surface: surface, steps: steps)
    var paths: [PathsResponse.Path] = []
    for name in optimizers {
      let path: OptimizerPath
      do {
        path = try runner.run(recipe(name), from: start)
      } catch {
        throw ExplorerError("\(recipe(name).label): \(error)")
      }
      paths.append(Self.summary(of: path, name: name, settings: settingsText(name), on: surface))
    }
    let region = surface.region
    return PathsResponse(
      function: surface.rawValue, formula: ExplorerText.formula(surface), steps: steps,
      start: [start.x, start.y], minima: surface.minima.map { [$0.x, $0.y] },
      region: PathsResponse.Region(
        x: [region.x.lowerBound, region.x.upperBound],
        y: [region.y.lowerBound, region.y.upperBound]),
      conditionNumber: surface.conditionNumber,
      settings: PathsResponse.Settings(
        momentum: momentum, beta1: beta1, beta2: beta2, steps: steps,
        learningRates: learningRates),
      defaults: Self.defaults(on: surface), paths: paths)
  }

  /// The settings of a request that gives only `function`: those that show its lesson.
  public static func defaults(on surface: TestSurface) -> PathsResponse.Settings {
    PathsResponse.Settings(
      momentum: surface == .quadratic ? PathLesson.quadraticMomentum : 0.9, beta1: 0.9,
      beta2: 0.999, steps: PathLesson.defaults(for: surface).steps,
      learningRates: Dictionary(
        uniqueKeysWithValues: optimizerNames.map { ($0, defaultLR($0, on: surface)) }))
  }

  /// `path` as sent: cut before its first point outside ±``divergenceBound`` or of non-finite
  /// value (JSON has no infinities), flagged as diverged when cut.
  static func summary(
    of path: OptimizerPath, name: String, settings: String, on surface: TestSurface
  ) -> PathsResponse.Path {
    var kept = path.points.count
    for (index, point) in path.points.enumerated() {
      let inside = abs(point.x) <= divergenceBound && abs(point.y) <= divergenceBound
      if !(inside && path.losses[index].isFinite) {
        kept = index
        break
      }
    }
    let points = path.points.prefix(max(1, kept))
    let end = points.last!
    return PathsResponse.Path(
      name: name, label: path.recipe.label, settings: settings, lr: path.recipe.lr ?? 0,
      points: points.map { [$0.x, $0.y] }, losses: Array(path.losses.prefix(points.count)),
      diverged: kept < path.points.count,
      distanceToMinimum: surface.distanceToNearestMinimum(end))
  }
}

/// What `/api/paths` sends back.
public struct PathsResponse: Codable, Equatable, Sendable {
  /// The drawn region: `[low, high]` in x and in y.
  public struct Region: Codable, Equatable, Sendable {
    /// `[low, high]` in x.
    public var x: [Double]
    /// `[low, high]` in y.
    public var y: [Double]
  }

  /// The hyperparameters a request used, or would use by default.
  public struct Settings: Codable, Equatable, Sendable {
    /// The momentum of Momentum and Nesterov.
    public var momentum: Double
    /// Adam's `beta1`.
    public var beta1: Double
    /// Adam's `beta2`.
    public var beta2: Double
    /// Number of steps.
    public var steps: Int
    /// Learning rates by optimizer name.
    public var learningRates: [String: Double]
  }

  /// One optimizer's path.
  public struct Path: Codable, Equatable, Sendable {
    /// The query name, e.g. `adam`.
    public var name: String
    /// The display name, e.g. `Adam`.
    public var label: String
    /// Its settings in words, e.g. `lr 0.1, betas (0.9, 0.999)`.
    public var settings: String
    /// Its learning rate.
    public var lr: Double
    /// The start, then the point after each step, as `[x, y]`.
    public var points: [[Double]]
    /// The function's value at each point.
    public var losses: [Double]
    /// Whether the path left the finite numbers (or ±1e6) and was cut there.
    public var diverged: Bool
    /// The distance from the last point to the nearest minimum.
    public var distanceToMinimum: Double
  }

  /// The function's name, e.g. `rosenbrock`.
  public var function: String
  /// The function in plain text.
  public var formula: String
  /// Number of steps asked for.
  public var steps: Int
  /// The start, `[x, y]`.
  public var start: [Double]
  /// The global minima, each `[x, y]`.
  public var minima: [[Double]]
  /// The drawn region.
  public var region: Region
  /// The condition number, for the quadratic.
  public var conditionNumber: Double?
  /// The settings used.
  public var settings: Settings
  /// The settings that show this function's lesson, for every optimizer offered.
  public var defaults: Settings
  /// One path per optimizer, in the order asked.
  public var paths: [Path]
}
