/// Which form of GELU to compute, as PyTorch's `approximate` argument names it.
public enum GELUApproximation: String, Sendable, CaseIterable {
  /// The exact GELU, `x Φ(x) = x/2 (1 + erf(x/√2))` (PyTorch's `'none'`).
  case none
  /// The tanh approximation, `x/2 (1 + tanh(√(2/π) (x + 0.044715 x³)))` (PyTorch's `'tanh'`).
  case tanh
}

/// The activation functions of torch.nn beyond ReLU, sigmoid and tanh, each with its derivative.
enum ActivationFunction<S: TensorScalar> {
  case gelu, geluTanh, silu
  /// `x` where positive, else `slope * x`.
  case leakyRelu(S)
}

extension Operators {
  /// `1/√2`.
  @inline(__always) static func sqrtHalf<S: TensorScalar>() -> S { 0.707_106_781_186_547_524_4 }
  /// `1/√(2π)`, the standard normal density's factor.
  @inline(__always) static func normalDensityFactor<S: TensorScalar>() -> S {
    0.398_942_280_401_432_677_9
  }
  /// `√(2/π)`, the tanh approximation's scale.
  @inline(__always) static func sqrtTwoOverPi<S: TensorScalar>() -> S {
    0.797_884_560_802_865_355_9
  }
  /// The tanh approximation's cubic coefficient.
  @inline(__always) static func geluCubic<S: TensorScalar>() -> S { 0.044_715 }
  /// `tanh(u)` as `1 - 2 / (exp(2u) + 1)` through the vectorizable exponential: accurate to a
  /// few ulps of 1 (absolutely), which is what GELU's `1 + tanh` and `1 - tanh²` need.
  @inline(__always) static func tanhThroughExp<S: TensorScalar>(_ u: S) -> S {
    1 - 2 / (S.kernelExp(2 * u) + 1)
  }

  /// The exact GELU, `x/2 (1 + erf(x/√2))`.
  struct GELU<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S {
      x * 0.5 * (1 + S.erf(x * Operators.sqrtHalf()))
    }
  }
  /// The exact GELU's backward pass: the gradient `a` times `Φ(b) + b φ(b)` at the input `b`.
  struct GELUBackward<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S {
      let cdf = 0.5 * (1 + S.erf(b * Operators.sqrtHalf()))
      let pdf = Operators.normalDensityFactor() * S.kernelExp(-0.5 * b * b)
      return a * (cdf + b * pdf)
    }
  }
  /// GELU's tanh approximation.
  struct GELUTanh<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S {
      let inner: S = Operators.sqrtTwoOverPi() * (x + Operators.geluCubic() * x * x * x)
      return 0.5 * x * (1 + Operators.tanhThroughExp(inner))
    }
  }
  /// The tanh approximation's backward pass: the gradient `a` times its derivative at `b`.
  struct GELUTanhBackward<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S {
      let (beta, kappa): (S, S) = (Operators.sqrtTwoOverPi(), Operators.geluCubic())
      let square = b * b
      let inner = beta * (b + kappa * square * b)
      let t = Operators.tanhThroughExp(inner)
      let left = 0.5 * b
      let right = 1 + t
      let rightDerivative = left * (1 - t * t) * beta * (1 + 3 * kappa * square)
      return a * (0.5 * right + rightDerivative)
    }
  }
  /// SiLU (swish), `x σ(x)`.
  struct SiLU<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S { x / (1 + S.kernelExp(-x)) }
  }
  /// SiLU's backward pass: the gradient `a` times `σ(b) (1 + b (1 - σ(b)))`.
  struct SiLUBackward<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S {
      let sigmoid = 1 / (1 + S.kernelExp(-b))
      return a * sigmoid * (1 + b * (1 - sigmoid))
    }
  }
  /// The leaky ReLU, `x > 0 ? x : slope x`.
  struct LeakyReLU<S: TensorScalar>: UnaryOperator {
    let slope: S
    @inline(__always) func callAsFunction(_ x: S) -> S { x > 0 ? x : x * slope }
  }
  /// The leaky ReLU's backward pass: the gradient `a`, times `slope` where the input `b` is not
  /// positive.
  struct LeakyReLUBackward<S: TensorScalar>: BinaryOperator {
    let slope: S
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { b > 0 ? a : a * slope }
  }
}

extension Kernels {
  /// Writes `function(input)` into `out` (of the input's shape).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func activation<S>(
    _ function: ActivationFunction<S>, _ input: Tensor<S>, into out: inout Tensor<S>
  ) {
    switch function {
    case .gelu: mapRows(input, &out, Operators.GELU<S>())
    case .geluTanh: mapRows(input, &out, Operators.GELUTanh<S>())
    case .silu: mapRows(input, &out, Operators.SiLU<S>())
    case .leakyRelu(let slope): mapRows(input, &out, Operators.LeakyReLU(slope: slope))
    }
  }

  /// Writes the gradient with respect to the input, `gradient * function'(input)`, into `out`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func activationBackward<S>(
    _ function: ActivationFunction<S>, gradient: Tensor<S>, input: Tensor<S>,
    into out: inout Tensor<S>
  ) {
    switch function {
    case .gelu: zipRows(gradient, input, &out, Operators.GELUBackward<S>())
    case .geluTanh: zipRows(gradient, input, &out, Operators.GELUTanhBackward<S>())
    case .silu: zipRows(gradient, input, &out, Operators.SiLUBackward<S>())
    case .leakyRelu(let slope):
      zipRows(gradient, input, &out, Operators.LeakyReLUBackward(slope: slope))
    }
  }
}

extension Tensor {
  /// The Gaussian error linear unit, `x Φ(x)`, exactly through `erf` or by PyTorch's tanh
  /// approximation, like `torch.nn.functional.gelu(x, approximate=...)`.
  public func gelu(approximate: GELUApproximation = .none) -> Tensor {
    activation(approximate == .tanh ? .geluTanh : .gelu)
  }

  /// The sigmoid-weighted linear unit (swish), `x σ(x)`, like `torch.nn.functional.silu`.
  public func silu() -> Tensor { activation(.silu) }

  /// The leaky rectified linear unit, `x` where positive and `negativeSlope * x` elsewhere, like
  /// `torch.nn.functional.leaky_relu`; its gradient at 0 is `negativeSlope`, as PyTorch's.
  public func leakyRelu(negativeSlope: Scalar = 0.01) -> Tensor {
    activation(.leakyRelu(negativeSlope))
  }

  /// `function` applied element-wise, differentiable.
  func activation(_ function: ActivationFunction<Scalar>) -> Tensor {
    var value = Tensor(uninitializedShape: shape)
    Kernels.activation(function, self, into: &value)
    let input = detached
    return Tensor.record(value, self) { grad, _ in
      var back = Tensor(uninitializedShape: input.shape)
      Kernels.activationBackward(function, gradient: grad, input: input, into: &back)
      return [back]
    }
  }
}
