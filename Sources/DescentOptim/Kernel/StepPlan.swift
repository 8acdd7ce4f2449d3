import DescentTensor

/// One parameter's share of a step: the rule with the step's constants and where the
/// parameter's elements, gradient and state buffers live.
public struct KernelTask<Rule: OptimizerAlgorithm> {
  /// The rule (the algorithm's value holding this parameter's step constants).
  public let rule: Rule
  /// The parameter's elements, updated in place.
  public let param: UnsafeMutablePointer<Rule.Scalar>
  /// The gradient's elements.
  public let grad: UnsafePointer<Rule.Scalar>
  /// The state buffers, back to back (any valid pointer when there are none).
  public let state: UnsafeMutablePointer<Rule.Scalar>
  /// The number of state buffers.
  public let bufferCount: Int
  /// The number of elements.
  public let count: Int
  /// The encoded state (bfloat16 or 8-bit) when `state` is not where the buffers live.
  @usableFromInline var codec: StateCodec? = nil
}

/// A chunk of a task: `ElementwiseKernel.chunkSize` elements (fewer at a tensor's end) from
/// `start` of task `task`.
public struct KernelChunk: Sendable {
  /// The task's index in the plan.
  public let task: Int
  /// The chunk's first element.
  public let start: Int
}

/// The element-wise work of one optimizer step over every parameter (like PyTorch's multi-tensor
/// `foreach` path): each parameter is a task, cut into fixed chunks, and all chunks of all tasks
/// form one list spread over the threads. Chunk boundaries depend only on each tensor's size, and
/// every element's arithmetic only on that element, so results do not depend on the thread count.
///
/// An optimizer keeps its plan between steps and empties it with `keepingCapacity`, so the steady
/// state allocates nothing.
///
/// The pointers are taken from the parameters', gradients' and states' uniquely referenced storage
/// while the plan is built, and are used only until ``ElementwiseAlgorithm/runPlan(_:on:path:)``
/// returns, within one step in which nothing else touches those buffers.
public struct StepPlan<Rule: OptimizerAlgorithm> {
  /// The queued tasks.
  public private(set) var tasks: [KernelTask<Rule>] = []
  /// Every chunk of every task, in order.
  public private(set) var chunks: [KernelChunk] = []
  /// The number of elements over all tasks.
  public private(set) var elementCount = 0
  /// The job that hands slices of the chunks to a pool's threads, kept between steps (a
  /// `KernelJob<Rule>`, which exists only for element-wise rules).
  @usableFromInline var job: AnyObject?

  /// An empty plan.
  public init() {}

  /// Queues `task`.
  public mutating func append(_ task: KernelTask<Rule>) {
    let index = tasks.count
    tasks.append(task)
    for start in stride(from: 0, to: task.count, by: ElementwiseKernel.chunkSize) {
      chunks.append(KernelChunk(task: index, start: start))
    }
    elementCount += task.count
  }

  /// Empties the plan, keeping its storage for the next step.
  public mutating func removeAll() {
    tasks.removeAll(keepingCapacity: true)
    chunks.removeAll(keepingCapacity: true)
    elementCount = 0
  }
}

extension ElementwiseAlgorithm {
  /// Computes the step's constants for `parameter` and queues its update in `plan` (the path
  /// is chosen when the plan runs); a parameter without elements queues nothing.
  public static func plan(
    _ parameter: Parameter<Scalar>, state: inout ParameterState<Scalar>,
    hyperparameters: Settings, into plan: inout StepPlan<Self>, path _: KernelPath
  ) {
    let rule = Self(hyperparameters, state: &state)
    precondition(
      state.bufferNames.count <= ElementwiseKernel.maxBuffers,
      "a rule uses at most \(ElementwiseKernel.maxBuffers) state buffers")
    guard let buffers = parameter.stepBuffers() else { return }
    let stateBase =
      state.storage.withUnsafeMutableBufferPointer { $0.baseAddress } ?? buffers.value
    plan.append(
      KernelTask(
        rule: rule, param: buffers.value, grad: buffers.gradient, state: stateBase,
        bufferCount: state.bufferNames.count, count: buffers.count, codec: state.codec()))
  }

  /// Runs every queued update, on `pool`'s threads when the step is large enough, then empties
  /// `plan`.
  ///
  /// Inlinable, so that a rule defined in another module gets this loop compiled for its own
  /// type there (run generically, every lane would go through the rule's protocol).
  @inlinable
  public static func runPlan(_ plan: inout StepPlan<Self>, on pool: WorkerPool, path: KernelPath) {
    let threaded = plan.elementCount >= ElementwiseKernel.parallelThreshold
    if threaded && plan.job == nil {
      // The slice loop is made here, where the rule's type is concrete: the pool calls it from
      // generic code, and it still runs the specialized kernel.
      plan.job = KernelJob<Self> { job, slice in
        let count = job.chunks.count
        ElementwiseKernel.run(
          job.tasks, chunks: job.chunks,
          range: slice * count / job.sliceCount..<(slice + 1) * count / job.sliceCount,
          path: job.path)
      }
    }
    let job = plan.job.map { unsafeDowncast($0, to: KernelJob<Self>.self) }
    plan.tasks.withUnsafeBufferPointer { tasks in
      plan.chunks.withUnsafeBufferPointer { chunks in
        guard threaded, let job else {
          ElementwiseKernel.run(tasks, chunks: chunks, range: chunks.indices, path: path)
          return
        }
        // One run of consecutive chunks per thread, each thread the same run every step (as
        // OpenMP's static schedule), so a step finds its part of the state in its core's caches;
        // each slice is one call into the rule's specialized loop. The job object is the plan's
        // own, so the run allocates nothing.
        job.prepare(tasks: tasks, chunks: chunks, path: path, sliceCount: pool.threadCount)
        pool.runPinned(job: job)
        job.prepare(tasks: .init(start: nil, count: 0), chunks: .init(start: nil, count: 0))
      }
    }
    plan.removeAll()
  }
}

/// One step's chunks as a pool job: task `slice` runs the slice-th of ``sliceCount`` equal runs
/// of consecutive chunks. The buffers are valid only during the run that set them.
@usableFromInline final class KernelJob<Rule: ElementwiseAlgorithm>: PoolJob {
  @usableFromInline var tasks = UnsafeBufferPointer<KernelTask<Rule>>(start: nil, count: 0)
  @usableFromInline var chunks = UnsafeBufferPointer<KernelChunk>(start: nil, count: 0)
  @usableFromInline var path = KernelPath.vectorized
  @usableFromInline var sliceCount = 1

  /// Runs one slice of the job's chunks.
  @usableFromInline let runSlice: (KernelJob, Int) -> Void

  /// A job whose slices run `runSlice`.
  @inlinable init(runSlice: @escaping (KernelJob, Int) -> Void) {
    self.runSlice = runSlice
  }

  /// Points the job at this step's work (or, after a run, at nothing).
  @inlinable func prepare(
    tasks: UnsafeBufferPointer<KernelTask<Rule>>, chunks: UnsafeBufferPointer<KernelChunk>,
    path: KernelPath = .vectorized, sliceCount: Int = 1
  ) {
    self.tasks = tasks
    self.chunks = chunks
    self.path = path
    self.sliceCount = sliceCount
  }

  /// Runs slice `slice` of the chunks.
  @inlinable func run(task slice: Int) {
    runSlice(self, slice)
  }
}
