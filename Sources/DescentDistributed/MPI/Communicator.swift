import DescentTensor

/// The collective operations data-parallel training needs, over the ranks of one job. Buffers
/// hold `Float` or `Double`; sums are element-wise across ranks and every rank gets the same
/// result. Every operation is collective: all ranks must call it, in the same order.
public protocol Communicator: AnyObject {
  /// This process's rank, from 0.
  var rank: Int { get }
  /// The number of ranks.
  var size: Int { get }
  /// Whether collectives may be called from any thread, one at a time (so that a communication
  /// thread can run them while the main thread computes).
  var supportsSerializedThreads: Bool { get }
  /// Replaces `buffer` on every rank by the element-wise sum of all ranks' buffers.
  func allReduceSum<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>) throws
  /// Sums `input` (`size × output.count` elements) across ranks and leaves block `rank` of the
  /// sum in `output`.
  func reduceScatterSum<Scalar: TensorScalar>(
    _ input: UnsafeBufferPointer<Scalar>, into output: UnsafeMutableBufferPointer<Scalar>) throws
  /// Sums `input` across ranks and leaves in `output` the `counts[rank]` elements of the sum that
  /// follow the first `counts[0] + … + counts[rank − 1]` (`counts` sums to `input.count`).
  func reduceScatterSum<Scalar: TensorScalar>(
    _ input: UnsafeBufferPointer<Scalar>, counts: [Int],
    into output: UnsafeMutableBufferPointer<Scalar>) throws
  /// Concatenates every rank's `input` in rank order into `output` (`size × input.count`).
  func allGather<Scalar: TensorScalar>(
    _ input: UnsafeBufferPointer<Scalar>, into output: UnsafeMutableBufferPointer<Scalar>) throws
  /// Copies `root`'s `buffer` into every rank's.
  func broadcast<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>, root: Int)
    throws
  /// Every rank's `words`, in rank order (all ranks give the same number).
  func allGatherWords(_ words: [UInt64]) throws -> [[UInt64]]
  /// Waits until every rank has called it.
  func barrier() throws
}

extension Communicator {
  /// ``allReduceSum(_:)-(UnsafeMutableBufferPointer<Scalar>)`` over an array.
  public func allReduceSum<Scalar: TensorScalar>(_ values: inout [Scalar]) throws {
    try values.withUnsafeMutableBufferPointer { try allReduceSum($0) }
  }

  /// The element-wise mean over ranks of `values` (the sum divided by ``size``).
  public func allReduceMean<Scalar: TensorScalar>(_ values: inout [Scalar]) throws {
    try allReduceSum(&values)
    let scale = 1 / Scalar(size)
    for index in values.indices { values[index] *= scale }
  }

  /// Every rank's `values` (each rank gives `values.count` of them), in rank order.
  public func allGather<Scalar: TensorScalar>(_ values: [Scalar]) throws -> [Scalar] {
    var gathered = [Scalar](repeating: 0, count: values.count * size)
    try values.withUnsafeBufferPointer { input in
      try gathered.withUnsafeMutableBufferPointer { try allGather(input, into: $0) }
    }
    return gathered
  }

  /// Whether this is rank 0, the one that writes files and prints.
  public var isRoot: Bool { rank == 0 }
}

/// The communicator of a job of one process: every collective is a copy. Lets the data-parallel
/// code run, and be tested, without MPI.
public final class SingleProcessCommunicator: Communicator {
  /// Always 0.
  public let rank = 0
  /// Always 1.
  public let size = 1
  /// Always true: there is nothing to call.
  public let supportsSerializedThreads = true

  /// The communicator of this process alone.
  public init() {}

  /// Leaves `buffer` as it is (the sum over one rank).
  public func allReduceSum<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>) {}

  /// Copies `input` into `output`.
  public func reduceScatterSum<Scalar: TensorScalar>(
    _ input: UnsafeBufferPointer<Scalar>, into output: UnsafeMutableBufferPointer<Scalar>
  ) {
    precondition(
      input.count == output.count, "reduce-scatter of \(input.count) into \(output.count)")
    _ = output.update(fromContentsOf: input)
  }

  /// Copies `input` into `output`.
  public func reduceScatterSum<Scalar: TensorScalar>(
    _ input: UnsafeBufferPointer<Scalar>, counts: [Int],
    into output: UnsafeMutableBufferPointer<Scalar>
  ) {
    precondition(counts == [input.count], "reduce-scatter counts \(counts) for one rank")
    reduceScatterSum(input, into: output)
  }

  /// Copies `input` into `output`.
  public func allGather<Scalar: TensorScalar>(
    _ input: UnsafeBufferPointer<Scalar>, into output: UnsafeMutableBufferPointer<Scalar>
  ) {
    reduceScatterSum(input, into: output)
  }

  /// Leaves `buffer` as it is.
  public func broadcast<Scalar: TensorScalar>(
    _ buffer: UnsafeMutableBufferPointer<Scalar>, root: Int
  ) {}

  /// `[words]`.
  public func allGatherWords(_ words: [UInt64]) -> [[UInt64]] { [words] }

  /// Returns at once.
  public func barrier() {}
}
