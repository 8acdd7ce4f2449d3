import DescentData
import DescentNN
import DescentOptim
import DescentTensor
import DescentTraining

/// Data-parallel training of a multilayer perceptron over the ranks of a ``Communicator``.
///
/// Every rank starts from rank 0's parameters (broadcast), computes the loss gradient of its
/// slice of each global batch (``DistributedSampler``), and the gradients are summed across
/// ranks weighted by each slice's share of the batch, so the step sees the gradient of the mean
/// loss over the whole global batch: N ranks with batch B/N each follow one process with batch B
/// to float rounding. With ``Mode/replicated`` every rank keeps the whole optimizer state and
/// gradients are all-reduced in buckets; with ``Mode/zero`` the state is sharded
/// (``ShardedOptimizer``).
public final class DataParallelTrainer<Scalar: LaneScalar> {
  /// How the optimizer state is kept.
  public enum Mode: Sendable {
    /// Every rank holds the whole state; gradients are all-reduced.
    case replicated
    /// ZeRO stage 1: each rank holds the state of its slice of the parameters.
    case zero
  }

  /// The model trained (the same on every rank after each step).
  public let model: any Module<Scalar>
  /// The communicator of the job.
  public let communicator: any Communicator
  /// This rank's part of the global batches.
  public let sampler: DistributedSampler<Scalar>
  /// How the optimizer state is kept.
  public let mode: Mode
  /// Global optimizer steps taken (including those of a resumed checkpoint).
  public private(set) var stepsDone = 0
  private let parameters: [Parameter<Scalar>]
  private let replicated: (any TrainingOptimizer<Scalar>)?
  private let sharded: ShardedOptimizer<Scalar>?
  private var buckets: GradientBuckets<Scalar>

  /// A trainer of `model` on `loader`'s global batches (of `loader.batchSize`, split over the
  /// ranks); `makeOptimizer` builds the optimizer of the parameters it is given (the model's, or
  /// one flat slice under ZeRO-1). Checks, on every rank, that the rank count divides the batch
  /// and that all ranks hold the same model shapes, optimizer, hyperparameters and data.
  /// Collective.
  ///
  /// - Throws: ``DistributedError`` (`batchNotDivisible`, `unsupportedModel`, `notShardable`,
  ///   `rankMismatch`, `peerFailed`, MPI call errors) or what `makeOptimizer` throws.
  public init(
    model: any Module<Scalar>, loader: BatchLoader<Scalar>, communicator: any Communicator,
    mode: Mode = .replicated, bucketCapacity: Int = 1 << 20,
    makeOptimizer: ([Parameter<Scalar>]) throws -> any TrainingOptimizer<Scalar>
  ) throws {
    let ranks = communicator.size
    guard loader.batchSize % ranks == 0 else {
      throw DistributedError.batchNotDivisible(batchSize: loader.batchSize, ranks: ranks)
    }
    let parameters = model.parameters()
    self.model = model
    self.communicator = communicator
    self.mode = mode
    self.parameters = parameters
    self.sampler = DistributedSampler(loader, rank: communicator.rank, size: ranks)
    self.buckets = GradientBuckets(parameters, capacity: bucketCapacity)
    let built = try RankAgreement.run("to set up training", over: communicator) {
      () throws -> ((any TrainingOptimizer<Scalar>)?, ShardedOptimizer<Scalar>?) in
      switch mode {
      case .replicated: return (try makeOptimizer(parameters), nil)
      case .zero:
        return (
          nil,
          try ShardedOptimizer(parameters, communicator: communicator, makeOptimizer: makeOptimizer)
        )
      }
    }
    (replicated, sharded) = built
    try RankAgreement.checkSame(
      [
        ("the model's parameter shapes", "\(parameters.map(\.shape))"),
        ("the optimizer and its hyperparameters", optimizerDescription),
        ("the data (sample and feature counts, batch size, seed)", dataSummary(loader)),
      ], over: communicator)
    for parameter in parameters {
      try parameter.withUnsafeMutableValues { try communicator.broadcast($0, root: 0) }
    }
    sharded?.refreshSlice()
  }

  private func dataSummary(_ loader: BatchLoader<Scalar>) -> String {
    "\(loader.dataset.count) \(loader.dataset.featureCount) \(loader.batchSize) \(loader.seed) "
      + "\(loader.shuffle) \(loader.dropLast) \(mode)"
  }

  /// The optimizer as printed (its class name and hyperparameters).
  public var optimizerDescription: String {
    replicated?.description ?? sharded?.optimizer.description ?? ""
  }

  /// The optimizer's class name (`"Adam"`).
  public var optimizerName: String {
    sharded?.name ?? replicated?.name ?? ""
  }

  /// The number of optimizer-state elements this rank holds.
  public var stateElementCount: Int {
    if let sharded { return sharded.stateElementCount }
    return replicated.map { ShardedOptimizer.stateElementCount(of: $0) } ?? 0
  }

  /// Global batches per epoch.
  public var batchesPerEpoch: Int { sampler.loader.batchCount }

  /// Trains one global batch: this rank's `rows` out of `globalCount` samples. Returns the mean
  /// loss and the number of correct predictions over the whole global batch. Collective.
  public func step(rows: [Int], globalCount: Int) throws -> (loss: Double, correct: Int) {
    let weight = Scalar(rows.count) / Scalar(globalCount)
    let labels = sampler.loader.dataset.labels
    func localGradient() -> (loss: Double, correct: Int) {
      guard !rows.isEmpty else {
        for parameter in parameters { parameter.grad = Tensor(zeros: parameter.shape) }
        return (0, 0)
      }
      for parameter in parameters { parameter.zeroGrad() }
      return ClassifierBatch.lossAndGradient(
        model: model, features: sampler.loader.dataset.features, rows: rows,
        labels: rows.map { labels[$0] })
    }
    var local = (loss: 0.0, correct: 0)
    if let replicated {
      try replicated.step {
        local = localGradient()
        try buckets.allReduce(weight: weight, over: communicator)
        return local.loss
      }
    } else if let sharded {
      local = localGradient()
      try sharded.step(weight: weight)
    }
    var totals = [local.loss * Double(rows.count) / Double(globalCount), Double(local.correct)]
    try communicator.allReduceSum(&totals)
    stepsDone += 1
    return (totals[0], Int(totals[1].rounded()))
  }

  /// Trains until `targetSteps` global steps are done (counted from the start of training,
  /// resumed steps included), calling `afterStep(step, loss, correct)` after each; epoch `e`
  /// covers steps `e × batchesPerEpoch ..< (e + 1) × batchesPerEpoch`. Collective.
  public func train(
    until targetSteps: Int, afterStep: (Int, Double, Int) throws -> Void = { _, _, _ in }
  ) throws {
    var cachedEpoch = -1
    var batches: [(rows: [Int], globalCount: Int)] = []
    while stepsDone < targetSteps {
      let epoch = stepsDone / batchesPerEpoch
      if epoch != cachedEpoch {
        batches = sampler.batches(epoch: epoch)
        cachedEpoch = epoch
      }
      let batch = batches[stepsDone % batchesPerEpoch]
      let result = try step(rows: batch.rows, globalCount: batch.globalCount)
      try afterStep(stepsDone, result.loss, result.correct)
    }
  }

  /// Sets the count of global steps done (after loading a checkpoint).
  func resume(atStep step: Int) { stepsDone = step }

  var replicatedOptimizer: (any TrainingOptimizer<Scalar>)? { replicated }
  var shardedOptimizer: ShardedOptimizer<Scalar>? { sharded }
}
