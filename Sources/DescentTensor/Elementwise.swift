extension Tensor {
  /// Applies `scalarOp` element by element; the SIMD form `vectorOp` does eight lanes at a time.
  @inlinable
  func map(
    vector vectorOp: (SIMD8<Scalar>) -> SIMD8<Scalar>, scalar scalarOp: (Scalar) -> Scalar
  ) -> Tensor {
    var out = [Scalar](repeating: 0, count: count)
    scalars.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { target in
        var index = 0
        while index + 8 <= source.count {
          let lanes = SIMD8<Scalar>(source[index..<index + 8])
          let result = vectorOp(lanes)
          for lane in 0..<8 { target[index + lane] = result[lane] }
          index += 8
        }
        while index < source.count {
          target[index] = scalarOp(source[index])
          index += 1
        }
      }
    }
    return Tensor(shape: shape, scalars: out)
  }

  /// Combines two tensors element by element after broadcasting them to a common shape.
  @inlinable
  func zipMap(
    _ other: Tensor, vector vectorOp: (SIMD8<Scalar>, SIMD8<Scalar>) -> SIMD8<Scalar>,
    scalar scalarOp: (Scalar, Scalar) -> Scalar
  ) -> Tensor {
    if shape == other.shape {
      var out = [Scalar](repeating: 0, count: count)
      scalars.withUnsafeBufferPointer { left in
        other.scalars.withUnsafeBufferPointer { right in
          out.withUnsafeMutableBufferPointer { target in
            var index = 0
            while index + 8 <= left.count {
              let result = vectorOp(
                SIMD8<Scalar>(left[index..<index + 8]), SIMD8<Scalar>(right[index..<index + 8]))
              for lane in 0..<8 { target[index + lane] = result[lane] }
              index += 8
            }
            while index < left.count {
              target[index] = scalarOp(left[index], right[index])
              index += 1
            }
          }
        }
      }
      return Tensor(shape: shape, scalars: out)
    }
    guard let target = Broadcast.shape(shape, other.shape) else {
      preconditionFailure("shapes \(shape) and \(other.shape) do not broadcast")
    }
    if other.count == 1 {
      let right = other.scalars[0]
      return broadcastValues(to: target).map(
        vector: { vectorOp($0, SIMD8(repeating: right)) }, scalar: { scalarOp($0, right) })
    }
    if count == 1 {
      let left = scalars[0]
      return other.broadcastValues(to: target).map(
        vector: { vectorOp(SIMD8(repeating: left), $0) }, scalar: { scalarOp(left, $0) })
    }
    let left = broadcastValues(to: target)
    let right = other.broadcastValues(to: target)
    return left.zipMap(right, vector: vectorOp, scalar: scalarOp)
  }

  /// The constant values broadcast to `target` (no autograd).
  @usableFromInline
  func broadcastValues(to target: [Int]) -> Tensor {
    if shape == target { return detached }
    let indices = Broadcast.sourceIndices(from: shape, to: target)
    return Tensor(shape: target, scalars: indices.map { scalars[$0] })
  }
}
