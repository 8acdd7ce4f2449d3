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

  /// Row-major strides of `shape`.
  static func strides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var running = 1
    for axis in shape.indices.reversed() {
      strides[axis] = running
      running *= shape[axis]
    }
    return strides
  }

  /// For every element of a tensor of shape `target`, the flat index of the element of a tensor of
  /// shape `source` that broadcasts onto it.
  static func sourceIndices(from source: [Int], to target: [Int]) -> [Int] {
    let rank = target.count
    let padded = [Int](repeating: 1, count: rank - source.count) + source
    let sourceStrides = strides(padded).enumerated().map { padded[$0.offset] == 1 ? 0 : $0.element }
    let total = target.reduce(1, *)
    var indices = [Int](repeating: 0, count: total)
    var counter = [Int](repeating: 0, count: rank)
    var offset = 0
    for flat in 0..<total {
      indices[flat] = offset
      var axis = rank - 1
      while axis >= 0 {
        counter[axis] += 1
        offset += sourceStrides[axis]
        if counter[axis] < target[axis] { break }
        offset -= sourceStrides[axis] * counter[axis]
        counter[axis] = 0
        axis -= 1
      }
    }
    return indices
  }
}

extension Tensor {
  /// This tensor's elements repeated to fill `target`, to which its shape must broadcast.
  public func broadcast(to target: [Int]) -> Tensor {
    if shape == target { return self }
    precondition(
      Broadcast.shape(shape, target) == target, "shape \(shape) does not broadcast to \(target)")
    let indices = Broadcast.sourceIndices(from: shape, to: target)
    let value = Tensor(shape: target, scalars: indices.map { scalars[$0] })
    let sourceShape = shape
    return .differentiable(value, inputs: [self]) { grad in [grad.unbroadcast(to: sourceShape)] }
  }

  /// Sums this (constant) gradient over the axes along which a tensor of shape `source` was
  /// broadcast, giving a tensor of shape `source`.
  func unbroadcast(to source: [Int]) -> Tensor {
    if shape == source { return self }
    let indices = Broadcast.sourceIndices(from: source, to: shape)
    var result = [Scalar](repeating: 0, count: source.reduce(1, *))
    for (flat, target) in indices.enumerated() { result[target] += scalars[flat] }
    return Tensor(shape: source, scalars: result)
  }
}
