import DescentOptim
import DescentTensor

/// Marks optimizers whose update is element-wise, so that stepping a slice of the flattened
/// parameters equals stepping the parameters and keeping that slice.
protocol ElementwiseStepping {}
extension Optimizer: ElementwiseStepping where Algorithm: ElementwiseAlgorithm {}

/// ZeRO: each rank keeps the optimizer state of only its contiguous 1/N slice of the flattened
/// parameters.
///
/// A step takes this rank's shard of the summed gradient (a ``GradientReducer`` in
/// ``GradientReducer/Mode/reduceScatter(releasing:)`` mode gives it), steps an ordinary optimizer
/// over one flat ``Parameter`` holding the slice, and all-gathers the updated slices into every
/// rank's parameters. For an element-wise optimizer this is the same update, element for
/// element, as the unsharded one.
public final class ShardedOptimizer<Scalar: LaneScalar> {
  /// The model's parameters, updated in place.
  public let parameters: [Parameter<Scalar>]
  /// Where each parameter sits in the flat vector.
  public let layout: FlatLayout
  /// The elements of the flat vector this rank owns.
  public let shard: Range<Int>
  /// The flat parameter of this rank's slice.
  public let slice: Parameter<Scalar>
  /// The optimizer of ``slice``.
  public let optimizer: any TrainingOptimizer<Scalar>
  /// The communicator of the ranks that share the state.
  public let communicator: any Communicator
  private var padded: [Scalar]
  private var received: [Scalar]

  /// Shards `parameters` over `communicator`'s ranks; `makeOptimizer` builds the optimizer of
  /// this rank's slice (called with one flat parameter).
  ///
  /// - Throws: ``DistributedError/notShardable(optimizer:reason:)`` for an optimizer that is not
  ///   element-wise (LBFGS, Adafactor) or has several parameter groups,
  ///   ``DistributedError/tooFewElements(elements:ranks:)`` when a rank would own nothing, or
  ///   what `makeOptimizer` throws.
  public init(
    _ parameters: [Parameter<Scalar>], communicator: any Communicator,
    makeOptimizer: ([Parameter<Scalar>]) throws -> any TrainingOptimizer<Scalar>
  ) throws {
    let layout = FlatLayout(parameters)
    let ranks = communicator.size
    let length = layout.shardLength(ranks: ranks)
    guard length * (ranks - 1) < layout.totalCount else {
      throw DistributedError.tooFewElements(elements: layout.totalCount, ranks: ranks)
    }
    var flat = [Scalar](repeating: 0, count: length * ranks)
    flat.withUnsafeMutableBufferPointer { layout.pack(parameters, into: $0) { $0.value } }
    let shard = layout.shard(rank: communicator.rank, ranks: ranks)
    let slice = Parameter(Tensor(shape: [shard.count], scalars: Array(flat[shard])))
    let optimizer = try makeOptimizer([slice])
    let name = optimizer.name
    guard optimizer is any ElementwiseStepping else {
      throw DistributedError.notShardable(
        optimizer: name,
        reason: "its update is not element-wise (use data parallelism without --zero)")
    }
    guard optimizer.paramGroupCount == 1 else {
      throw DistributedError.notShardable(
        optimizer: name, reason: "it has \(optimizer.paramGroupCount) parameter groups, not one")
    }
    self.parameters = parameters
    self.layout = layout
    self.shard = shard
    self.slice = slice
    self.optimizer = optimizer
    self.communicator = communicator
    self.padded = flat
    self.received = [Scalar](repeating: 0, count: length)
  }

  /// The optimizer's class name.
  public var name: String { optimizer.name }

  /// Steps this rank's slice with the gradient in `slice.grad` (its shard of the summed
  /// gradient) and gathers the updated parameters on every rank. Collective.
  public func step() throws {
    optimizer.step()
    try gatherParameters()
  }

  /// Copies every rank's slice of the parameters into every rank's parameters. Collective.
  public func gatherParameters() throws {
    let count = shard.count
    received.withUnsafeMutableBufferPointer { mine in
      slice.value.withUnsafeBufferPointer { _ = mine.update(fromContentsOf: $0) }
      UnsafeMutableBufferPointer(rebasing: mine[count...]).update(repeating: 0)
    }
    try received.withUnsafeBufferPointer { mine in
      try padded.withUnsafeMutableBufferPointer { flat in
        try communicator.allGather(mine, into: flat)
        layout.unpackValues(UnsafeBufferPointer(flat), into: parameters)
      }
    }
  }

  /// Copies the parameters' current values into ``slice`` (after loading a checkpoint).
  public func refreshSlice() {
    padded.withUnsafeMutableBufferPointer { layout.pack(parameters, into: $0) { $0.value } }
    slice.value = Tensor(shape: [shard.count], scalars: Array(padded[shard]))
  }

  /// The number of optimizer-state elements this rank holds (every buffer's elements).
  public var stateElementCount: Int { ShardedOptimizer.stateElementCount(of: optimizer) }

  /// The number of buffer elements in `optimizer`'s state.
  public static func stateElementCount(of optimizer: any TrainingOptimizer<Scalar>) -> Int {
    optimizer.stateDict().state.values.reduce(0) { total, record in
      total + record.buffers.values.reduce(0) { $0 + $1.count }
    }
  }
}
