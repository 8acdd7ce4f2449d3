extension Tensor {
  /// The same elements with another shape of the same element count; one extent may be -1.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    var resolved = newShape
    if let unknown = newShape.firstIndex(of: -1) {
      let known = newShape.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
      precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
      resolved[unknown] = count / known
    }
    precondition(resolved.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
    let inputShape = shape
    return .differentiable(reshapedValues(resolved), inputs: [self]) {
      [$0.reshapedValues(inputShape)]
    }
  }

  /// The constant values with another shape.
  func reshapedValues(_ newShape: [Int]) -> Tensor { Tensor(shape: newShape, scalars: scalars) }

  /// The transpose of a 2-D tensor.
  public func transposed() -> Tensor {
    precondition(rank == 2, "transposed() needs a 2-D tensor, not shape \(shape)")
    return .differentiable(transposedValues(), inputs: [self]) { [$0.transposedValues()] }
  }

  func transposedValues() -> Tensor {
    let (rows, columns) = (shape[0], shape[1])
    var out = [Scalar](repeating: 0, count: count)
    for r in 0..<rows {
      for c in 0..<columns { out[c * rows + r] = scalars[r * columns + c] }
    }
    return Tensor(shape: [columns, rows], scalars: out)
  }

  /// The rows (slices along the first axis) at `indices`, in that order; indices may repeat.
  public func gatherRows(_ indices: [Int]) -> Tensor {
    precondition(rank >= 1, "gatherRows of a scalar")
    let rowSize = count / Swift.max(shape[0], 1)
    var out = [Scalar]()
    out.reserveCapacity(indices.count * rowSize)
    for index in indices {
      precondition(index >= 0 && index < shape[0], "row \(index) out of range for shape \(shape)")
      out.append(contentsOf: scalars[(index * rowSize)..<((index + 1) * rowSize)])
    }
    let inputShape = shape
    var outShape = shape
    outShape[0] = indices.count
    return .differentiable(Tensor(shape: outShape, scalars: out), inputs: [self]) { grad in
      var back = [Scalar](repeating: 0, count: inputShape.reduce(1, *))
      for (slot, index) in indices.enumerated() {
        for offset in 0..<rowSize {
          back[index * rowSize + offset] += grad.scalars[slot * rowSize + offset]
        }
      }
      return [Tensor(shape: inputShape, scalars: back)]
    }
  }

  /// The rows in `range` (a slice along the first axis).
  public func rows(_ range: Range<Int>) -> Tensor {
    precondition(
      range.lowerBound >= 0 && range.upperBound <= shape[0], "rows \(range) of shape \(shape)")
    return gatherRows(Array(range))
  }

  /// Joins tensors along `axis`; all other extents must agree.
  public static func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    precondition(!tensors.isEmpty, "concatenating no tensors")
    let first = tensors[0]
    let axis = first.resolvedAxis(axis)
    for tensor in tensors {
      var a = tensor.shape
      var b = first.shape
      precondition(a.count == b.count, "concatenating shapes \(first.shape) and \(tensor.shape)")
      a[axis] = 0
      b[axis] = 0
      precondition(a == b, "concatenating shapes \(first.shape) and \(tensor.shape) along \(axis)")
    }
    let outer = first.shape[..<axis].reduce(1, *)
    let blocks = tensors.map { $0.count / Swift.max(outer, 1) }
    var out = [Scalar]()
    out.reserveCapacity(tensors.reduce(0) { $0 + $1.count })
    for o in 0..<outer {
      for (tensor, block) in zip(tensors, blocks) {
        out.append(contentsOf: tensor.scalars[(o * block)..<((o + 1) * block)])
      }
    }
    var outShape = first.shape
    outShape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
    let shapes = tensors.map(\.shape)
    return .differentiable(Tensor(shape: outShape, scalars: out), inputs: tensors) { grad in
      var parts = shapes.map { [Scalar]().reserving($0.reduce(1, *)) }
      var cursor = 0
      for _ in 0..<outer {
        for (index, block) in blocks.enumerated() {
          parts[index].append(contentsOf: grad.scalars[cursor..<(cursor + block)])
          cursor += block
        }
      }
      return zip(shapes, parts).map { Tensor(shape: $0, scalars: $1) }
    }
  }
}

extension Array {
  /// The array with room reserved for `capacity` elements.
  fileprivate func reserving(_ capacity: Int) -> Array {
    var copy = self
    copy.reserveCapacity(capacity)
    return copy
  }
}
