import DescentData
import DescentNN
import DescentOptim
import Foundation

/// Loss and accuracy of a model over some samples.
public struct Evaluation: Equatable, Sendable {
  /// The mean cross-entropy (classification) or mean squared error (regression).
  public var loss: Double
  /// The fraction of samples whose largest logit is the label (0 for regression).
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

/// A training loop: mini-batches, cross-entropy (or mean squared error for a regression data
/// set), backward, step — on one process, or
/// on each rank of a data-parallel job (the ``StepStrategy`` decides how a step is taken).
public final class Trainer<Scalar: TensorScalar> {
  /// The model trained.
  public let model: any Module<Scalar>
  /// How each optimizer step is taken.
  public let strategy: any StepStrategy<Scalar>
  /// The training batches (global batches when data-parallel).
  public let loader: BatchLoader<Scalar>
  /// Epochs completed so far; the next epoch's batches are those of this epoch number (set it
  /// when resuming from a checkpoint).
  public var epochsDone = 0
  /// Optimizer steps taken since training began (resumed steps included).
  public var stepsDone = 0
  /// The model's parameters, whose gradients each step clears.
  private let parameters: [Parameter<Scalar>]
  /// The current batch's labels, reused from step to step.
  private var batchLabels: [Int] = []
  /// The current batch's rows on this process, reused from step to step.
  private var batchRows: [Int] = []
  /// Batches whose gradients are accumulated into each step (1: a step per batch).
  public private(set) var accumulationSteps = 1
  /// The maximum global 2-norm of the gradients, or `nil` for no clipping.
  public private(set) var clipNorm: Double?
  /// Why the last ``trainEpoch(stoppingAt:afterStep:)`` stopped early: a step whose loss was not
  /// finite (the rest of the epoch was skipped); `nil` when every loss was finite. See
  /// ``checkFinite()``.
  public private(set) var divergence: TrainingError?

  /// The optimizer (under ZeRO, the optimizer of this rank's slice).
  public var optimizer: any TrainingOptimizer<Scalar> { strategy.optimizer }

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

  /// A trainer of `model` with `optimizer` over `loader`'s batches, on this process.
  public convenience init(
    model: any Module<Scalar>, optimizer: any TrainingOptimizer<Scalar>, loader: BatchLoader<Scalar>
  ) {
    self.init(model: model, loader: loader, strategy: LocalStepping(optimizer))
  }

  /// A trainer of `model` over `loader`'s batches whose steps `strategy` takes.
  public init(
    model: any Module<Scalar>, loader: BatchLoader<Scalar>, strategy: any StepStrategy<Scalar>
  ) {
    self.model = model
    self.loader = loader
    self.strategy = strategy
    parameters = model.parameters()
  }

  /// Optimizer steps per epoch: the batches per epoch over ``accumulationSteps``, rounded up.
  public var stepsPerEpoch: Int {
    (loader.batchCount + accumulationSteps - 1) / accumulationSteps
  }

  /// Trains one epoch and returns its mean loss and accuracy over the batches as trained.
  /// `afterStep` is called after each optimizer step with the step's index in the epoch and its
  /// mean loss. With ``accumulationSteps`` k > 1, each step accumulates the gradients of k
  /// consecutive batches, each scaled by 1/k (so k batches of b equal one batch of k·b, for
  /// equal sizes), and `afterStep` receives the mean loss of its batches. A step whose loss is
  /// not finite ends the epoch, without `afterStep`, and is recorded in ``divergence``.
  ///
  /// Training resumes inside the epoch when ``stepsDone`` is past its start (a checkpoint
  /// written mid-epoch), and stops after step `stoppingAt` of the whole run, if given; the epoch
  /// counts as done only when its last step is.
  ///
  /// - Throws: what the ``strategy`` throws (batches it cannot split, a failed collective).
  @discardableResult
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func trainEpoch(
    stoppingAt lastStep: Int? = nil, afterStep: (Int, Double) -> Void = { _, _ in }
  )
    throws -> Evaluation
  {
    try strategy.checkBatches(of: loader)
    var total = StepTally()
    let features = loader.dataset.features
    let allLabels = loader.dataset.labels
    let batches = loader.batchIndices(epoch: epochsDone)
    let k = accumulationSteps
    let perEpoch = stepsPerEpoch
    let firstStep = max(0, stepsDone - epochsDone * perEpoch)
    let endStep = min(perEpoch, (lastStep ?? Int.max) - epochsDone * perEpoch)
    divergence = nil
    for index in firstStep..<max(firstStep, endStep) {
      let first = index * k
      let group = batches[first..<min(first + k, batches.count)]
      let globalCount = group.reduce(0) { $0 + $1.count }
      let tally = try strategy.step(clipNorm: clipNorm) {
        var tally = StepTally()
        // The model's gradients: under ZeRO the optimizer holds only this rank's slice.
        for parameter in parameters { parameter.zeroGrad(setToNil: true) }
        for (offset, batch) in group.enumerated() {
          // The batch's rows and labels go into buffers kept between steps: no allocation.
          batchRows.removeAll(keepingCapacity: true)
          batchRows.append(contentsOf: strategy.localRows(of: batch))
          guard !batchRows.isEmpty else { continue }
          batchLabels.removeAll(keepingCapacity: true)
          if !allLabels.isEmpty { for row in batchRows { batchLabels.append(allLabels[row]) } }
          // Each batch's mean loss weighs 1/k, and this process's part of it its share.
          let share = Scalar(batchRows.count) / Scalar(batch.count)
          strategy.willRunBackward(isFinal: offset == group.count - 1)
          let scale = share / Scalar(group.count)
          let (loss, right) =
            if let targets = loader.dataset.targets {
              RegressionBatch.lossAndGradient(
                model: model, features: features, targets: targets, rows: batchRows, scale: scale)
            } else {
              ClassifierBatch.lossAndGradient(
                model: model, features: features, rows: batchRows, labels: batchLabels,
                scale: scale)
            }
          tally.lossSum +=
            loss * Double(batchRows.count) * Double(globalCount)
            / Double(batch.count * group.count)
          tally.correct += right
          tally.samples += batchRows.count
        }
        return tally
      }
      stepsDone += 1
      let loss = tally.meanLoss
      guard loss.isFinite else {
        divergence = .diverged(
          epoch: epochsDone + 1, step: index + 1,
          what: "the loss is \(loss.isNaN ? "nan" : "\(loss)")")
        break
      }
      total.lossSum += loss * Double(globalCount)
      total.correct += tally.correct
      total.samples += globalCount
      afterStep(index, loss)
    }
    if divergence == nil, endStep >= perEpoch { epochsDone += 1 }
    let samples = Double(max(total.samples, 1))
    return Evaluation(loss: total.lossSum / samples, accuracy: Double(total.correct) / samples)
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
      if let targets = dataset.targets {
        return Evaluation(loss: Double(mseLoss(logits, targets).item), accuracy: 0)
      }
      let loss = crossEntropy(logits: logits, labels: dataset.labels).item
      let correct = zip(logits.argmax(axis: 1), dataset.labels).filter { $0 == $1 }.count
      return Evaluation(
        loss: Double(loss), accuracy: Double(correct) / Double(max(dataset.count, 1)))
    }
  }
}
