extension Tensor {
  /// A fresh tensor of the shape `lhs` and `rhs` broadcast to.
  static func broadcastResult(_ lhs: Tensor, _ rhs: Tensor, op: String) -> Tensor {
    if lhs.shape == rhs.shape { return Tensor(uninitializedShape: lhs.shape) }
    guard let shape = Broadcast.shape(lhs.shape, rhs.shape) else {
      preconditionFailure("\(op): shapes \(lhs.shape) and \(rhs.shape) do not broadcast")
    }
    return Tensor(uninitializedShape: shape)
  }

  /// `function(lhs, rhs)` element-wise with broadcasting, without autograd.
  static func zipValues(
    _ function: BinaryFunction<Scalar>, _ lhs: Tensor, _ rhs: Tensor, op: String
  )
    -> Tensor
  {
    var out = broadcastResult(lhs, rhs, op: op)
    Kernels.zip(function, lhs, rhs, into: &out)
    return out
  }

  /// `function(self)` element-wise, without autograd.
  func mapValues(_ function: UnaryFunction<Scalar>) -> Tensor {
    var out = Tensor(uninitializedShape: shape)
    Kernels.map(function, self, into: &out)
    return out
  }

  /// Element-wise sum with broadcasting.
  public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
    let value = zipValues(.add, lhs, rhs, op: "+")
    let (left, right) = (lhs.shape, rhs.shape)
    return record(value, lhs, rhs) { grad, needs in
      [needs[0] ? grad.unbroadcast(to: left) : nil, needs[1] ? grad.unbroadcast(to: right) : nil]
    }
  }

  /// Element-wise difference with broadcasting.
  public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
    let value = zipValues(.subtract, lhs, rhs, op: "-")
    let (left, right) = (lhs.shape, rhs.shape)
    return record(value, lhs, rhs) { grad, needs in
      [
        needs[0] ? grad.unbroadcast(to: left) : nil,
        needs[1] ? grad.unbroadcast(to: right).mapValues(.negate) : nil,
      ]
    }
  }

  /// Element-wise product with broadcasting.
  public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
    let value = zipValues(.multiply, lhs, rhs, op: "*")
    let (left, right) = (lhs.detached, rhs.detached)
    return record(value, lhs, rhs) { grad, needs in
      [
        needs[0] ? zipValues(.multiply, grad, right, op: "*").unbroadcast(to: left.shape) : nil,
        needs[1] ? zipValues(.multiply, grad, left, op: "*").unbroadcast(to: right.shape) : nil,
      ]
    }
  }

  /// Element-wise quotient with broadcasting.
  public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
    let value = zipValues(.divide, lhs, rhs, op: "/")
    let (left, right) = (lhs.detached, rhs.detached)
    return record(value, lhs, rhs) { grad, needs in
      let quotient = zipValues(.divide, grad, right, op: "/")
      return [
        needs[0] ? quotient.unbroadcast(to: left.shape) : nil,
        needs[1]
          ? zipValues(.multiply, quotient, value, op: "*").unbroadcast(to: right.shape)
            .mapValues(.negate) : nil,
      ]
    }
  }

  /// Element-wise negation.
  public static prefix func - (operand: Tensor) -> Tensor {
    record(operand.mapValues(.negate), operand) { grad, _ in [grad.mapValues(.negate)] }
  }

  /// `self * scale + shift` element-wise for constants `scale` and `shift` (one pass).
  func affine(scale: Scalar, shift: Scalar) -> Tensor {
    Tensor.record(mapValues(.affine(scale, shift)), self) { grad, _ in
      [scale == 1 ? grad : grad.mapValues(.affine(scale, 0))]
    }
  }

  /// Adds a scalar to every element.
  public static func + (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.affine(scale: 1, shift: rhs) }
  /// Adds a scalar to every element.
  public static func + (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.affine(scale: 1, shift: lhs) }
  /// Subtracts a scalar from every element.
  public static func - (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.affine(scale: 1, shift: -rhs) }
  /// Subtracts every element from a scalar.
  public static func - (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.affine(scale: -1, shift: lhs) }
  /// Multiplies every element by a scalar.
  public static func * (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.affine(scale: rhs, shift: 0) }
  /// Multiplies every element by a scalar.
  public static func * (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.affine(scale: lhs, shift: 0) }
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

/// Shape arithmetic for NumPy-style broadcasting.
public enum Broadcast {
  /// The shape two shapes broadcast to, or `nil` when they do not broadcast.
  public static func shape(_ lhs: [Int], _ rhs: [Int]) -> [Int]? {
    let rank = max(lhs.count, rhs.count)
    var result = [Int](repeating: 1, count: rank)
    for axis in 0..<rank {
      let left = axis < rank - lhs.count ? 1 : lhs[axis - (rank - lhs.count)]
      let right = axis < rank - rhs.count ? 1 : rhs[axis - (rank - rhs.count)]
      if left == right || right == 1 {
        result[axis] = left
      } else if left == 1 {
        result[axis] = right
      } else {
        return nil
      }
    }
    return result
  }
}
