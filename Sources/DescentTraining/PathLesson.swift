import DescentOptim

/// What `descent paths` runs when it is told only the function: the optimizers, their learning
/// rates and the number of steps that show that function's lesson, and a sentence saying why.
public struct PathLesson: Sendable {
  /// The optimizers, each with its learning rate.
  public var recipes: [OptimizerRecipe]
  /// Number of steps.
  public var steps: Int
  /// Why these settings, for the figure's footnote; empty when there is nothing to add.
  public var notes: [String]

  /// A lesson from its parts.
  public init(recipes: [OptimizerRecipe], steps: Int, notes: [String] = []) {
    self.recipes = recipes
    self.steps = steps
    self.notes = notes
  }

  /// The learning rate both optimizers take on the quadratic: 0.075, just under SGD's best fixed
  /// rate `2 / (1 + κ)` = 0.077 for condition number κ = 25. At it SGD zig-zags across the steep
  /// direction (each step multiplies y by 1 - 25 × 0.075 = -0.875) while creeping along the
  /// shallow one (x by 0.925).
  public static let quadraticLR = 0.075

  /// The momentum of the quadratic's Momentum: 0.5, near the best heavy-ball momentum
  /// `((√κ - 1) / (√κ + 1))²` = 0.44 for κ = 25. (The usual 0.9 is made for much worse
  /// conditioning: here it overshoots the minimum by half the way it came.)
  public static let quadraticMomentum = 0.5

  /// The settings for `surface`: on the quadratic, SGD beside Momentum at the same learning rate
  /// for 30 steps (SGD zig-zags, Momentum's averaged gradient cancels the zig-zag and adds up
  /// along the valley); elsewhere the seed's seven optimizers at ``PathRunner/defaultLR(for:)``
  /// for 500 steps.
  public static func defaults(for surface: TestSurface) -> PathLesson {
    guard surface == .quadratic else {
      let runner = PathRunner(surface: surface, steps: 500)
      return PathLesson(
        recipes: OptimizerRecipe.seedLineUp.map { $0.withDefaultLR(runner.defaultLR(for: $0)) },
        steps: 500)
    }
    let lr = quadraticLR
    let momentum = quadraticMomentum
    return PathLesson(
      recipes: [
        OptimizerRecipe(label: "SGD", className: "SGD", lr: lr),
        OptimizerRecipe(
          label: "Momentum \(formatLR(momentum))", className: "SGD",
          options: ["momentum": .number(momentum)], lr: lr),
      ],
      steps: 30,
      notes: [
        "Same learning rate \(formatLR(lr)) for both, just under SGD's best fixed rate "
          + "2/(1+κ) = 0.077.",
        "SGD: each step flips y and shrinks it only to 0.875 of itself, so it zig-zags across "
          + "the steep direction all the way.",
        "Momentum \(formatLR(momentum)) (near the best for κ = 25, ((√κ-1)/(√κ+1))² = 0.44): "
          + "its first step is SGD's; then its buffer sums",
        "the alternating y gradients, which cancel, and the steady x ones, which add up: the "
          + "zig-zag dies within a few steps.",
      ])
  }
}
