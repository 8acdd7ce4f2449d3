extension Tensor {
  /// The element-wise exponential.
  public func exp() -> Tensor {
    let value = mapValues(.exp)
    return Tensor.record(value, self) { grad, _ in
      [Tensor.zipValues(.multiply, grad, value, op: "exp")]
    }
  }

  /// The element-wise natural logarithm.
  public func log() -> Tensor {
    let input = detached
    return Tensor.record(mapValues(.log), self) { grad, _ in
      [Tensor.zipValues(.divide, grad, input, op: "log")]
    }
  }

  /// The element-wise square root.
  public func sqrt() -> Tensor {
    let value = mapValues(.sqrt)
    return Tensor.record(value, self) { grad, _ in
      [Tensor.zipValues(.divide, grad, value.mapValues(.affine(2, 0)), op: "sqrt")]
    }
  }

  /// Every element raised to the power `exponent`.
  public func pow(_ exponent: Scalar) -> Tensor {
    let input = detached
    return Tensor.record(mapValues(.pow(exponent)), self) { grad, _ in
      let slope = input.mapValues(.pow(exponent - 1)).mapValues(.affine(exponent, 0))
      return [Tensor.zipValues(.multiply, grad, slope, op: "pow")]
    }
  }

  /// Every element raised to the matching element of `exponent` (broadcasting).
  public func pow(_ exponent: Tensor) -> Tensor {
    let (base, power) = (detached, exponent.detached)
    let value = Tensor.zipValues(.power, base, power, op: "pow")
    return Tensor.record(value, self, exponent) { grad, needs in
      // d/db b^p = p b^(p-1); d/dp b^p = b^p log b.
      var result: [Tensor?] = [nil, nil]
      if needs[0] {
        let lowered = Tensor.zipValues(.power, base, power.mapValues(.affine(1, -1)), op: "pow")
        let slope = Tensor.zipValues(.multiply, power, lowered, op: "pow")
        result[0] = Tensor.zipValues(.multiply, grad, slope, op: "pow").unbroadcast(to: base.shape)
      }
      if needs[1] {
        let slope = Tensor.zipValues(.multiply, value, base.mapValues(.log), op: "pow")
        result[1] = Tensor.zipValues(.multiply, grad, slope, op: "pow").unbroadcast(to: power.shape)
      }
      return result
    }
  }

  /// The element-wise square.
  public func square() -> Tensor {
    let input = detached
    return Tensor.record(mapValues(.square), self) { grad, _ in
      [Tensor.zipValues(.multiply, grad, input.mapValues(.affine(2, 0)), op: "square")]
    }
  }

  /// The element-wise absolute value (its gradient at 0 is 0, as PyTorch's).
  public func abs() -> Tensor {
    let input = detached
    return Tensor.record(mapValues(.abs), self) { grad, _ in
      [Tensor.zipValues(.multiply, grad, input.mapValues(.sign), op: "abs")]
    }
  }

  /// The element-wise sign: -1, 0 or 1 (its gradient is zero).
  public func sign() -> Tensor {
    Tensor.record(mapValues(.sign), self) { grad, _ in [Tensor(zeros: grad.shape)] }
  }

  /// The element-wise sine.
  public func sin() -> Tensor {
    let input = detached
    return Tensor.record(mapValues(.sin), self) { grad, _ in
      [Tensor.zipValues(.multiply, grad, input.mapValues(.cos), op: "sin")]
    }
  }

  /// The element-wise cosine.
  public func cos() -> Tensor {
    let input = detached
    return Tensor.record(mapValues(.cos), self) { grad, _ in
      [Tensor.zipValues(.multiply, grad, input.mapValues(.sin).mapValues(.negate), op: "cos")]
    }
  }

  /// Each element limited to `min...max` (either bound optional); the gradient passes where the
  /// element is inside the bounds, as PyTorch's.
  public func clamp(min lower: Scalar? = nil, max upper: Scalar? = nil) -> Tensor {
    let input = detached
    let (low, high) = (lower ?? -.infinity, upper ?? .infinity)
    return Tensor.record(mapValues(.clamp(low, high)), self) { grad, _ in
      let inside = Tensor.zipValues(
        .multiply, Tensor.zipValues(.greaterEqual, input, Tensor(low), op: "clamp"),
        Tensor.zipValues(.lessEqual, input, Tensor(high), op: "clamp"), op: "clamp")
      return [Tensor.zipValues(.multiply, grad, inside, op: "clamp")]
    }
  }

  /// The rectified linear unit, `max(x, 0)`.
  public func relu() -> Tensor {
    let value = mapValues(.relu)
    return Tensor.record(value, self) { grad, _ in
      [Tensor.zipValues(.reluBackward, grad, value, op: "relu")]
    }
  }

  /// The logistic sigmoid, `1 / (1 + exp(-x))`.
  public func sigmoid() -> Tensor {
    let value = mapValues(.sigmoid)
    return Tensor.record(value, self) { grad, _ in
      let slope = Tensor.zipValues(.multiply, value, value.mapValues(.affine(-1, 1)), op: "sigmoid")
      return [Tensor.zipValues(.multiply, grad, slope, op: "sigmoid")]
    }
  }

  /// The hyperbolic tangent.
  public func tanh() -> Tensor {
    let value = mapValues(.tanh)
    return Tensor.record(value, self) { grad, _ in
      let slope = value.mapValues(.square).mapValues(.affine(-1, 1))
      return [Tensor.zipValues(.multiply, grad, slope, op: "tanh")]
    }
  }

  /// 1 where `self == other` (broadcasting), else 0; a constant.
  public func eq(_ other: Tensor) -> Tensor { Tensor.zipValues(.equal, self, other, op: "eq") }
  /// 1 where `self != other` (broadcasting), else 0; a constant.
  public func ne(_ other: Tensor) -> Tensor { Tensor.zipValues(.notEqual, self, other, op: "ne") }
  /// 1 where `self < other` (broadcasting), else 0; a constant.
  public func lt(_ other: Tensor) -> Tensor { Tensor.zipValues(.less, self, other, op: "lt") }
  /// 1 where `self <= other` (broadcasting), else 0; a constant.
  public func le(_ other: Tensor) -> Tensor { Tensor.zipValues(.lessEqual, self, other, op: "le") }
  /// 1 where `self > other` (broadcasting), else 0; a constant.
  public func gt(_ other: Tensor) -> Tensor { Tensor.zipValues(.greater, self, other, op: "gt") }
  /// 1 where `self >= other` (broadcasting), else 0; a constant.
  public func ge(_ other: Tensor) -> Tensor {
    Tensor.zipValues(.greaterEqual, self, other, op: "ge")
  }

  /// `a` where `condition` is non-zero, else `b` (all three broadcast), like `torch.where`; the
  /// gradient flows to the chosen side.
  public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    guard let pair = Broadcast.shape(a.shape, b.shape),
      let shape = Broadcast.shape(condition.shape, pair)
    else {
      preconditionFailure(
        "where: shapes \(condition.shape), \(a.shape) and \(b.shape) do not broadcast")
    }
    let mask = condition.detached
    var value = Tensor(uninitializedShape: shape)
    Kernels.select(mask, a, b, into: &value)
    return record(value, a, b) { grad, needs in
      let zeros = Tensor(zeros: [])
      var result: [Tensor?] = [nil, nil]
      if needs[0] {
        var chosen = Tensor(uninitializedShape: grad.shape)
        Kernels.select(mask, grad, zeros, into: &chosen)
        result[0] = chosen.unbroadcast(to: a.shape)
      }
      if needs[1] {
        var chosen = Tensor(uninitializedShape: grad.shape)
        Kernels.select(mask, zeros, grad, into: &chosen)
        result[1] = chosen.unbroadcast(to: b.shape)
      }
      return result
    }
  }
}

/// The element-wise maximum of two tensors, broadcasting; NaN in either gives NaN (as
/// `torch.maximum`), and ties send the gradient to `lhs`.
public func maximum<Scalar>(_ lhs: Tensor<Scalar>, _ rhs: Tensor<Scalar>) -> Tensor<Scalar> {
  let (a, b) = (lhs.detached, rhs.detached)
  return Tensor.where(a.ge(b) + a.ne(a), lhs, rhs)
}

/// The element-wise minimum of two tensors, broadcasting; NaN in either gives NaN (as
/// `torch.minimum`), and ties send the gradient to `lhs`.
public func minimum<Scalar>(_ lhs: Tensor<Scalar>, _ rhs: Tensor<Scalar>) -> Tensor<Scalar> {
  let (a, b) = (lhs.detached, rhs.detached)
  return Tensor.where(a.le(b) + a.ne(a), lhs, rhs)
}
