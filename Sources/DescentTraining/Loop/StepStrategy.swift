import DescentData
import DescentNN
import DescentOptim

/// What one process computed towards a step: its share of the loss, summed over its samples,
/// the samples it classified correctly, and how many samples it saw.
public struct StepTally: Equatable, Sendable {
  /// The sum over this process's samples of each sample's loss.
  public var lossSum: Double
  /// Correctly classified samples (0 for regression).
  public var correct: Int
  /// Samples seen.
  public var samples: Int

  /// A tally of `samples` samples.
  public init(lossSum: Double = 0, correct: Int = 0, samples: Int = 0) {
    self.lossSum = lossSum
    self.correct = correct
    self.samples = samples
  }

  /// The mean loss per sample (0 for no samples).
  public var meanLoss: Double { samples == 0 ? 0 : lossSum / Double(samples) }
}

/// How an optimizer step is taken: on this process alone (``LocalStepping``), or data-parallel
/// over the ranks of a job (DescentDistributed's `DataParallelStepping`), where each process
/// computes part of every batch and the gradients are combined before the update. ``Trainer``
/// and ``TrainingLoop`` drive any model through one of these, so one loop serves both.
public protocol StepStrategy<Scalar>: AnyObject {
  /// The element type of the parameters.
  associatedtype Scalar: TensorScalar
  /// The optimizer whose learning rates schedulers drive and whose state checkpoints hold (under
  /// ZeRO, the optimizer of this rank's slice).
  var optimizer: any TrainingOptimizer<Scalar> { get }
  /// This process's index among ``processCount`` processes (0 for one process).
  var rank: Int { get }
  /// The number of processes that share each batch.
  var processCount: Int { get }
  /// The rows of a global batch that this process computes.
  func localRows(of batch: [Int]) -> ArraySlice<Int>
  /// Called before each micro-batch's backward pass of a step; `isFinal` for the step's last,
  /// after whose backward pass the gradients are combined (data parallelism starts combining
  /// them while that pass still runs).
  func willRunBackward(isFinal: Bool)
  /// Takes one optimizer step: `evaluate` clears the gradients and runs this process's forward
  /// and backward passes of the step's batches (with gradients already weighted by this
  /// process's share of the global batch); then the gradients are combined, clipped to
  /// `clipNorm` (global 2-norm over all processes) and the parameters updated. `evaluate` may
  /// run more than once (LBFGS). Returns the tally of the whole global batch, from the first
  /// evaluation. Collective.
  func step(clipNorm: Double?, _ evaluate: () throws -> StepTally) throws -> StepTally
  /// Throws when `loader`'s batches cannot be split as this strategy needs (every process must
  /// get a sample of every batch when batch normalization is synchronized across processes).
  func checkBatches(of loader: BatchLoader<Scalar>) throws
  /// The element-wise sums of `values` over all processes. Collective.
  func sum(_ values: [Double]) throws -> [Double]
  /// The optimizer as a checkpoint saves it (under ZeRO, gathered from every rank into the
  /// unsharded form). Collective.
  func checkpointedOptimizer() throws -> any CheckpointableOptimizer
  /// Loads the optimizer state of a checkpoint through `load`, which reads the file into the
  /// optimizer it is given (under ZeRO an unsharded stand-in, whose state is then sliced).
  func restoreOptimizer(_ load: (any CheckpointableOptimizer) throws -> Void) throws
  /// Runs `body` on every process and fails everywhere if it failed anywhere (so no process is
  /// left waiting in a collective). Collective.
  func agree<T>(_ action: String, _ body: () throws -> T) throws -> T
}

/// Training on this process alone: the optimizer steps on the gradients as computed.
public final class LocalStepping<Scalar: TensorScalar>: StepStrategy {
  /// The optimizer of the model's parameters.
  public let optimizer: any TrainingOptimizer<Scalar>
  /// 0.
  public var rank: Int { 0 }
  /// 1.
  public var processCount: Int { 1 }

  /// Steps with `optimizer`.
  public init(_ optimizer: any TrainingOptimizer<Scalar>) { self.optimizer = optimizer }

  /// The whole batch.
  public func localRows(of batch: [Int]) -> ArraySlice<Int> { batch[...] }

  /// Nothing to prepare.
  public func willRunBackward(isFinal: Bool) {}

  /// `optimizer.step(closure:)` around `evaluate` and clipping.
  public func step(clipNorm: Double?, _ evaluate: () throws -> StepTally) throws -> StepTally {
    var first: StepTally?
    try optimizer.step {
      let tally = try evaluate()
      if first == nil { first = tally }
      if let clipNorm { try clipGradNorm(optimizer.parameters, maxNorm: clipNorm) }
      return tally.meanLoss
    }
    return first ?? StepTally()
  }

  /// Any batches will do.
  public func checkBatches(of loader: BatchLoader<Scalar>) {}

  /// `values`.
  public func sum(_ values: [Double]) -> [Double] { values }

  /// The optimizer.
  public func checkpointedOptimizer() -> any CheckpointableOptimizer { optimizer }

  /// Loads into the optimizer.
  public func restoreOptimizer(_ load: (any CheckpointableOptimizer) throws -> Void) throws {
    try load(optimizer)
  }

  /// `body()`.
  public func agree<T>(_ action: String, _ body: () throws -> T) throws -> T { try body() }
}
