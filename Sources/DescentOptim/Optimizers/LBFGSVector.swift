import DescentTensor

/// The vector arithmetic of LBFGS over flat arrays, in the parameters' precision.
enum LBFGSVector {
  /// `a . b`, accumulated in order.
  static func dot<Scalar: TensorScalar>(_ a: [Scalar], _ b: [Scalar]) -> Double {
    var sum: Scalar = 0
    for index in a.indices { sum += a[index] * b[index] }
    return Double(sum)
  }

  /// `max |a_i * scale|` (`a.mul(scale).abs().max()`; 0 for an empty vector).
  static func maxMagnitude<Scalar: TensorScalar>(_ a: [Scalar], scaledBy scale: Double = 1)
    -> Double
  {
    let factor = Scalar(scale)
    return Double(a.reduce(0) { Swift.max($0, ($1 * factor).magnitude) })
  }

  /// `sum |a_i|`.
  static func sumMagnitude<Scalar: TensorScalar>(_ a: [Scalar]) -> Double {
    Double(a.reduce(0) { $0 + $1.magnitude })
  }

  /// `a * scale`.
  static func scaled<Scalar: TensorScalar>(_ a: [Scalar], _ scale: Double) -> [Scalar] {
    let factor = Scalar(scale)
    return a.map { $0 * factor }
  }

  /// `a += alpha * b` (`a.add_(b, alpha=alpha)`), fused as PyTorch's CPU kernel computes it.
  static func add<Scalar: TensorScalar>(_ a: inout [Scalar], _ b: [Scalar], alpha: Double) {
    a.withUnsafeMutableBufferPointer { add($0, b[...], alpha: alpha) }
  }

  /// `a += alpha * b` over a buffer and a slice of the same length, fused.
  static func add<Scalar: TensorScalar>(
    _ a: UnsafeMutableBufferPointer<Scalar>, _ b: ArraySlice<Scalar>, alpha: Double
  ) {
    let factor = Scalar(alpha)
    for (index, value) in zip(a.indices, b) { a[index] = a[index].addingProduct(factor, value) }
  }
}

/// Python's `min(a, b)`: `a` unless `b < a`.
func pythonMin(_ a: Double, _ b: Double) -> Double { b < a ? b : a }

/// Python's `max(a, b)`: `a` unless `b > a`.
func pythonMax(_ a: Double, _ b: Double) -> Double { b > a ? b : a }
