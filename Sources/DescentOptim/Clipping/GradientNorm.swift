import DescentTensor

/// The `p`-norm of all the gradients of `parameters` taken together, as if they were one flat
/// vector (equal to the `p`-norm of the per-parameter norms, as PyTorch computes it):
/// `(sum |g|^p)^(1/p)`, or `max |g|` for `p = .infinity`. Parameters without a gradient are
/// ignored; with none at all the norm is 0. Accumulated in `Double`.
///
/// - Throws: ``ClippingError/invalidOption(name:value:requirement:)`` unless `normType > 0`
///   (`.infinity` allowed).
public func gradientNorm<Scalar: TensorScalar>(
  _ parameters: [Parameter<Scalar>], normType: Double = 2
) throws -> Double {
  guard normType > 0 else {
    throw ClippingError.invalidOption(
      name: "normType", value: normType, requirement: "> 0 or .infinity")
  }
  var accumulated = 0.0
  for parameter in parameters {
    guard let gradient = parameter.grad else { continue }
    gradient.withUnsafeBufferPointer { values in
      for value in values {
        let magnitude = Double(value).magnitude
        if normType == .infinity {
          accumulated = magnitude.isNaN || accumulated.isNaN ? .nan : max(accumulated, magnitude)
        } else {
          accumulated += normType == 1 ? magnitude : Double.pow(magnitude, normType)
        }
      }
    }
  }
  if normType == .infinity || normType == 1 { return accumulated }
  return normType == 2 ? accumulated.squareRoot() : Double.pow(accumulated, 1 / normType)
}
