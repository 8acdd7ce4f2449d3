import DescentTensor

/// The minimizer of the cubic through `(x1, f1)` and `(x2, f2)` with slopes `g1` and `g2`,
/// clamped to `bounds` (by default the interval between the points); the bounds' midpoint when
/// the cubic has no real minimizer. As PyTorch's `_cubic_interpolate` (minFunc's `polyinterp`).
func cubicInterpolate(
  _ x1: Double, _ f1: Double, _ g1: Double, _ x2: Double, _ f2: Double, _ g2: Double,
  bounds: (Double, Double)? = nil
) -> Double {
  let (low, high) = bounds ?? (x1 <= x2 ? (x1, x2) : (x2, x1))
  let d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
  let d2Square = d1 * d1 - g1 * g2
  guard d2Square >= 0 else { return (low + high) / 2 }
  let d2 = d2Square.squareRoot()
  let minimizer =
    x1 <= x2
    ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
  return pythonMin(pythonMax(minimizer, low), high)
}

/// A point on the search line: its step length, loss, gradient and directional derivative.
struct LBFGSLinePoint<Scalar: TensorScalar> {
  var step: Double
  var loss: Double
  var gradient: [Scalar]
  var slope: Double
}

/// The outcome of a line search: the accepted point and how many evaluations it took.
struct LBFGSLineSearchResult<Scalar: TensorScalar> {
  var point: LBFGSLinePoint<Scalar>
  var evaluations: Int
}

/// The strong-Wolfe line search of PyTorch's `_strong_wolfe` (minFunc's `lswolfe`): brackets a
/// step satisfying the strong Wolfe conditions by cubic extrapolation, then zooms in on it by
/// cubic interpolation, keeping away from the bracket's ends when progress stalls.
struct StrongWolfeLineSearch<Scalar: TensorScalar> {
  /// The sufficient-decrease constant.
  var c1 = 1e-4
  /// The curvature constant.
  var c2 = 0.9
  /// The bracket width (times `max |d|`) below which the zoom stops.
  var toleranceChange = 1e-9
  /// The most evaluations after the first.
  var maxIterations = 25

  /// Searches along `direction` from `start` (step 0), trying `step` first; `evaluate(t)`
  /// returns the loss and gradient at step length `t`.
  func search(
    direction: [Scalar], step: Double, start: LBFGSLinePoint<Scalar>,
    evaluate: (Double) throws -> (loss: Double, gradient: [Scalar])
  ) rethrows -> LBFGSLineSearchResult<Scalar> {
    let directionNorm = LBFGSVector.maxMagnitude(direction)
    func point(at t: Double) throws -> LBFGSLinePoint<Scalar> {
      let (loss, gradient) = try evaluate(t)
      return LBFGSLinePoint(
        step: t, loss: loss, gradient: gradient, slope: LBFGSVector.dot(gradient, direction))
    }
    func sufficientDecrease(_ p: LBFGSLinePoint<Scalar>) -> Bool {
      !(p.loss > start.loss + c1 * p.step * start.slope)
    }
    func curvature(_ p: LBFGSLinePoint<Scalar>) -> Bool { abs(p.slope) <= -c2 * start.slope }

    var current = try point(at: step)
    var evaluations = 1
    var previous = LBFGSLinePoint(
      step: 0, loss: start.loss, gradient: start.gradient, slope: start.slope)
    var iteration = 0
    var bracket: [LBFGSLinePoint<Scalar>] = []
    var done = false
    while iteration < maxIterations {
      if !sufficientDecrease(current) || (iteration > 1 && current.loss >= previous.loss) {
        bracket = [previous, current]
        break
      }
      if curvature(current) {
        bracket = [current]
        done = true
        break
      }
      if current.slope >= 0 {
        bracket = [previous, current]
        break
      }
      let t = cubicInterpolate(
        previous.step, previous.loss, previous.slope, current.step, current.loss, current.slope,
        bounds: (current.step + 0.01 * (current.step - previous.step), current.step * 10))
      previous = current
      current = try point(at: t)
      evaluations += 1
      iteration += 1
    }
    if iteration == maxIterations {
      bracket = [start, current]
    }

    var insufficientProgress = false
    var (low, high) = bracket[0].loss <= bracket[bracket.count - 1].loss ? (0, 1) : (1, 0)
    while !done && iteration < maxIterations {
      if abs(bracket[1].step - bracket[0].step) * directionNorm < toleranceChange { break }
      var t = cubicInterpolate(
        bracket[0].step, bracket[0].loss, bracket[0].slope, bracket[1].step, bracket[1].loss,
        bracket[1].slope)
      let upper = pythonMax(bracket[0].step, bracket[1].step)
      let lower = pythonMin(bracket[0].step, bracket[1].step)
      let margin = 0.1 * (upper - lower)
      if pythonMin(upper - t, t - lower) < margin {
        if insufficientProgress || t >= upper || t <= lower {
          t = abs(t - upper) < abs(t - lower) ? upper - margin : lower + margin
          insufficientProgress = false
        } else {
          insufficientProgress = true
        }
      } else {
        insufficientProgress = false
      }
      let trial = try point(at: t)
      evaluations += 1
      iteration += 1
      if !sufficientDecrease(trial) || trial.loss >= bracket[low].loss {
        bracket[high] = trial
        (low, high) = bracket[0].loss <= bracket[1].loss ? (0, 1) : (1, 0)
      } else {
        if curvature(trial) {
          done = true
        } else if trial.slope * (bracket[high].step - bracket[low].step) >= 0 {
          bracket[high] = bracket[low]
        }
        bracket[low] = trial
      }
    }
    return LBFGSLineSearchResult(point: bracket[low], evaluations: evaluations)
  }
}
