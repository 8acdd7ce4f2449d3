import DescentPlot
import Foundation

/// Gradient descent with momentum on Rosenbrock's function: the path taken and the loss per step.
/// (Plain Swift here so the plot tests do not depend on the optimizer module.)
func momentumPath(lr: Double, momentum: Double, steps: Int) -> (
  x: [Double], y: [Double], loss: [Double]
) {
  var (x, y) = (-1.5, 2.0)
  var (vx, vy) = (0.0, 0.0)
  var path = ([x], [y], [rosenbrock(x, y)])
  for _ in 0..<steps {
    let gx = -2 * (1 - x) - 400 * x * (y - x * x)
    let gy = 200 * (y - x * x)
    vx = momentum * vx + gx
    vy = momentum * vy + gy
    x -= lr * vx
    y -= lr * vy
    path.0.append(x)
    path.1.append(y)
    path.2.append(rosenbrock(x, y))
  }
  return path
}

/// Two panels: optimizer paths over Rosenbrock contours, and their losses on a log scale.
func demoFigure() throws -> Figure {
  var figure = Figure(rows: 1, columns: 2)
  figure.title = "Heavy-ball momentum on Rosenbrock's valley (lr = 8e−4, 600 steps)"
  let xs = (0...320).map { -2 + 4 * Double($0) / 320 }
  let ys = (0...280).map { -1 + 4 * Double($0) / 280 }
  let zs = ys.map { y in xs.map { x in rosenbrock(x, y) } }
  var landscape = Panel(title: "Rosenbrock: paths", xLabel: "x", yLabel: "y")
  landscape.contour(
    x: xs, y: ys, z: zs, levels: try logSpacedLevels(min: 0.01, max: 1000, count: 16),
    opacity: 0.6)
  var losses = Panel(title: "Loss", xLabel: "step", yLabel: "f(x, y)")
  losses.yScale = .log
  let runs = [("SGD", 0.0), ("momentum 0.5", 0.5), ("momentum 0.9", 0.9)]
  for (index, run) in runs.enumerated() {
    let path = momentumPath(lr: 0.0008, momentum: run.1, steps: 600)
    let colour = Color.tab10[index]
    // Later runs are drawn thinner so that the earlier ones show underneath where paths coincide.
    landscape.line(x: path.x, y: path.y, label: run.0, color: colour, width: 3.4 - Double(index))
    landscape.marker(x: path.x.last!, y: path.y.last!, shape: .cross, color: colour, size: 11)
    losses.line(y: path.loss, label: run.0, color: colour)
  }
  landscape.marker(x: -1.5, y: 2, shape: .circle, label: "start", size: 13)
  landscape.marker(x: 1, y: 1, shape: .star, label: "minimum", size: 18)
  figure[0, 0] = landscape
  figure[0, 1] = losses
  return figure
}
