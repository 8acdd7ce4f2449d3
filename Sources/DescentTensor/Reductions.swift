extension Tensor {
  /// Normalises a possibly negative axis against the rank.
  func resolvedAxis(_ axis: Int) -> Int {
    let resolved = axis < 0 ? axis + rank : axis
    precondition(resolved >= 0 && resolved < rank, "axis \(axis) out of range for shape \(shape)")
    return resolved
  }

  /// Splits the shape around `axis` into (outer, extent, inner) counts.
  func split(at axis: Int) -> (outer: Int, extent: Int, inner: Int) {
    (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
  }

  /// The sum of all elements, a scalar tensor.
  public func sum() -> Tensor {
    let value = Tensor(scalars.reduce(0, +))
    let inputShape = shape
    return .differentiable(value, inputs: [self]) { grad in
      [Tensor(repeating: grad.scalars[0], shape: inputShape)]
    }
  }

  /// The sum along `axis` (negative counts from the end); the axis is kept with extent 1 when
  /// `keepingDims` is true.
  public func sum(axis: Int, keepingDims: Bool = false) -> Tensor {
    let axis = resolvedAxis(axis)
    let (outer, extent, inner) = split(at: axis)
    var out = [Scalar](repeating: 0, count: outer * inner)
    for o in 0..<outer {
      for e in 0..<extent {
        let base = (o * extent + e) * inner
        for i in 0..<inner { out[o * inner + i] += scalars[base + i] }
      }
    }
    var keptShape = shape
    keptShape[axis] = 1
    var outShape = keptShape
    if !keepingDims { outShape.remove(at: axis) }
    let inputShape = shape
    return .differentiable(Tensor(shape: outShape, scalars: out), inputs: [self]) { grad in
      [grad.reshapedValues(keptShape).broadcastValues(to: inputShape)]
    }
  }

  /// The mean of all elements, a scalar tensor.
  public func mean() -> Tensor { sum() / Scalar(Swift.max(count, 1)) }

  /// The mean along `axis`.
  public func mean(axis: Int, keepingDims: Bool = false) -> Tensor {
    sum(axis: axis, keepingDims: keepingDims) / Scalar(shape[resolvedAxis(axis)])
  }

  /// The largest element, a scalar tensor; the gradient goes to the first maximal element.
  public func max() -> Tensor {
    precondition(count > 0, "max of an empty tensor")
    let index = scalars.indices.max {
      scalars[$0] < scalars[$1] || ($0 > $1 && scalars[$0] == scalars[$1])
    }!
    let inputShape = shape
    return .differentiable(Tensor(scalars[index]), inputs: [self]) { grad in
      var out = [Scalar](repeating: 0, count: inputShape.reduce(1, *))
      out[index] = grad.scalars[0]
      return [Tensor(shape: inputShape, scalars: out)]
    }
  }

  /// The largest elements along `axis`; the gradient goes to the first maximal element of each.
  public func max(axis: Int, keepingDims: Bool = false) -> Tensor {
    let axis = resolvedAxis(axis)
    let (outer, extent, inner) = split(at: axis)
    let winners = argmaxIndices(outer: outer, extent: extent, inner: inner)
    var keptShape = shape
    keptShape[axis] = 1
    var outShape = keptShape
    if !keepingDims { outShape.remove(at: axis) }
    let value = Tensor(shape: outShape, scalars: winners.map { scalars[$0] })
    let inputShape = shape
    return .differentiable(value, inputs: [self]) { grad in
      var out = [Scalar](repeating: 0, count: inputShape.reduce(1, *))
      for (slot, index) in winners.enumerated() { out[index] += grad.scalars[slot] }
      return [Tensor(shape: inputShape, scalars: out)]
    }
  }

  /// The positions of the largest elements along `axis` (first on ties), in row-major order of
  /// the remaining axes.
  public func argmax(axis: Int) -> [Int] {
    let axis = resolvedAxis(axis)
    let (outer, extent, inner) = split(at: axis)
    return argmaxIndices(outer: outer, extent: extent, inner: inner).map { ($0 / inner) % extent }
  }

  /// Flat indices of the first maximum of each line along the split axis.
  private func argmaxIndices(outer: Int, extent: Int, inner: Int) -> [Int] {
    precondition(extent > 0, "max over an empty axis of shape \(shape)")
    var winners = [Int](repeating: 0, count: outer * inner)
    for o in 0..<outer {
      for i in 0..<inner {
        var best = o * extent * inner + i
        for e in 1..<Swift.max(extent, 1) {
          let index = (o * extent + e) * inner + i
          if scalars[index] > scalars[best] { best = index }
        }
        winners[o * inner + i] = best
      }
    }
    return winners
  }
}
