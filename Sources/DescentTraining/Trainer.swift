import DescentData
import DescentNN
import DescentOptim
import Foundation

/// Loss and accuracy of a classifier over some samples.
public struct Evaluation: Equatable, Sendable {
  /// The mean cross-entropy.
  public var loss: Double
  /// The fraction of samples whose largest logit is the label.
  public var accuracy: Double
}

/// What one epoch of training gave.
public struct EpochReport: Equatable, Sendable {
  /// The epoch, counted from 1.
  public var epoch: Int
  /// Mean training loss over the epoch's batches (as they were trained) and training accuracy.
  public var train: Evaluation
  /// Loss and accuracy on the test set after the epoch.
  public var test: Evaluation
  /// Wall-clock seconds spent training the epoch (evaluation excluded).
  public var seconds: Double
}

/// A classifier training loop: mini-batches, cross-entropy, backward, step.
public final class Trainer<Scalar: TensorScalar> {
  /// The model trained.
  public let model: any Module<Scalar>
  /// The optimizer of the model's parameters.
  public let optimizer: any TrainingOptimizer<Scalar>
  /// The training batches.
  public let loader: BatchLoader<Scalar>
  /// Epochs completed so far.
  public private(set) var epochsDone = 0

  /// A trainer of `model` with `optimizer` over `loader`'s batches.
  public init(
    model: any Module<Scalar>, optimizer: any TrainingOptimizer<Scalar>, loader: BatchLoader<Scalar>
  ) {
    self.model = model
    self.optimizer = optimizer
    self.loader = loader
  }

  /// Trains one epoch and returns its mean loss and accuracy over the batches as trained.
  /// `afterStep` is called after each optimizer step with the batch index and its loss.
  @discardableResult
  public func trainEpoch(afterStep: (Int, Double) -> Void = { _, _ in }) -> Evaluation {
    var totalLoss = 0.0
    var correct = 0
    var seen = 0
    for (index, batch) in loader.batches(epoch: epochsDone).enumerated() {
      let loss = optimizer.step {
        optimizer.zeroGrad(setToNil: true)
        let logits = model(batch.features)
        let loss = crossEntropy(logits: logits, labels: batch.labels)
        loss.backward()
        correct += zip(logits.argmax(axis: 1), batch.labels).filter { $0 == $1 }.count
        return Double(loss.item)
      }
      totalLoss += loss * Double(batch.labels.count)
      seen += batch.labels.count
      afterStep(index, loss)
    }
    epochsDone += 1
    return Evaluation(
      loss: totalLoss / Double(max(seen, 1)), accuracy: Double(correct) / Double(max(seen, 1)))
  }

  /// Loss and accuracy of the model on `dataset`, without recording gradients.
  public func evaluate(_ dataset: Dataset<Scalar>) -> Evaluation {
    Trainer.evaluate(model, on: dataset)
  }

  /// Loss and accuracy of `model` on `dataset`, without recording gradients.
  public static func evaluate(_ model: any Module<Scalar>, on dataset: Dataset<Scalar>)
    -> Evaluation
  {
    withNoGrad {
      let logits = model(dataset.features)
      let loss = crossEntropy(logits: logits, labels: dataset.labels).item
      let correct = zip(logits.argmax(axis: 1), dataset.labels).filter { $0 == $1 }.count
      return Evaluation(
        loss: Double(loss), accuracy: Double(correct) / Double(max(dataset.count, 1)))
    }
  }
}
