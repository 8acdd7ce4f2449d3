/// The mean cross-entropy between `logits` (`[batch, classes]`) and integer class `labels`, like
/// `torch.nn.functional.cross_entropy` with mean reduction; computed stably through log-softmax.
///
/// - Precondition: one label per row, each in `0..<classes`.
public func crossEntropy<Scalar>(logits: Tensor<Scalar>, labels: [Int]) -> Tensor<Scalar> {
  logits.softmaxCrossEntropy(labels: labels)
}

/// The mean squared error between `input` and `target`, like `torch.nn.functional.mse_loss`.
public func mseLoss<Scalar>(_ input: Tensor<Scalar>, _ target: Tensor<Scalar>) -> Tensor<Scalar> {
  let difference = input - target
  return (difference * difference).mean()
}
