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

/// The element-wise kernels: each function's formula written once, run over pointers and strides
/// with a contiguous fast path, fast paths for a broadcast operand (a row vector over a matrix, a
/// scalar) and a general strided walk, on several threads when large.
enum Kernels {
  /// Writes `function(input)` into `out` (whose shape `input` broadcasts to).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func map<S>(_ function: UnaryFunction<S>, _ input: Tensor<S>, into out: inout Tensor<S>) {
    switch function {
    case .identity: mapRows(input, &out) { $0 }
    case .negate: mapRows(input, &out) { -$0 }
    case .exp: mapRows(input, &out) { S.exp($0) }
    case .log: mapRows(input, &out) { S.log($0) }
    case .sqrt: mapRows(input, &out) { $0.squareRoot() }
    case .abs: mapRows(input, &out) { Swift.abs($0) }
    case .sign: mapRows(input, &out) { $0 > 0 ? 1 : ($0 < 0 ? -1 : ($0 == 0 ? 0 : $0)) }
    case .relu: mapRows(input, &out) { $0 < 0 ? 0 : $0 }
    case .sigmoid: mapRows(input, &out) { 1 / (1 + S.exp(-$0)) }
    case .tanh: mapRows(input, &out) { S.tanh($0) }
    case .sin: mapRows(input, &out) { S.sin($0) }
    case .cos: mapRows(input, &out) { S.cos($0) }
    case .square: mapRows(input, &out) { $0 * $0 }
    case .reciprocal: mapRows(input, &out) { 1 / $0 }
    case .pow(let exponent): mapRows(input, &out) { S.pow($0, exponent) }
    case .clamp(let low, let high):
      mapRows(input, &out) { $0.isNaN ? $0 : Swift.min(Swift.max($0, low), high) }
    case .affine(let scale, let shift): mapRows(input, &out) { $0 * scale + shift }
    }
  }

  /// Writes `function(a, b)` into `out` (whose shape `a` and `b` broadcast to).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func zip<S>(
    _ function: BinaryFunction<S>, _ a: Tensor<S>, _ b: Tensor<S>, into out: inout Tensor<S>
  ) {
    switch function {
    case .add: zipRows(a, b, &out) { $0 + $1 }
    case .subtract: zipRows(a, b, &out) { $0 - $1 }
    case .multiply: zipRows(a, b, &out) { $0 * $1 }
    case .divide: zipRows(a, b, &out) { $0 / $1 }
    case .maximum: zipRows(a, b, &out) { $0.isNaN || $0 >= $1 ? $0 : $1 }
    case .minimum: zipRows(a, b, &out) { $0.isNaN || $0 <= $1 ? $0 : $1 }
    case .power: zipRows(a, b, &out) { S.pow($0, $1) }
    case .equal: zipRows(a, b, &out) { $0 == $1 ? 1 : 0 }
    case .notEqual: zipRows(a, b, &out) { $0 != $1 ? 1 : 0 }
    case .less: zipRows(a, b, &out) { $0 < $1 ? 1 : 0 }
    case .lessEqual: zipRows(a, b, &out) { $0 <= $1 ? 1 : 0 }
    case .greater: zipRows(a, b, &out) { $0 > $1 ? 1 : 0 }
    case .greaterEqual: zipRows(a, b, &out) { $0 >= $1 ? 1 : 0 }
    case .reluBackward: zipRows(a, b, &out) { $1 > 0 ? $0 : 0 }
    case .addScaled(let alpha): zipRows(a, b, &out) { $0 + alpha * $1 }
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
  static func mapRows<S>(_ input: Tensor<S>, _ out: inout Tensor<S>, _ f: (S) -> S) {
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
  static func zipRows<S>(
    _ a: Tensor<S>, _ b: Tensor<S>, _ out: inout Tensor<S>, _ f: (S, S) -> S
  ) {
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
