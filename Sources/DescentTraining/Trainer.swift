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
  /// Epochs completed so far; the next epoch's batches are those of this epoch number (set it
  /// when resuming from a checkpoint).
  public var epochsDone = 0
  /// The current batch's labels, reused from step to step.
  private var batchLabels: [Int] = []
  /// Batches whose gradients are accumulated into each step (1: a step per batch).
  public private(set) var accumulationSteps = 1
  /// The maximum global 2-norm of the gradients, or `nil` for no clipping.
  public private(set) var clipNorm: Double?
  /// Why the last ``trainEpoch(afterStep:)`` stopped early: a step whose loss was not finite
  /// (the rest of the epoch was skipped); `nil` when every loss was finite. See ``checkFinite()``.
  public private(set) var divergence: TrainingError?

  /// Accumulates `steps` batches per optimizer step (gradient accumulation).
  ///
  /// - Throws: ``TrainingError/invalidOption(_:_:)`` unless `steps >= 1`.
  public func setAccumulationSteps(_ steps: Int) throws {
    guard steps >= 1 else {
      throw TrainingError.invalidOption("accumulate", "\(steps) (must be >= 1)")
    }
    accumulationSteps = steps
  }

  /// Clips the gradients' global 2-norm to `maxNorm` before every step (`nil`: no clipping).
  ///
  /// - Throws: ``TrainingError/invalidOption(_:_:)`` unless `maxNorm` is finite and positive.
  public func setClipNorm(_ maxNorm: Double?) throws {
    if let maxNorm, !(maxNorm > 0 && maxNorm.isFinite) {
      throw TrainingError.invalidOption("clip-norm", "\(maxNorm) (must be finite and > 0)")
    }
    clipNorm = maxNorm
  }

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
  /// With ``accumulationSteps`` k > 1, each step accumulates the gradients of k consecutive
  /// batches, each scaled by 1/k (so k batches of b equal one batch of k·b, for equal sizes), and
  /// `afterStep` receives the index of the step and the mean loss of its batches. A step whose
  /// loss is not finite ends the epoch, without `afterStep`, and is recorded in ``divergence``.
  @discardableResult
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func trainEpoch(afterStep: (Int, Double) -> Void = { _, _ in }) -> Evaluation {
    var totalLoss = 0.0
    var correct = 0
    var seen = 0
    let features = loader.dataset.features
    let allLabels = loader.dataset.labels
    let batches = loader.batchIndices(epoch: epochsDone)
    let k = accumulationSteps
    divergence = nil
    for (index, first) in stride(from: 0, to: batches.count, by: k).enumerated() {
      let group = batches[first..<min(first + k, batches.count)]
      // Accuracy counts the first evaluation of each step only: LBFGS evaluates many times.
      var firstEvaluation = true
      let loss = optimizer.step {
        var total = 0.0
        for (offset, rows) in group.enumerated() {
          // The batch's labels go into a buffer kept between steps: no allocation per step.
          batchLabels.removeAll(keepingCapacity: true)
          for row in rows { batchLabels.append(allLabels[row]) }
          let (loss, right) = lossAndGradient(
            features: features, rows: rows, labels: batchLabels,
            scale: 1 / Scalar(group.count), accumulate: offset > 0)
          if firstEvaluation { correct += right }
          total += loss
        }
        firstEvaluation = false
        if let clipNorm {
          // maxNorm was validated when set, and non-finite norms scale: this cannot throw.
          _ = try? clipGradNorm(optimizer.parameters, maxNorm: clipNorm)
        }
        return total / Double(group.count)
      }
      guard loss.isFinite else {
        divergence = .diverged(
          epoch: epochsDone + 1, step: index + 1,
          what: "the loss is \(loss.isNaN ? "nan" : "\(loss)")")
        break
      }
      for rows in group { seen += rows.count }
      totalLoss += loss * Double(group.reduce(0) { $0 + $1.count })
      afterStep(index, loss)
    }
    epochsDone += 1
    let samples = Double(max(seen, 1))
    return Evaluation(loss: totalLoss / samples, accuracy: Double(correct) / samples)
  }

  /// The loss of one batch with its gradient times `scale` in the parameters' `grad` (replacing
  /// it, or added to it when `accumulate`), through autograd.
  private func lossAndGradient(
    features: Tensor<Scalar>, rows: [Int], labels: [Int], scale: Scalar, accumulate: Bool
  ) -> (loss: Double, correct: Int) {
    if !accumulate { optimizer.zeroGrad(setToNil: true) }
    return ClassifierBatch.lossAndGradient(
      model: model, features: features, rows: rows, labels: labels, scale: scale)
  }

  /// Loss and accuracy of the model on `dataset`, without recording gradients.
  public func evaluate(_ dataset: Dataset<Scalar>) -> Evaluation {
    Trainer.evaluate(model, on: dataset)
  }

  /// Loss and accuracy of `model` on `dataset`, in evaluation mode (restored after) and without
  /// recording gradients.
  public static func evaluate(_ model: any Module<Scalar>, on dataset: Dataset<Scalar>)
    -> Evaluation
  {
    // Batch normalization and dropout evaluate in eval mode; the mode is restored after.
    let modes = model.namedModules().compactMap { $0.module as? any ModeDependent }
      .map { ($0, $0.isTraining) }
    model.eval()
    defer { for (module, training) in modes { module.isTraining = training } }
    return withNoGrad {
      let logits = model(dataset.features)
      let loss = crossEntropy(logits: logits, labels: dataset.labels).item
      let correct = zip(logits.argmax(axis: 1), dataset.labels).filter { $0 == $1 }.count
      return Evaluation(
        loss: Double(loss), accuracy: Double(correct) / Double(max(dataset.count, 1)))
    }
  }
}
