import DescentData
import DescentNN

/// One mini-batch of a classifier through autograd: the general path every model takes.
public enum ClassifierBatch {
  /// Runs the samples at `rows` of `features` through `model`, takes the mean cross-entropy
  /// against `labels` (one per row), and back-propagates its gradient times `scale` into the
  /// parameters' `grad` (added to what is there, as PyTorch accumulates; clear the gradients
  /// first for a fresh step). Returns the loss and the number of correctly classified samples.
  public static func lossAndGradient<Scalar>(
    model: any Module<Scalar>, features: Tensor<Scalar>, rows: [Int], labels: [Int],
    scale: Scalar = 1
  ) -> (loss: Double, correct: Int) {
    let logits = model(features.gatherRows(rows))
    let loss = crossEntropy(logits: logits, labels: labels)
    loss.backward(scale == 1 ? nil : Tensor(scale))
    let predictions = logits.detached.argmax(axis: 1)
    var correct = 0
    for (prediction, label) in zip(predictions, labels) where prediction == label { correct += 1 }
    return (Double(loss.item), correct)
  }
}
