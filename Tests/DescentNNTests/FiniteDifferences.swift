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
