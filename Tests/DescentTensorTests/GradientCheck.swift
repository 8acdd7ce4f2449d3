import DescentTensor
import Testing

/// Compares autograd's gradient of `f` (reduced to a scalar through a fixed random weighting)
/// with central finite differences, in Double.
func checkGradient(
  _ shapes: [[Int]], seed: UInt64 = 1, positive: Bool = false, tolerance: Double = 1e-6,
  sourceLocation: SourceLocation = #_sourceLocation,
  _ f: ([Tensor<Double>]) -> Tensor<Double>
) {
  var generator = SeededGenerator(seed: seed)
  let inputs = shapes.map { shape -> Tensor<Double> in
    positive
      ? Tensor(uniform: shape, low: 0.5, high: 2, generator: &generator)
      : Tensor(uniform: shape, low: -2, high: 2, generator: &generator)
  }
  let probe = f(inputs)
  let weights = Tensor<Double>(normal: probe.shape, generator: &generator)
  func objective(_ values: [Tensor<Double>]) -> Double {
    (f(values) * weights).sum().item
  }
  let parameters = inputs.map { Parameter($0) }
  (f(parameters.map(\.value)) * weights).sum().backward()
  let step = 1e-6
  for (index, input) in inputs.enumerated() {
    let analytic = parameters[index].grad ?? Tensor(zeros: input.shape)
    for element in 0..<input.count {
      var plus = inputs
      var minus = inputs
      var up = input.scalars
      var down = input.scalars
      up[element] += step
      down[element] -= step
      plus[index] = Tensor(shape: input.shape, scalars: up)
      minus[index] = Tensor(shape: input.shape, scalars: down)
      let numeric = (objective(plus) - objective(minus)) / (2 * step)
      let error = abs(numeric - analytic.scalars[element])
      #expect(
        error <= tolerance * max(1, abs(numeric)),
        "input \(index) element \(element): autograd \(analytic.scalars[element]) vs finite difference \(numeric)",
        sourceLocation: sourceLocation)
    }
  }
}
