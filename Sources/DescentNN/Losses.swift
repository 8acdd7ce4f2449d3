/// The mean cross-entropy between `logits` (`[batch, classes]`) and integer class `labels`, like
/// `torch.nn.functional.cross_entropy` with mean reduction; computed stably through log-softmax.
///
/// - Precondition: one label per row, each in `0..<classes`.
public func crossEntropy<Scalar>(logits: Tensor<Scalar>, labels: [Int]) -> Tensor<Scalar> {
  precondition(logits.rank == 2, "crossEntropy needs [batch, classes] logits, not \(logits.shape)")
  let (batch, classes) = (logits.shape[0], logits.shape[1])
  precondition(labels.count == batch, "\(labels.count) labels for a batch of \(batch)")
  precondition(labels.allSatisfy { $0 >= 0 && $0 < classes }, "a label outside 0..<\(classes)")
  let logProbabilities = logits.logSoftmax(axis: 1)
  var pick = [Scalar](repeating: 0, count: batch * classes)
  for (row, label) in labels.enumerated() { pick[row * classes + label] = -1 / Scalar(batch) }
  return (logProbabilities * Tensor(shape: [batch, classes], scalars: pick)).sum()
}

/// The mean squared error between `input` and `target`, like `torch.nn.functional.mse_loss`.
public func mseLoss<Scalar>(_ input: Tensor<Scalar>, _ target: Tensor<Scalar>) -> Tensor<Scalar> {
  let difference = input - target
  return (difference * difference).mean()
}
