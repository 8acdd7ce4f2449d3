import DescentTensor
import Foundation

/// Combines every rank's gradients bucket by bucket, as PyTorch's DistributedDataParallel does:
/// consecutive parameters are grouped into buckets of up to ``capacity`` elements in reverse order
/// (the order backward produces their gradients), and each bucket's sum over ranks is launched as
/// soon as the backward pass has finished every gradient in it, while the pass goes on
/// (``overlap``), or after it.
///
/// With ``Mode/allReduce`` every rank ends with the whole summed gradient in its parameters.
/// With ``Mode/reduceScatter(releasing:)`` each rank receives only the sum of its shard of the
/// flattened gradient (``shardGradient``, ZeRO); `releasing` frees each parameter's gradient as
/// soon as its bucket is reduced (ZeRO stage 2), so a rank never holds the whole gradient once
/// backward is done.
public final class GradientReducer<Scalar: TensorScalar> {
  /// How the gradients are combined.
  public enum Mode: Equatable, Sendable {
    /// Every rank receives the sum of every gradient.
    case allReduce
    /// Each rank receives the sum of its shard of the flattened gradients; with `releasing`, the
    /// parameters' own gradients are freed as their buckets are reduced.
    case reduceScatter(releasing: Bool)
  }

  /// How the gradients are combined.
  public let mode: Mode
  /// Whether buckets are launched from the backward pass (as each fills) rather than after it.
  public let overlap: Bool
  /// The most elements a bucket holds unless one parameter alone is larger.
  public let capacity: Int
  /// The parameter indices of each bucket, in launch order (the last parameters first).
  public let buckets: [Range<Int>]
  /// Where each parameter sits in the flattened vector.
  public let layout: FlatLayout
  /// The elements of the flattened vector this rank's shard holds (all of them for
  /// ``Mode/allReduce``).
  public let shard: Range<Int>
  /// The sum over ranks of this rank's shard of the gradients, after ``finish()``
  /// (``Mode/reduceScatter(releasing:)``; empty otherwise).
  public private(set) var shardGradient: [Scalar]
  /// Seconds the calling thread has spent in reductions since the last
  /// ``resetWaitSeconds()``: running them (when no communication thread does) and, after the
  /// backward pass, waiting for those still in flight.
  public private(set) var waitSeconds = 0.0

  private let parameters: [Parameter<Scalar>]
  private let communicator: any Communicator
  private let bucketOfParameter: [Int]
  /// All buckets side by side for all-reduce (each reduction in flight needs its own); one
  /// bucket's worth for reduce-scatter, which completes before the next bucket is packed.
  private let staging: UnsafeMutableBufferPointer<Scalar>
  /// Runs the all-reductions launched during backward while it goes on (`nil` without
  /// ``overlap``, for reduce-scatter, on one rank, or when MPI cannot be called from another
  /// thread: reductions then run on the calling thread).
  private let thread: CommunicationThread?
  private var readyCount: [Int]
  private var isReady: [Bool]
  private var launched = 0
  private var armed = false

  /// A reducer of `parameters`' gradients over `communicator`'s ranks; installs a
  /// ``Parameter/postAccumulateGradHook`` on each parameter (replacing any other).
  public init(
    _ parameters: [Parameter<Scalar>], communicator: any Communicator, mode: Mode = .allReduce,
    overlap: Bool = true, capacity: Int = 1 << 20
  ) {
    precondition(capacity > 0, "bucket capacity \(capacity)")
    self.parameters = parameters
    self.communicator = communicator
    self.mode = mode
    self.overlap = overlap
    self.capacity = capacity
    let layout = FlatLayout(parameters)
    self.layout = layout
    var buckets: [Range<Int>] = []
    var end = parameters.count
    var filled = 0
    for index in parameters.indices.reversed() {
      if filled > 0 && filled + parameters[index].count > capacity {
        buckets.append((index + 1)..<end)
        end = index + 1
        filled = 0
      }
      filled += parameters[index].count
    }
    if end > 0 { buckets.append(0..<end) }
    self.buckets = buckets
    var owner = [Int](repeating: 0, count: parameters.count)
    for (bucket, members) in buckets.enumerated() { for index in members { owner[index] = bucket } }
    bucketOfParameter = owner
    readyCount = [Int](repeating: 0, count: buckets.count)
    isReady = [Bool](repeating: false, count: parameters.count)
    switch mode {
    case .allReduce:
      shard = 0..<layout.totalCount
      shardGradient = []
      staging = .allocate(capacity: layout.totalCount)
    case .reduceScatter:
      shard = layout.shard(rank: communicator.rank, ranks: communicator.size)
      shardGradient = [Scalar](repeating: 0, count: shard.count)
      let largest = buckets.map { Self.elements(of: $0, layout).count }.max() ?? 0
      staging = .allocate(capacity: largest)
    }
    staging.initialize(repeating: 0)
    thread =
      mode == .allReduce && overlap && communicator.size > 1
        && communicator.supportsSerializedThreads ? CommunicationThread() : nil
    for (index, parameter) in parameters.enumerated() {
      parameter.postAccumulateGradHook = { [unowned self] _ in self.gradientReady(index) }
    }
  }

  deinit {
    for parameter in parameters { parameter.postAccumulateGradHook = nil }
    thread?.stop()
    staging.deallocate()
  }

  /// Runs `collective` after the reductions already launched and waits for it: every
  /// collective called during a backward pass (synchronized batch normalization) goes through
  /// here, so that ranks call them in the same order and only one thread calls MPI at a time.
  public func perform(_ collective: @escaping () throws -> Void) throws {
    if let thread { try thread.run(collective) } else { try collective() }
  }

