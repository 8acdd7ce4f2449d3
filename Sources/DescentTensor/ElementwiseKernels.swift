/// A one-input element-wise function the kernels know.
enum UnaryFunction<S: TensorScalar> {
  case identity, negate, exp, log, sqrt, abs, sign, relu, sigmoid, tanh, sin, cos, square
  case reciprocal
  /// `x ** exponent`.
  case pow(S)
  /// `min(max(x, low), high)`.
  case clamp(S, S)
  /// `x * scale + shift`.
  case affine(S, S)
}

/// A two-input element-wise function the kernels know.
enum BinaryFunction<S: TensorScalar> {
  case add, subtract, multiply, divide, maximum, minimum, power
  /// Comparisons give 1 where they hold and 0 elsewhere.
  case equal, notEqual, less, lessEqual, greater, greaterEqual
  /// ReLU's backward pass: the gradient (first input) where the output (second) is positive.
  case reluBackward
  /// `a + alpha * b`.
  case addScaled(S)
}

/// A one-input element-wise function as a type, so that each kernel is compiled with the function
/// inlined into its loops (a closure value would be an indirect call per element).
protocol UnaryOperator {
  associatedtype S: TensorScalar
  /// The function's value at `x`.
  func callAsFunction(_ x: S) -> S
}

/// A two-input element-wise function as a type (see ``UnaryOperator``).
protocol BinaryOperator {
  associatedtype S: TensorScalar
  /// The function's value at `a`, `b`.
  func callAsFunction(_ a: S, _ b: S) -> S
}

/// The operators of ``UnaryFunction`` and ``BinaryFunction``, one formula each.
enum Operators {
  struct Identity<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S { x }
  }
  struct Negate<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S { -x }
  }
  struct Exp<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S { S.kernelExp(x) }
  }
  struct Log<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S { S.log(x) }
  }
  struct Sqrt<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S { x.squareRoot() }
  }
  struct Abs<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S { Swift.abs(x) }
  }
  struct Sign<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S {
      x > 0 ? 1 : (x < 0 ? -1 : (x == 0 ? 0 : x))
    }
  }
  struct ReLU<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S { x < 0 ? 0 : x }
  }
  struct Sigmoid<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S { 1 / (1 + S.kernelExp(-x)) }
  }
  struct Tanh<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S { S.tanh(x) }
  }
  struct Sin<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S { S.sin(x) }
  }
  struct Cos<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S { S.cos(x) }
  }
  struct Square<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S { x * x }
  }
  struct Reciprocal<S: TensorScalar>: UnaryOperator {
    @inline(__always) func callAsFunction(_ x: S) -> S { 1 / x }
  }
  struct Pow<S: TensorScalar>: UnaryOperator {
    let exponent: S
    @inline(__always) func callAsFunction(_ x: S) -> S { S.kernelPow(x, exponent) }
  }
  struct Clamp<S: TensorScalar>: UnaryOperator {
    let low: S
    let high: S
    @inline(__always) func callAsFunction(_ x: S) -> S {
      x.isNaN ? x : Swift.min(Swift.max(x, low), high)
    }
  }
  struct Affine<S: TensorScalar>: UnaryOperator {
    let scale: S
    let shift: S
    @inline(__always) func callAsFunction(_ x: S) -> S { x * scale + shift }
  }
  struct Add<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { a + b }
  }
  struct Subtract<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { a - b }
  }
  struct Multiply<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { a * b }
  }
  struct Divide<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { a / b }
  }
  struct Maximum<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { a.isNaN || a >= b ? a : b }
  }
  struct Minimum<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { a.isNaN || a <= b ? a : b }
  }
  struct Power<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { S.kernelPow(a, b) }
  }
  struct Equal<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { a == b ? 1 : 0 }
  }
  struct NotEqual<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { a != b ? 1 : 0 }
  }
  struct Less<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { a < b ? 1 : 0 }
  }
  struct LessEqual<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { a <= b ? 1 : 0 }
  }
  struct Greater<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { a > b ? 1 : 0 }
  }
  struct GreaterEqual<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { a >= b ? 1 : 0 }
  }
  struct ReLUBackward<S: TensorScalar>: BinaryOperator {
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { b > 0 ? a : 0 }
  }
  struct AddScaled<S: TensorScalar>: BinaryOperator {
    let alpha: S
    @inline(__always) func callAsFunction(_ a: S, _ b: S) -> S { a + alpha * b }
  }
}

