import DescentTensor

/// Scales the gradients of `parameters` so that their total `normType`-norm is at most `maxNorm`,
/// as `torch.nn.utils.clip_grad_norm_`, and returns the total norm before clipping.
///
/// Every gradient is multiplied by `min(1, maxNorm / (total + 1e-6))`. Parameters without a
/// gradient are ignored. When the total is NaN or infinite, `ifNonfinite` decides: scale anyway
/// (PyTorch's default), throw, or leave the gradients unchanged (``NonfiniteNormHandling``).
///
/// - Throws: ``ClippingError/invalidOption(name:value:requirement:)`` for a negative or NaN
///   `maxNorm` or a `normType` that is not > 0; ``ClippingError/nonfiniteNorm(normType:norm:)``
///   with `.error` and a non-finite total.
@discardableResult
public func clipGradNorm<Scalar: TensorScalar>(
  _ parameters: [Parameter<Scalar>], maxNorm: Double, normType: Double = 2,
  ifNonfinite: NonfiniteNormHandling = .scale
) throws -> Double {
  guard maxNorm >= 0 else {
    throw ClippingError.invalidOption(name: "maxNorm", value: maxNorm, requirement: ">= 0")
  }
  let total = try gradientNorm(parameters, normType: normType)
  if !total.isFinite {
    switch ifNonfinite {
    case .error: throw ClippingError.nonfiniteNorm(normType: normType, norm: total)
    case .skip: return total
    case .scale: break
    }
  }
  scaleGradients(parameters, maxNorm: maxNorm, totalNorm: total)
  return total
}

/// Multiplies the gradients of `parameters` by `min(1, maxNorm / (totalNorm + 1e-6))`, the
/// scaling of ``clipGradNorm(_:maxNorm:normType:ifNonfinite:)`` with the total norm given (as
/// when it was summed over the shards of several processes).
public func scaleGradients<Scalar: TensorScalar>(
  _ parameters: [Parameter<Scalar>], maxNorm: Double, totalNorm: Double
) {
  let coefficient = Scalar(min(maxNorm / (totalNorm + 1e-6), 1))
  for parameter in parameters {
    guard var gradient = parameter.grad else { continue }
    gradient.withUnsafeMutableBufferPointer { values in
      for index in values.indices { values[index] *= coefficient }
    }
    parameter.grad = gradient
  }
}

/// ``clipGradNorm(_:maxNorm:normType:ifNonfinite:)`` with PyTorch's flag: `errorIfNonfinite`
/// throws on a non-finite total norm, otherwise the gradients are scaled anyway.
@discardableResult
public func clipGradNorm<Scalar: TensorScalar>(
  _ parameters: [Parameter<Scalar>], maxNorm: Double, normType: Double = 2,
  errorIfNonfinite: Bool
) throws -> Double {
  try clipGradNorm(
    parameters, maxNorm: maxNorm, normType: normType,
    ifNonfinite: errorIfNonfinite ? .error : .scale)
}
