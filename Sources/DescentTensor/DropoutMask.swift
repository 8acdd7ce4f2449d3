extension Tensor {
  /// Dropout as in training, like `torch.nn.functional.dropout(x, p, training=True)`: each element
  /// is zeroed with probability `p` and the others are scaled by `1 / (1 - p)`, so the expected
  /// value is unchanged; the gradient flows through the same mask. The mask is drawn from
  /// `generator`, one uniform number per element in row-major order.
  ///
  /// - Precondition: `0 <= p <= 1`.
  public func dropout(p: Double, generator: inout SeededGenerator) -> Tensor {
    precondition(p >= 0 && p <= 1, "dropout: probability \(p) is not between 0 and 1")
    if p == 0 { return self }
    let keep = 1 - p
    let scale: Scalar = p == 1 ? 0 : 1 / Scalar(keep)
    let mask = Tensor(uninitializedShape: shape)
    let target = mask.storage.base
    for index in 0..<mask.count {
      target[index] = generator.nextUnit() < keep ? scale : 0
    }
    return self * mask
  }

  /// Dropout as in training with the mask drawn from the global generator (see
  /// ``GlobalGenerator/manualSeed(_:)``), so that runs repeat after reseeding.
  ///
  /// - Precondition: `0 <= p <= 1`.
  public func dropout(p: Double) -> Tensor {
    GlobalGenerator.withGenerator { dropout(p: p, generator: &$0) }
  }
}
