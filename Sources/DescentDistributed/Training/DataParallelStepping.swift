import DescentData
import DescentNN
import DescentOptim
import DescentTensor
import DescentTraining

/// Data-parallel steps of any model over the ranks of a ``Communicator``, as PyTorch's
/// DistributedDataParallel takes them, for ``Trainer`` and ``TrainingLoop``.
///
/// Every rank starts from rank 0's parameters (broadcast) and computes its contiguous slice of
/// each global batch, its gradients weighted by the slice's share of the batch; a
/// ``GradientReducer`` sums them across ranks bucket by bucket, launching each bucket while the
/// backward pass still runs, so every step sees the gradient of the mean loss over the whole
/// global batch: N ranks with batch B/N each follow one process with batch B to float rounding.
/// Accumulated steps reduce only after their last batch. Clipping uses the global norm.
///
/// ``ZeroStage`` says how the optimizer state is kept: whole on every rank, or sharded (stage 1),
/// with the gradients sharded too (stage 2).
public final class DataParallelStepping<Scalar: LaneScalar>: StepStrategy {
  /// Which parts of the training state are sharded over the ranks (DeepSpeed's ZeRO stages).
  public enum ZeroStage: Int, Sendable, CaseIterable {
    /// Every rank holds the whole optimizer state and gradient; gradients are all-reduced.
    case none = 0
    /// Each rank holds the optimizer state of its slice of the parameters; gradients are
    /// reduce-scattered.
    case one = 1
    /// As stage 1, and each rank keeps only its shard of the summed gradient: every bucket's
    /// gradients are freed once reduced.
    case two = 2
  }

  /// The model trained (the same on every rank after each step).
  public let model: any Module<Scalar>
  /// The communicator of the job.
  public let communicator: any Communicator
  /// How the state is sharded.
  public let stage: ZeroStage
  /// Sums the gradients across ranks.
  public let reducer: GradientReducer<Scalar>
  private let replicated: (any TrainingOptimizer<Scalar>)?
  private let sharded: ShardedOptimizer<Scalar>?

  /// Data parallelism of `model` over `communicator`'s ranks: `makeOptimizer` builds the
  /// optimizer of the parameters it is given (the model's, or one flat slice under ZeRO); the
  /// parameters are broadcast from rank 0. `overlap` launches gradient reductions from the
  /// backward pass. Collective.
  ///
  /// - Throws: ``DistributedError`` (`notShardable`, `tooFewElements`, `peerFailed`, MPI call
  ///   errors) or what `makeOptimizer` throws, on every rank when any rank fails.
  public init(
    model: any Module<Scalar>, communicator: any Communicator, stage: ZeroStage = .none,
    overlap: Bool = true, bucketCapacity: Int = 1 << 20,
    makeOptimizer: ([Parameter<Scalar>]) throws -> any TrainingOptimizer<Scalar>
  ) throws {
    let parameters = model.parameters()
    self.model = model
    self.communicator = communicator
    self.stage = stage
    let built = try communicator.agree("to set up data-parallel training") {
      () throws -> ((any TrainingOptimizer<Scalar>)?, ShardedOptimizer<Scalar>?) in
      if stage == .none { return (try makeOptimizer(parameters), nil) }
      return (
        nil,
        try ShardedOptimizer(parameters, communicator: communicator, makeOptimizer: makeOptimizer)
      )
    }
    (replicated, sharded) = built
    reducer = GradientReducer(
      parameters, communicator: communicator,
      mode: stage == .none ? .allReduce : .reduceScatter(releasing: stage == .two),
      overlap: overlap, capacity: bucketCapacity)
    try communicator.checkSame([
      ("the model's parameter shapes", "\(parameters.map(\.shape))"),
      ("the optimizer and its hyperparameters", optimizer.description),
    ])
    for parameter in parameters {
      try parameter.withUnsafeMutableValues { try communicator.broadcast($0, root: 0) }
    }
    sharded?.refreshSlice()
    // Batch normalization sees the global batch (SyncBatchNorm); a failed sum inside a forward
    // or backward pass is raised after it, by the step.
    for case let norm as BatchNorm<Scalar> in model.namedModules().map(\.module) {
      synchronizesBatchNorm = true
      norm.crossProcessSum = { [unowned self] buffer in
        let job = ReductionJob(buffer: buffer, communicator: communicator)
        do { try reducer.perform(job.run) } catch { passFailure = passFailure ?? error }
      }
    }
  }

  /// Whether the model's batch normalization sums its statistics across ranks (then every
  /// rank must take part in every batch).
  public private(set) var synchronizesBatchNorm = false

  /// With synchronized batch normalization, every rank must get a sample of every batch
  /// (including an epoch's last, shorter one): otherwise a rank without one would skip the
  /// collectives inside the forward and backward passes that the others call.
  ///
  /// - Throws: ``DistributedError/batchTooSmall(batch:ranks:)``.
  public func checkBatches(of loader: BatchLoader<Scalar>) throws {
    guard synchronizesBatchNorm else { return }
    let remainder = loader.dataset.count % loader.batchSize
    let smallest = loader.dropLast || remainder == 0 ? loader.batchSize : remainder
    guard smallest >= processCount else {
      throw DistributedError.batchTooSmall(batch: smallest, ranks: processCount)
    }
  }

