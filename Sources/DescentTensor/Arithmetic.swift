extension Tensor {
  /// Element-wise sum with broadcasting.
  public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
    let value = lhs.zipMap(rhs, vector: { $0 + $1 }, scalar: { $0 + $1 })
    let (left, right) = (lhs.shape, rhs.shape)
    return .differentiable(value, inputs: [lhs, rhs]) { grad in
      [grad.unbroadcast(to: left), grad.unbroadcast(to: right)]
    }
  }

  /// Element-wise difference with broadcasting.
  public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
    let value = lhs.zipMap(rhs, vector: { $0 - $1 }, scalar: { $0 - $1 })
    let (left, right) = (lhs.shape, rhs.shape)
    return .differentiable(value, inputs: [lhs, rhs]) { grad in
      [grad.unbroadcast(to: left), grad.detachedNegation.unbroadcast(to: right)]
    }
  }

  /// Element-wise product with broadcasting.
  public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
    let value = lhs.zipMap(rhs, vector: { $0 * $1 }, scalar: { $0 * $1 })
    let (left, right) = (lhs.detached, rhs.detached)
    return .differentiable(value, inputs: [lhs, rhs]) { grad in
      [(grad * right).unbroadcast(to: left.shape), (grad * left).unbroadcast(to: right.shape)]
    }
  }

  /// Element-wise quotient with broadcasting.
  public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
    let value = lhs.zipMap(rhs, vector: { $0 / $1 }, scalar: { $0 / $1 })
    let (left, right) = (lhs.detached, rhs.detached)
    return .differentiable(value, inputs: [lhs, rhs]) { grad in
      let quotient = grad / right
      return [
        quotient.unbroadcast(to: left.shape),
        (quotient * value.detached).detachedNegation.unbroadcast(to: right.shape),
      ]
    }
  }

  /// Element-wise negation.
  public static prefix func - (operand: Tensor) -> Tensor {
    .differentiable(operand.detachedNegation, inputs: [operand]) { [$0.detachedNegation] }
  }

  /// The negation of the values, without autograd.
  var detachedNegation: Tensor { detached.map(vector: { -$0 }, scalar: { -$0 }) }

  /// Adds a scalar to every element.
  public static func + (lhs: Tensor, rhs: Scalar) -> Tensor { lhs + Tensor(rhs) }
  /// Adds a scalar to every element.
  public static func + (lhs: Scalar, rhs: Tensor) -> Tensor { Tensor(lhs) + rhs }
  /// Subtracts a scalar from every element.
  public static func - (lhs: Tensor, rhs: Scalar) -> Tensor { lhs - Tensor(rhs) }
  /// Subtracts every element from a scalar.
  public static func - (lhs: Scalar, rhs: Tensor) -> Tensor { Tensor(lhs) - rhs }
  /// Multiplies every element by a scalar.
  public static func * (lhs: Tensor, rhs: Scalar) -> Tensor { lhs * Tensor(rhs) }
  /// Multiplies every element by a scalar.
  public static func * (lhs: Scalar, rhs: Tensor) -> Tensor { Tensor(lhs) * rhs }
  /// Divides every element by a scalar.
  public static func / (lhs: Tensor, rhs: Scalar) -> Tensor { lhs / Tensor(rhs) }
  /// Divides a scalar by every element.
  public static func / (lhs: Scalar, rhs: Tensor) -> Tensor { Tensor(lhs) / rhs }

  /// `lhs = lhs + rhs`.
  public static func += (lhs: inout Tensor, rhs: Tensor) { lhs = lhs + rhs }
  /// `lhs = lhs - rhs`.
  public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs - rhs }
  /// `lhs = lhs * rhs`.
  public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs * rhs }
  /// `lhs = lhs / rhs`.
  public static func /= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs / rhs }
}
