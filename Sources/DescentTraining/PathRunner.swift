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

  /// A learning rate that suits `recipe`'s class on this surface for a few hundred steps.
  public func defaultLR(for recipe: OptimizerRecipe) -> Double {
    let table: [String: Double]
    switch surface {
    case .rosenbrock:
      table = [
        "SGD": 1e-3, "Momentum": 1e-3, "Nesterov": 1e-3, "AdaGrad": 1, "Adadelta": 1,
        "RMSprop": 0.01, "Adam": 0.1,
      ]
    case .beale:
      table = [
        "SGD": 0.01, "Momentum": 2e-3, "Nesterov": 2e-3, "AdaGrad": 1, "Adadelta": 1,
        "RMSprop": 0.02, "Adam": 0.05,
      ]
    case .saddle:
      table = [
        "SGD": 0.05, "Momentum": 5e-3, "Nesterov": 5e-3, "AdaGrad": 0.2, "Adadelta": 1,
        "RMSprop": 5e-3, "Adam": 0.01,
      ]
    case .himmelblau:
      table = [
        "SGD": 1e-3, "Momentum": 2e-4, "Nesterov": 2e-4, "AdaGrad": 0.2, "Adadelta": 1,
        "RMSprop": 0.01, "Adam": 0.05,
      ]
    case .quadratic:
      table = [
        "SGD": 0.01, "Momentum": 5e-3, "Nesterov": 5e-3, "AdaGrad": 0.2, "Adadelta": 1,
        "RMSprop": 0.01, "Adam": 0.05,
      ]
    }
    return table[recipe.label] ?? 0.01
  }
}
