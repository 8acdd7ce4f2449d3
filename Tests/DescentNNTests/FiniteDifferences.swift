import DescentNN
import Testing

/// Expects the gradients that one backward pass of `objective` (a scalar) leaves in each of
/// `parameters` to match central finite differences (float64): moving one element by ±`step`
/// changes the objective by `2 step × gradient` within `tolerance × max(1, |gradient|)`.
func expectGradientsMatchFiniteDifferences(
  _ parameters: [Parameter<Double>], step: Double = 1e-6, tolerance: Double = 1e-6,
  _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
  _ objective: () -> Tensor<Double>
) {
  for parameter in parameters { parameter.zeroGrad() }
  objective().backward()
  for (index, parameter) in parameters.enumerated() {
    let analytic = parameter.grad?.scalars ?? Array(repeating: 0, count: parameter.count)
    let original = parameter.value.scalars
    func evaluate(_ element: Int, _ delta: Double) -> Double {
      var moved = original
      moved[element] += delta
      parameter.value = Tensor(shape: parameter.shape, scalars: moved)
      return withNoGrad { objective().item }
    }
    for element in 0..<parameter.count {
      let numeric = (evaluate(element, step) - evaluate(element, -step)) / (2 * step)
      #expect(
        abs(numeric - analytic[element]) <= tolerance * max(1, abs(numeric)),
        "\(what): argument \(index) element \(element): autograd \(analytic[element]), finite difference \(numeric)",
        sourceLocation: sourceLocation)
    }
    parameter.value = Tensor(shape: parameter.shape, scalars: original)
  }
}

/// Expects autograd's gradients of `f` to match central finite differences at inputs of `shapes`
/// drawn uniformly from `[-2, 2)` with `seed`, with the output reduced to a scalar through fixed
/// standard-normal weights (so every output element counts).
func expectGradientsMatchFiniteDifferences(
  shapes: [[Int]], seed: UInt64, tolerance: Double = 1e-6,
  sourceLocation: SourceLocation = #_sourceLocation,
  _ f: ([Tensor<Double>]) -> Tensor<Double>
) {
  var generator = SeededGenerator(seed: seed)
  let inputs = shapes.map { Tensor<Double>(uniform: $0, low: -2, high: 2, generator: &generator) }
  let weights = Tensor<Double>(normal: f(inputs).shape, generator: &generator)
  let parameters = inputs.map { Parameter($0) }
  expectGradientsMatchFiniteDifferences(
    parameters, tolerance: tolerance, "inputs of shapes \(shapes)", sourceLocation: sourceLocation
  ) { (f(parameters.map(\.value)) * weights).sum() }
}
