extension Tensor {
  /// The element-wise exponential.
  public func exp() -> Tensor {
    let value = detached.map(
      vector: { $0.elementwise { Scalar.exp($0) } }, scalar: { Scalar.exp($0) })
    return .differentiable(value, inputs: [self]) { [$0 * value] }
  }

  /// The element-wise natural logarithm.
  public func log() -> Tensor {
    let input = detached
    let value = input.map(vector: { $0.elementwise { Scalar.log($0) } }, scalar: { Scalar.log($0) })
    return .differentiable(value, inputs: [self]) { [$0 / input] }
  }

  /// The element-wise square root.
  public func sqrt() -> Tensor {
    let value = detached.map(vector: { $0.squareRoot() }, scalar: { $0.squareRoot() })
    return .differentiable(value, inputs: [self]) { [$0 / (value * 2)] }
  }

  /// Every element raised to the power `exponent`.
  public func pow(_ exponent: Scalar) -> Tensor {
    let input = detached
    let value = input.map(
      vector: { $0.elementwise { Scalar.pow($0, exponent) } }, scalar: { Scalar.pow($0, exponent) })
    return .differentiable(value, inputs: [self]) { grad in
      let slope = input.map(
        vector: { $0.elementwise { exponent * Scalar.pow($0, exponent - 1) } },
        scalar: { exponent * Scalar.pow($0, exponent - 1) })
      return [grad * slope]
    }
  }

  /// The element-wise absolute value (its gradient at 0 is 0, as PyTorch's).
  public func abs() -> Tensor {
    let input = detached
    let value = input.map(vector: { $0.elementwise { Swift.abs($0) } }, scalar: { Swift.abs($0) })
    return .differentiable(value, inputs: [self]) { [$0 * input.sign()] }
  }

  /// The element-wise sign: -1, 0 or 1 (a constant: its gradient is zero).
  public func sign() -> Tensor {
    let value = detached.map(
      vector: { $0.elementwise { Tensor.signum($0) } }, scalar: { Tensor.signum($0) })
    return .differentiable(value, inputs: [self]) { [Tensor(zeros: $0.shape)] }
  }

  @inlinable
  static func signum(_ x: Scalar) -> Scalar { x > 0 ? 1 : (x < 0 ? -1 : 0) }

  /// Each element limited to `min...max` (either bound optional); the gradient passes where the
  /// element is inside the bounds.
  public func clamp(min lower: Scalar? = nil, max upper: Scalar? = nil) -> Tensor {
    let input = detached
    let low = lower ?? -.infinity
    let high = upper ?? .infinity
    let value = input.map(
      vector: { $0.clamped(lowerBound: SIMD8(repeating: low), upperBound: SIMD8(repeating: high)) },
      scalar: { Swift.min(Swift.max($0, low), high) })
    return .differentiable(value, inputs: [self]) { grad in
      let mask = input.map(
        vector: { SIMD8(repeating: 0).replacing(with: 1, where: ($0 .>= low) .& ($0 .<= high)) },
        scalar: { $0 >= low && $0 <= high ? 1 : 0 })
      return [grad * mask]
    }
  }

  /// The rectified linear unit, `max(x, 0)`.
  public func relu() -> Tensor {
    let input = detached
    let value = input.map(
      vector: { $0.replacing(with: 0, where: $0 .< 0) }, scalar: { $0 > 0 ? $0 : 0 })
    return .differentiable(value, inputs: [self]) { grad in
      [
        grad
          * input.map(
            vector: { SIMD8(repeating: 0).replacing(with: 1, where: $0 .> 0) },
            scalar: { $0 > 0 ? 1 : 0 })
      ]
    }
  }

  /// The logistic sigmoid, `1 / (1 + exp(-x))`.
  public func sigmoid() -> Tensor {
    let logistic: (Scalar) -> Scalar = { 1 / (1 + Scalar.exp(-$0)) }
    let value = detached.map(vector: { $0.elementwise(logistic) }, scalar: logistic)
    return .differentiable(value, inputs: [self]) { [$0 * value * (1 - value)] }
  }

  /// The hyperbolic tangent.
  public func tanh() -> Tensor {
    let value = detached.map(
      vector: { $0.elementwise { Scalar.tanh($0) } }, scalar: { Scalar.tanh($0) })
    return .differentiable(value, inputs: [self]) { [$0 * (1 - value * value)] }
  }
}

/// The element-wise maximum of two tensors, broadcasting; ties send the gradient to `lhs`.
public func maximum<Scalar>(_ lhs: Tensor<Scalar>, _ rhs: Tensor<Scalar>) -> Tensor<Scalar> {
  selectElementwise(lhs, rhs, pickLeft: { $0 >= $1 })
}

/// The element-wise minimum of two tensors, broadcasting; ties send the gradient to `lhs`.
public func minimum<Scalar>(_ lhs: Tensor<Scalar>, _ rhs: Tensor<Scalar>) -> Tensor<Scalar> {
  selectElementwise(lhs, rhs, pickLeft: { $0 <= $1 })
}

private func selectElementwise<Scalar>(
  _ lhs: Tensor<Scalar>, _ rhs: Tensor<Scalar>, pickLeft: @escaping (Scalar, Scalar) -> Bool
) -> Tensor<Scalar> {
  guard let target = Broadcast.shape(lhs.shape, rhs.shape) else {
    preconditionFailure("shapes \(lhs.shape) and \(rhs.shape) do not broadcast")
  }
  let left = lhs.broadcastValues(to: target)
  let right = rhs.broadcastValues(to: target)
  let mask = zip(left.scalars, right.scalars).map { pickLeft($0, $1) ? Scalar(1) : 0 }
  let maskTensor = Tensor(shape: target, scalars: mask)
  let value = Tensor(
    shape: target,
    scalars: zip(mask, zip(left.scalars, right.scalars)).map { $0 == 1 ? $1.0 : $1.1 })
  return .differentiable(value, inputs: [lhs, rhs]) { grad in
    [
      (grad * maskTensor).unbroadcast(to: lhs.shape),
      (grad * (1 - maskTensor)).unbroadcast(to: rhs.shape),
    ]
  }
}

extension SIMD8 where Scalar: TensorScalar {
  /// Applies a scalar function lane by lane (for functions SIMD types do not provide).
  @inlinable
  func elementwise(_ function: (Scalar) -> Scalar) -> SIMD8<Scalar> {
    var result = self
    for lane in 0..<8 { result[lane] = function(self[lane]) }
    return result
  }
}