  /// The first error of a collective called from inside a forward or backward pass.
  private var passFailure: (any Error)?

  /// Throws the first error of a collective called from inside a forward or backward pass.
  private func checkPass() throws {
    if let failure = passFailure {
      passFailure = nil
      throw failure
    }
  }

  /// The optimizer: of the whole model, or under ZeRO of this rank's slice.
  public var optimizer: any TrainingOptimizer<Scalar> {
    // Exactly one of the two is set by the initializer.
    replicated ?? sharded!.optimizer
  }

  /// This rank.
  public var rank: Int { communicator.rank }
  /// The number of ranks.
  public var processCount: Int { communicator.size }

  /// The number of optimizer-state elements this rank holds.
  public var stateElementCount: Int { ShardedOptimizer.stateElementCount(of: optimizer) }

  /// The number of gradient elements this rank holds between steps.
  public var gradientElementCount: Int { reducer.gradientElementCount }

  /// This rank's contiguous slice of `batch` (``DistributedSampler``'s).
  public func localRows(of batch: [Int]) -> ArraySlice<Int> {
    DistributedSampler<Scalar>.slice(of: batch, rank: rank, size: processCount)
  }

  /// Arms the reducer for the step's last backward pass.
  public func willRunBackward(isFinal: Bool) { reducer.prepare(finalPass: isFinal) }

  /// Runs `evaluate`, reduces the gradients, clips them by their global norm and steps (the
  /// sharded optimizer then gathers the parameters). Collective.
  public func step(clipNorm: Double?, _ evaluate: () throws -> StepTally) throws -> StepTally {
    if let sharded {
      let local = try evaluate()
      try checkPass()
      try reducer.finish()
      let gradient = reducer.shardGradient
      sharded.slice.grad = Tensor(shape: [gradient.count], scalars: gradient)
      // The squared norm of this rank's shard; the shards' sum is the global one.
      let squares = clipNorm == nil ? 0 : Double.pow(try gradientNorm([sharded.slice]), 2)
      let totals = try sum([local.lossSum, Double(local.correct), Double(local.samples), squares])
      if let clipNorm {
        scaleGradients([sharded.slice], maxNorm: clipNorm, totalNorm: totals[3].squareRoot())
      }
      try sharded.step()
      return tally(totals)
    }
    let optimizer = self.optimizer
    var first: StepTally?
    try optimizer.step {
      let local = try evaluate()
      try checkPass()
      try reducer.finish()
      let total = tally(try sum([local.lossSum, Double(local.correct), Double(local.samples)]))
      if first == nil { first = total }
      // Every rank holds the same summed gradients: the local norm is the global one.
      if let clipNorm { try clipGradNorm(optimizer.parameters, maxNorm: clipNorm) }
      return total.meanLoss
    }
    return first ?? StepTally()
  }

  private func tally(_ totals: [Double]) -> StepTally {
    StepTally(
      lossSum: totals[0], correct: Int(totals[1].rounded()), samples: Int(totals[2].rounded()))
  }

  /// The sums over ranks of `values`. Collective.
  public func sum(_ values: [Double]) throws -> [Double] {
    var values = values
    try communicator.allReduceSum(&values)
    return values
  }

  /// The optimizer, or under ZeRO the state gathered from every rank in the unsharded form.
  /// Collective.
  public func checkpointedOptimizer() throws -> any CheckpointableOptimizer {
    guard let sharded else { return optimizer }
    return StateDictSnapshot(name: sharded.name, dict: try sharded.gatheredStateDict())
  }

  /// Loads through `load` into the optimizer, or under ZeRO into an unsharded stand-in whose
  /// state this rank then takes its slice of.
  public func restoreOptimizer(_ load: (any CheckpointableOptimizer) throws -> Void) throws {
    guard let sharded else { return try load(optimizer) }
    let snapshot = StateDictSnapshot(name: sharded.name, dict: try sharded.gatheredTemplate())
    try load(snapshot)
    try sharded.loadGathered(snapshot.dict, source: "the checkpoint")
    sharded.refreshSlice()
  }

  /// ``Communicator/agree(_:_:)``.
  public func agree<T>(_ action: String, _ body: () throws -> T) throws -> T {
    try communicator.agree(action, body)
  }
}

extension ShardedOptimizer {
  /// The unsharded structure (groups, no per-parameter state) a checkpoint is checked against
  /// before its state is read. Local.
  func gatheredTemplate() throws -> OptimizerStateDict {
    let local = optimizer.stateDict()
    return OptimizerStateDict(
      state: [:],
      paramGroups: [
        .init(
          params: Array(parameters.indices), hyperparameters: local.paramGroups[0].hyperparameters)
      ])
  }
}
