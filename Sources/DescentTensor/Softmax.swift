extension Kernels {
  /// Writes the log-softmax of each contiguous row of `extent` elements of `input` into `out`;
  /// with `probabilities`, also the softmax.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func logSoftmaxRows<S: TensorScalar>(
    _ input: UnsafePointer<S>, rows: Int, extent: Int, into out: UnsafeMutablePointer<S>
  ) {
    for row in 0..<rows {
      let (x, y) = (input + row * extent, out + row * extent)
      var largest = -S.infinity
      for e in 0..<extent where !(x[e] <= largest) { largest = x[e] }
      var total: S = 0
      for e in 0..<extent { total += S.kernelExp(x[e] - largest) }
      let logTotal = largest + S.log(total)
      for e in 0..<extent { y[e] = x[e] - logTotal }
    }
  }

  /// For logits `[rows, classes]` and a label per row: the summed cross-entropy, and the softmax
  /// minus the one-hot label, scaled by `scale`, in `gradient` (the loss's gradient).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func softmaxCrossEntropyRows<S: TensorScalar>(
    _ logits: UnsafePointer<S>, labels: [Int], classes: Int, scale: S,
    gradient: UnsafeMutablePointer<S>
  ) -> S {
    var loss: S = 0
    for (row, label) in labels.enumerated() {
      let (x, g) = (logits + row * classes, gradient + row * classes)
      var largest = -S.infinity
      for c in 0..<classes where !(x[c] <= largest) { largest = x[c] }
      var total: S = 0
      for c in 0..<classes {
        let e = S.kernelExp(x[c] - largest)
        g[c] = e
        total += e
      }
      loss += largest + S.log(total) - x[label]
      let factor = scale / total
      for c in 0..<classes { g[c] *= factor }
      g[label] -= scale
    }
    return loss
  }
}

extension Tensor {
  /// The softmax along `axis` (by default the last), computed stably.
  public func softmax(axis: Int = -1) -> Tensor {
    logSoftmax(axis: axis).exp()
  }

  /// The logarithm of the softmax along `axis` (by default the last), computed stably as
  /// `x - max - log(sum(exp(x - max)))`.
  public func logSoftmax(axis: Int = -1) -> Tensor {
    let axis = resolvedAxis(axis)
    let moved = movingAxisToEnd(axis).detached.contiguous()
    let extent = shape[axis]
    let out = Tensor(uninitializedShape: moved.shape)
    if extent > 0 {
      withExtendedLifetime(moved.storage) {
        Kernels.logSoftmaxRows(
          moved.storage.base + moved.offset, rows: count / extent, extent: extent,
          into: out.storage.base)
      }
    }
    var order = Array(0..<(rank - 1))
    order.insert(rank - 1, at: axis)
    let value = out.permuted(order)
    return Tensor.record(value, self) { grad, _ in
      // d/dx: grad - softmax * sum(grad) along the axis.
      let totals = grad.summedValues(axes: [axis])
      let scaled = Tensor.zipValues(.multiply, value.mapValues(.exp), totals, op: "logSoftmax")
      return [Tensor.zipValues(.subtract, grad, scaled, op: "logSoftmax")]
    }
  }

  /// The mean cross-entropy of logits `[batch, classes]` against a class index per row, in one
  /// fused pass (softmax, loss and its gradient), like `torch.nn.functional.cross_entropy`.
  ///
  /// - Precondition: one label per row, each in `0..<classes` (check labels from outside input
  ///   before calling).
  public func softmaxCrossEntropy(labels: [Int]) -> Tensor {
    precondition(rank == 2, "softmaxCrossEntropy needs [batch, classes] logits, not \(shape)")
    let (batch, classes) = (shape[0], shape[1])
    precondition(labels.count == batch, "\(labels.count) labels for a batch of \(batch)")
    precondition(
      labels.allSatisfy { $0 >= 0 && $0 < classes }, "a label outside 0..<\(classes)")
    let logits = detached.contiguous()
    let gradient = Tensor(uninitializedShape: shape)
    let total = withExtendedLifetime(logits.storage) {
      Kernels.softmaxCrossEntropyRows(
        logits.storage.base + logits.offset, labels: labels, classes: classes,
        scale: 1 / Scalar(Swift.max(batch, 1)), gradient: gradient.storage.base)
    }
    let value = Tensor(total / Scalar(Swift.max(batch, 1)))
    return Tensor.record(value, self) { grad, _ in
      let seed = grad.item
      return [seed == 1 ? gradient : gradient.mapValues(.affine(seed, 0))]
    }
  }
}
