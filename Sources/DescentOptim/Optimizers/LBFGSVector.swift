import DescentTensor

/// The vector arithmetic of LBFGS over flat arrays, in the parameters' precision: plain loops
/// over buffers, specialized for Float and Double (LBFGS's own methods are generic and would
/// otherwise run every element through the generic runtime).
enum LBFGSVector {
  /// `a . b`, accumulated in order.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  static func dot<Scalar: TensorScalar>(_ a: [Scalar], _ b: [Scalar]) -> Double {
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        var sum: Scalar = 0
        for index in 0..<a.count { sum += a[index] * b[index] }
        return Double(sum)
      }
    }
  }

  /// `max |a_i * scale|` (`a.mul(scale).abs().max()`; 0 for an empty vector).
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  static func maxMagnitude<Scalar: TensorScalar>(_ a: [Scalar], scaledBy scale: Double = 1)
    -> Double
  {
    let factor = Scalar(scale)
    return a.withUnsafeBufferPointer { a in
      var largest: Scalar = 0
      for value in a { largest = Swift.max(largest, (value * factor).magnitude) }
      return Double(largest)
    }
  }

  /// `sum |a_i|`.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  static func sumMagnitude<Scalar: TensorScalar>(_ a: [Scalar]) -> Double {
    a.withUnsafeBufferPointer { a in
      var sum: Scalar = 0
      for value in a { sum += value.magnitude }
      return Double(sum)
    }
  }

  /// `a * scale`.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  static func scaled<Scalar: TensorScalar>(_ a: [Scalar], _ scale: Double) -> [Scalar] {
    let factor = Scalar(scale)
    return a.withUnsafeBufferPointer { a in
      [Scalar](unsafeUninitializedCapacity: a.count) { result, initialized in
        for index in 0..<a.count { result[index] = a[index] * factor }
        initialized = a.count
      }
    }
  }

  /// `a - b`.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  static func difference<Scalar: TensorScalar>(_ a: [Scalar], _ b: [Scalar]) -> [Scalar] {
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        [Scalar](unsafeUninitializedCapacity: a.count) { result, initialized in
          for index in 0..<a.count { result[index] = a[index] - b[index] }
          initialized = a.count
        }
      }
    }
  }

  /// `-a`.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  static func negated<Scalar: TensorScalar>(_ a: [Scalar]) -> [Scalar] {
    a.withUnsafeBufferPointer { a in
      [Scalar](unsafeUninitializedCapacity: a.count) { result, initialized in
        for index in 0..<a.count { result[index] = -a[index] }
        initialized = a.count
      }
    }
  }

  /// `a += alpha * b` (`a.add_(b, alpha=alpha)`), fused as PyTorch's CPU kernel computes it.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  static func add<Scalar: TensorScalar>(_ a: inout [Scalar], _ b: [Scalar], alpha: Double) {
    a.withUnsafeMutableBufferPointer { add($0, b[...], alpha: alpha) }
  }

  /// `a += alpha * b` over a buffer and a slice of the same length, fused.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  static func add<Scalar: TensorScalar>(
    _ a: UnsafeMutableBufferPointer<Scalar>, _ b: ArraySlice<Scalar>, alpha: Double
  ) {
    let factor = Scalar(alpha)
    b.withUnsafeBufferPointer { b in
      for index in 0..<a.count { a[index] = a[index].addingProduct(factor, b[index]) }
    }
  }

  /// The concatenation of `parts`, each `nil` part standing for `counts[i]` zeros.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  static func concatenated<Scalar: TensorScalar>(_ parts: [[Scalar]?], counts: [Int]) -> [Scalar] {
    var flat = [Scalar](repeating: 0, count: counts.reduce(0, +))
    flat.withUnsafeMutableBufferPointer { flat in
      var offset = 0
      for (part, count) in zip(parts, counts) {
        part?.withUnsafeBufferPointer { part in
          precondition(part.count == count, "a gradient's size differs from its parameter's")
          for index in 0..<count { flat[offset + index] = part[index] }
        }
        offset += count
      }
    }
    return flat
  }

  /// Copies `values[offset..<offset + destination.count]` into `destination`.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  static func copy<Scalar: TensorScalar>(
    _ values: [Scalar], from offset: Int, into destination: UnsafeMutableBufferPointer<Scalar>
  ) {
    values.withUnsafeBufferPointer { values in
      for index in 0..<destination.count { destination[index] = values[offset + index] }
    }
  }
}

/// Python's `min(a, b)`: `a` unless `b < a`.
func pythonMin(_ a: Double, _ b: Double) -> Double { b < a ? b : a }

/// Python's `max(a, b)`: `a` unless `b > a`.
func pythonMax(_ a: Double, _ b: Double) -> Double { b > a ? b : a }
