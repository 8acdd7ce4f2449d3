import DescentOptim
import DescentTensor

/// The route one optimizer takes on a ``TestSurface``.
public struct OptimizerPath: Sendable {
  /// The optimizer, with its learning rate.
  public var recipe: OptimizerRecipe
  /// The start, then the point after each step (float64, as the trajectory fixtures).
  public var points: [PlanePoint]
  /// The function's value at each point.
  public var losses: [Double]

  /// The last point.
  public var end: PlanePoint { points[points.count - 1] }
  /// The function's value at the last point.
  public var finalLoss: Double { losses[losses.count - 1] }
}

/// Runs optimizers on a 2-D test function: each step the gradient is computed in closed form and
/// the optimizer steps, exactly as PyTorch's `trajectory` fixtures were made.
public struct PathRunner: Sendable {
  /// The function walked on.
  public var surface: TestSurface
  /// Number of optimizer steps.
  public var steps: Int

  /// A runner of `steps` steps on `surface`.
  public init(surface: TestSurface, steps: Int) {
    self.surface = surface
    self.steps = max(0, steps)
  }

  /// The path `recipe` takes from `start`. A path that leaves the finite numbers stops there
  /// (its last point is the first non-finite one).
  ///
  /// - Throws: ``OptimizerError`` when the optimizer cannot be built from the recipe.
  public func run(_ recipe: OptimizerRecipe, from start: PlanePoint) throws -> OptimizerPath {
    let point = Parameter(Tensor<Double>([start.x, start.y]))
    let optimizer = try recipe.make([point])
    var points = [start]
    points.reserveCapacity(steps + 1)
    for _ in 0..<steps {
      let xy = point.value.scalars
      let (gx, gy) = surface.gradient(xy[0], xy[1])
      point.grad = Tensor([gx, gy])
      optimizer.step()
      let next = PlanePoint(x: point.value.scalars[0], y: point.value.scalars[1])
      points.append(next)
      if !next.isFinite { break }
    }
    return OptimizerPath(
      recipe: recipe, points: points, losses: points.map { surface.value($0.x, $0.y) })
  }

  /// A learning rate that suits `recipe` on this surface for a few hundred steps: tuned for the
  /// seed's line-up, 0.01 for any other optimizer.
  public func defaultLR(for recipe: OptimizerRecipe) -> Double {
    guard let column = OptimizerRecipe.seedLineUp.firstIndex(where: { $0.label == recipe.label })
    else { return 0.01 }
    return Self.seedRates[surface]![column]
  }

  /// Learning rates per surface, in the order of ``OptimizerRecipe/seedLineUp``:
  /// SGD, Momentum, Nesterov, AdaGrad, Adadelta, RMSprop, Adam.
  private static let seedRates: [TestSurface: [Double]] = [
    .rosenbrock: [1e-3, 5e-4, 5e-4, 0.5, 1, 0.01, 0.1],
    .beale: [0.01, 2e-3, 2e-3, 1, 1, 0.02, 0.05],
    .saddle: [0.05, 5e-3, 5e-3, 0.2, 1, 5e-3, 0.01],
    .himmelblau: [1e-3, 2e-4, 2e-4, 0.2, 1, 0.01, 0.05],
    .quadratic: [0.01, 5e-3, 5e-3, 0.2, 1, 0.01, 0.05],
  ]
}