  /// The flattened elements of the parameters in `members`.
  private static func elements(of members: Range<Int>, _ layout: FlatLayout) -> Range<Int> {
    guard let first = members.first, let last = members.last else { return 0..<0 }
    return layout.offsets[first]..<layout.range(ofParameter: last).upperBound
  }

  /// Whether the next backward pass is the step's last (its gradients are then reduced as they
  /// are finished); earlier passes of an accumulated step only accumulate locally.
  public func prepare(finalPass: Bool) { armed = finalPass && overlap }

  /// The number of gradient elements this rank holds between steps: the reducer's buffers, and
  /// the parameters' own gradients unless they are released.
  public var gradientElementCount: Int {
    let own = mode == .reduceScatter(releasing: true) ? 0 : layout.totalCount
    return own + staging.count + shardGradient.count
  }

  private func gradientReady(_ index: Int) {
    guard armed, !isReady[index] else { return }
    isReady[index] = true
    let bucket = bucketOfParameter[index]
    readyCount[bucket] += 1
    // Buckets are launched in order on every rank, as MPI requires of collectives.
    while launched < buckets.count, readyCount[launched] == buckets[launched].count {
      // With a communication thread, launching only packs and queues: not waiting.
      do {
        if thread == nil { try timed { try launch(launched) } } else { try launch(launched) }
      } catch { failure = error }
      launched += 1
    }
  }

  /// The first error a reduction launched from the backward pass raised, rethrown by ``finish()``.
  private var failure: (any Error)?

  private func launch(_ bucket: Int) throws {
    let members = buckets[bucket]
    let range = Self.elements(of: members, layout)
    switch mode {
    case .allReduce:
      let flat = UnsafeMutableBufferPointer(rebasing: staging[range])
      pack(members, into: flat, from: range.lowerBound)
      let job = ReductionJob(buffer: flat, communicator: communicator)
      if let thread { thread.enqueue(job.run) } else { try job.run() }
    case .reduceScatter(let releasing):
      let flat = UnsafeMutableBufferPointer(rebasing: staging[0..<range.count])
      pack(members, into: flat, from: range.lowerBound)
      let ranks = communicator.size
      let counts = (0..<ranks).map { rank in
        let owned = layout.shard(rank: rank, ranks: ranks)
        return max(
          0, min(owned.upperBound, range.upperBound) - max(owned.lowerBound, range.lowerBound))
      }
      // Where this rank's part of the bucket goes in its shard (nowhere when it has none).
      let mine = counts[communicator.rank]
      let offset = mine == 0 ? 0 : max(range.lowerBound, shard.lowerBound) - shard.lowerBound
      try shardGradient.withUnsafeMutableBufferPointer { shardBuffer in
        let target = UnsafeMutableBufferPointer(rebasing: shardBuffer[offset..<(offset + mine)])
        try communicator.reduceScatterSum(UnsafeBufferPointer(flat), counts: counts, into: target)
      }
      if releasing { for index in members { parameters[index].grad = nil } }
    }
  }

  /// Copies the gradients of `members` (zeros for a missing one) into `flat`, which starts at
  /// element `start` of the flattened vector.
  private func pack(
    _ members: Range<Int>, into flat: UnsafeMutableBufferPointer<Scalar>, from start: Int
  ) {
    for index in members {
      let range = layout.range(ofParameter: index)
      let target = UnsafeMutableBufferPointer(
        rebasing: flat[(range.lowerBound - start)..<(range.upperBound - start)])
      guard let gradient = parameters[index].grad else {
        target.update(repeating: 0)
        continue
      }
      gradient.withUnsafeBufferPointer { _ = target.update(fromContentsOf: $0) }
    }
  }

  /// Completes the step's reduction: launches every bucket not yet launched (all of them without
  /// ``overlap``; also those holding a parameter that got no gradient), waits for all, and puts
  /// the sums in place: in every parameter's gradient (all-reduce) or in ``shardGradient``.
  /// Collective.
  public func finish() throws {
    defer {
      armed = false
      launched = 0
      for index in readyCount.indices { readyCount[index] = 0 }
      for index in isReady.indices { isReady[index] = false }
      failure = nil
    }
    if let failure { throw failure }
    try timed {
      while launched < buckets.count {
        try launch(launched)
        launched += 1
      }
      try thread?.drain()
    }
    guard mode == .allReduce else { return }
    for (index, parameter) in parameters.enumerated() {
      let sums = UnsafeBufferPointer(rebasing: staging[layout.range(ofParameter: index)])
      // Into the gradient's own buffer when there is one (no allocation per step).
      if parameter.withUnsafeMutableGradient({ _ = $0.update(fromContentsOf: sums) }) == nil {
        parameter.grad = Tensor(shape: parameter.shape, scalars: Array(sums))
      }
    }
  }

  /// Runs `body`, adding its time to ``waitSeconds``.
  private func timed(_ body: () throws -> Void) throws {
    let clock = ContinuousClock()
    let start = clock.now
    defer {
      let elapsed = start.duration(to: clock.now)
      waitSeconds +=
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
    try body()
  }

  /// Starts counting ``waitSeconds`` from zero.
  public func resetWaitSeconds() { waitSeconds = 0 }
}

/// One bucket's all-reduce, handed to the communication thread: the buffer lives as long as the
/// reducer, which waits for the thread before it goes.
struct ReductionJob<Scalar: TensorScalar>: @unchecked Sendable {
  let buffer: UnsafeMutableBufferPointer<Scalar>
  let communicator: any Communicator

  func run() throws { try communicator.allReduceSum(buffer) }
}