/// The element-wise kernels: each function's formula written once (in ``Operators``), run over
/// pointers and strides with a contiguous fast path, fast paths for a broadcast operand (a row
/// vector over a matrix, a scalar) and a general strided walk, on several threads when large.
enum Kernels {
  /// Writes `function(input)` into `out` (whose shape `input` broadcasts to).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func map<S>(_ function: UnaryFunction<S>, _ input: Tensor<S>, into out: inout Tensor<S>) {
    switch function {
    case .identity: mapRows(input, &out, Operators.Identity<S>())
    case .negate: mapRows(input, &out, Operators.Negate<S>())
    case .exp: mapRows(input, &out, Operators.Exp<S>())
    case .log: mapRows(input, &out, Operators.Log<S>())
    case .sqrt: mapRows(input, &out, Operators.Sqrt<S>())
    case .abs: mapRows(input, &out, Operators.Abs<S>())
    case .sign: mapRows(input, &out, Operators.Sign<S>())
    case .relu: mapRows(input, &out, Operators.ReLU<S>())
    case .sigmoid: mapRows(input, &out, Operators.Sigmoid<S>())
    case .tanh: mapRows(input, &out, Operators.Tanh<S>())
    case .sin: mapRows(input, &out, Operators.Sin<S>())
    case .cos: mapRows(input, &out, Operators.Cos<S>())
    case .square: mapRows(input, &out, Operators.Square<S>())
    case .reciprocal: mapRows(input, &out, Operators.Reciprocal<S>())
    case .pow(let exponent): mapRows(input, &out, Operators.Pow(exponent: exponent))
    case .clamp(let low, let high): mapRows(input, &out, Operators.Clamp(low: low, high: high))
    case .affine(let scale, let shift):
      mapRows(input, &out, Operators.Affine(scale: scale, shift: shift))
    }
  }

  /// Writes `function(a, b)` into `out` (whose shape `a` and `b` broadcast to).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func zip<S>(
    _ function: BinaryFunction<S>, _ a: Tensor<S>, _ b: Tensor<S>, into out: inout Tensor<S>
  ) {
    switch function {
    case .add: zipRows(a, b, &out, Operators.Add<S>())
    case .subtract: zipRows(a, b, &out, Operators.Subtract<S>())
    case .multiply: zipRows(a, b, &out, Operators.Multiply<S>())
    case .divide: zipRows(a, b, &out, Operators.Divide<S>())
    case .maximum: zipRows(a, b, &out, Operators.Maximum<S>())
    case .minimum: zipRows(a, b, &out, Operators.Minimum<S>())
    case .power: zipRows(a, b, &out, Operators.Power<S>())
    case .equal: zipRows(a, b, &out, Operators.Equal<S>())
    case .notEqual: zipRows(a, b, &out, Operators.NotEqual<S>())
    case .less: zipRows(a, b, &out, Operators.Less<S>())
    case .lessEqual: zipRows(a, b, &out, Operators.LessEqual<S>())
    case .greater: zipRows(a, b, &out, Operators.Greater<S>())
    case .greaterEqual: zipRows(a, b, &out, Operators.GreaterEqual<S>())
    case .reluBackward: zipRows(a, b, &out, Operators.ReLUBackward<S>())
    case .addScaled(let alpha): zipRows(a, b, &out, Operators.AddScaled(alpha: alpha))
    }
  }
  /// Writes `condition != 0 ? a : b` into `out`, broadcasting all three.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func select<S>(
    _ condition: Tensor<S>, _ a: Tensor<S>, _ b: Tensor<S>, into out: inout Tensor<S>
  ) {
    // Two passes of the two-input walk: out = b, then a where the condition holds.
    map(.identity, b, into: &out)
    let loop = StridedLoop(output: out, condition, a)
    let (target, mask, source) = (out.storage.base, condition.storage.base, a.storage.base)
    let (so, sc, sa) = (loop.rowStride(0), loop.rowStride(1), loop.rowStride(2))
    loop.run { o0, o1, o2, n in
      for i in 0..<n where mask[o1 + i * sc] != 0 { target[o0 + i * so] = source[o2 + i * sa] }
    }
  }

  /// One input's row loop: the fast paths and the general walk of a unary function.
  @inline(__always)
  static func mapRows<S, Op: UnaryOperator>(_ input: Tensor<S>, _ out: inout Tensor<S>, _ f: Op)
  where Op.S == S {
    let loop = StridedLoop(output: out, input)
    let (target, source) = (out.storage.base, UnsafePointer(input.storage.base))
    let (so, sa) = (loop.rowStride(0), loop.rowStride(1))
    withExtendedLifetime(input.storage) {
      loop.run { o0, o1, _, n in
        let (o, x) = (target + o0, source + o1)
        if so == 1 && sa == 1 {
          for i in 0..<n { o[i] = f(x[i]) }
        } else if so == 1 && sa == 0 {
          let value = f(x[0])
          for i in 0..<n { o[i] = value }
        } else {
          for i in 0..<n { o[i * so] = f(x[i * sa]) }
        }
      }
    }
  }

  /// Two inputs' row loop: the fast paths and the general walk of a binary function.
  @inline(__always)
  static func zipRows<S, Op: BinaryOperator>(
    _ a: Tensor<S>, _ b: Tensor<S>, _ out: inout Tensor<S>, _ f: Op
  ) where Op.S == S {
    let loop = StridedLoop(output: out, a, b)
    let target = out.storage.base
    let (left, right) = (UnsafePointer(a.storage.base), UnsafePointer(b.storage.base))
    let (so, sa, sb) = (loop.rowStride(0), loop.rowStride(1), loop.rowStride(2))
    withExtendedLifetime((a.storage, b.storage)) {
      loop.run { o0, o1, o2, n in
        let (o, x, y) = (target + o0, left + o1, right + o2)
        if so == 1 && sa == 1 && sb == 1 {
          for i in 0..<n { o[i] = f(x[i], y[i]) }
        } else if so == 1 && sa == 1 && sb == 0 {
          let value = y[0]
          for i in 0..<n { o[i] = f(x[i], value) }
        } else if so == 1 && sa == 0 && sb == 1 {
          let value = x[0]
          for i in 0..<n { o[i] = f(value, y[i]) }
        } else {
          for i in 0..<n { o[i * so] = f(x[i * sa], y[i * sb]) }
        }
      }
    }
  }
}
