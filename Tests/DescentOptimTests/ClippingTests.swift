import DescentNN
import DescentOptim
import Foundation
import Testing

/// Gradients [3, -4] and [[1, 2], [-2, 0]] and a parameter without a gradient.
private func clippingParameters() -> [Parameter<Double>] {
  let first = Parameter(Tensor<Double>([0, 0]))
  first.grad = Tensor([3, -4])
  let second = Parameter(Tensor<Double>(zeros: [2, 2]))
  second.grad = Tensor(shape: [2, 2], scalars: [1, 2, -2, 0])
  let third = Parameter(Tensor<Double>([5]))
  return [first, second, third]
}

private func allGradients(_ parameters: [Parameter<Double>]) -> [Double] {
  parameters.flatMap { $0.grad?.scalars ?? [] }
}

/// (p, closed-form total p-norm) for |g| = 3, 4, 1, 2, 2, 0.
private let normCases: [(Double, Double)] = [
  (1, 12), (2, 34.0.squareRoot()), (.infinity, 4), (3, pow(108.0, 1.0 / 3)),
  (0.5, pow(3.0.squareRoot() + 3 + 2 * 2.0.squareRoot(), 2)),
]

@Suite struct ClippingTests {
  @Test(arguments: normCases)
  func totalNormMatchesClosedForm(normType: Double, expected: Double) throws {
    let parameters = clippingParameters()
    let total = try clipGradNorm(parameters, maxNorm: 1000, normType: normType)
    #expect(abs(total - expected) <= 1e-12 * expected)
    // Below the maximum the coefficient clamps to 1: gradients unchanged.
    #expect(allGradients(parameters) == [3, -4, 1, 2, -2, 0])
    #expect(parameters[2].grad == nil)
  }

  @Test(arguments: [1.0, 2.0, Double.infinity])
  func gradientsAreScaledToTheMaximum(normType: Double) throws {
    let parameters = clippingParameters()
    let total = try clipGradNorm(parameters, maxNorm: 2, normType: normType)
    let coefficient = 2 / (total + 1e-6)
    let expected = [3.0, -4, 1, 2, -2, 0].map { $0 * coefficient }
    for (value, wanted) in zip(allGradients(parameters), expected) {
      #expect(abs(value - wanted) <= 1e-15)
    }
    let after = try gradientNorm(parameters, normType: normType)
    #expect(abs(after - 2 * total / (total + 1e-6)) <= 1e-12)
  }

  @Test func nonfiniteNormThrowsOrSkipsLeavingGradientsUnchanged() throws {
    for handling in [NonfiniteNormHandling.error, .skip] {
      let parameters = clippingParameters()
      parameters[0].grad = Tensor([.infinity, 1])
      if handling == .error {
        #expect(throws: ClippingError.nonfiniteNorm(normType: 2, norm: .infinity)) {
          try clipGradNorm(parameters, maxNorm: 1, ifNonfinite: handling)
        }
      } else {
        #expect(try clipGradNorm(parameters, maxNorm: 1, ifNonfinite: .skip) == .infinity)
      }
      #expect(allGradients(parameters) == [.infinity, 1, 1, 2, -2, 0])
    }
    let parameters = clippingParameters()
    parameters[1].grad = Tensor(shape: [2, 2], scalars: [.nan, 0, 0, 0])
    #expect(throws: ClippingError.self) {
      try clipGradNorm(parameters, maxNorm: 1, normType: .infinity, errorIfNonfinite: true)
    }
    // PyTorch's default scales anyway.
    let total = try clipGradNorm(parameters, maxNorm: 1, errorIfNonfinite: false)
    #expect(total.isNaN)
    let allNaN = allGradients(parameters).allSatisfy { $0.isNaN }
    #expect(allNaN)
  }

  @Test func invalidOptionsAreRejected() {
    let parameters = clippingParameters()
    for normType in [0.0, -1, .nan] {
      #expect(throws: ClippingError.self) {
        try clipGradNorm(parameters, maxNorm: 1, normType: normType)
      }
    }
    #expect(throws: ClippingError.invalidOption(name: "maxNorm", value: -1, requirement: ">= 0")) {
      try clipGradNorm(parameters, maxNorm: -1)
    }
    #expect(throws: ClippingError.self) { try clipGradValue(parameters, clipValue: -0.5) }
    #expect(allGradients(parameters) == [3, -4, 1, 2, -2, 0])
  }

  @Test func noGradientsGiveZeroNorm() throws {
    let parameter = Parameter(Tensor<Float>([1, 2]))
    #expect(try clipGradNorm([parameter], maxNorm: 1) == 0)
    #expect(parameter.grad == nil)
  }

  @Test func clipByValueClamps() throws {
    let parameters = clippingParameters()
    try clipGradValue(parameters, clipValue: 1.5)
    #expect(allGradients(parameters) == [1.5, -1.5, 1, 1.5, -1.5, 0])
    #expect(parameters[2].grad == nil)
  }

  @Test func floatGradientsAreClippedToo() throws {
    let parameter = Parameter(Tensor<Float>([0, 0]))
    parameter.grad = Tensor([3, 4])
    let total = try clipGradNorm([parameter], maxNorm: 1)
    #expect(total == 5)
    let values = parameter.grad!.scalars
    #expect(abs(values[0] - 0.6) < 1e-6 && abs(values[1] - 0.8) < 1e-6)
  }
}
