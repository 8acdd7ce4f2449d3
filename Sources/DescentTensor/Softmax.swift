extension Tensor {
  /// The softmax along `axis` (by default the last), computed stably.
  public func softmax(axis: Int = -1) -> Tensor {
    logSoftmax(axis: axis).exp()
  }

  /// The logarithm of the softmax along `axis` (by default the last), computed stably as
  /// `x - max - log(sum(exp(x - max)))`.
  public func logSoftmax(axis: Int = -1) -> Tensor {
    let axis = resolvedAxis(axis)
    let (outer, extent, inner) = split(at: axis)
    var out = [Scalar](repeating: 0, count: count)
    for o in 0..<outer {
      for i in 0..<inner {
        let index = { (e: Int) in (o * extent + e) * inner + i }
        var largest = -Scalar.infinity
        for e in 0..<extent { largest = Swift.max(largest, scalars[index(e)]) }
        var total: Scalar = 0
        for e in 0..<extent { total += Scalar.exp(scalars[index(e)] - largest) }
        let logTotal = largest + Scalar.log(total)
        for e in 0..<extent { out[index(e)] = scalars[index(e)] - logTotal }
      }
    }
    let value = Tensor(shape: shape, scalars: out)
    return .differentiable(value, inputs: [self]) { grad in
      // d/dx: grad - softmax * sum(grad) along the axis.
      let probabilities = value.map(
        vector: { $0.elementwise { Scalar.exp($0) } }, scalar: { Scalar.exp($0) })
      let totals = grad.sum(axis: axis, keepingDims: true)
      return [grad - probabilities * totals]
    }
  }
}
