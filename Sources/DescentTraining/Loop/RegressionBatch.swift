import DescentData
import DescentNN

/// One mini-batch of a regression model through autograd: the mean squared error of the model's
/// outputs against real-valued targets.
public enum RegressionBatch {
  /// Runs the samples at `rows` of `features` through `model`, takes the mean squared error
  /// against the same rows of `targets`, and back-propagates its gradient times `scale` into the
  /// parameters' `grad` (added to what is there). Returns the loss, and 0 for the correctly
  /// classified count (there are no classes).
  public static func lossAndGradient<Scalar>(
    model: any Module<Scalar>, features: Tensor<Scalar>, targets: Tensor<Scalar>, rows: [Int],
    scale: Scalar = 1
  ) -> (loss: Double, correct: Int) {
    let outputs = model(features.gatherRows(rows))
    let loss = mseLoss(outputs, targets.gatherRows(rows))
    loss.backward(scale == 1 ? nil : Tensor(scale))
    return (Double(loss.item), 0)
  }
}
