import DescentOptim
import DescentTensor
import Foundation
import Testing

/// The fused multi-tensor step: large enough to run on the worker threads, it must give the
/// scalar reference path's bits, whatever the number of threads.
@Suite struct FusedStepTests {
  /// Above ``ElementwiseKernel/parallelThreshold`` in total, with tensors that end mid-chunk and
  /// mid-lane, and a tensor smaller than one lane.
  static let shapes = [[ElementwiseKernel.chunkSize * 3 + 5], [257, 131], [3]]

  static var elementwiseNames: [String] {
    OptimizerCatalog.entries.filter(\.isElementwise).map(\.name)
  }

  @Test(arguments: elementwiseNames)
  func sameBitsOnOneTwoAndThreeThreadsInFloat(_ name: String) throws {
    try compareThreads(name, as: Float.self)
  }

  @Test(arguments: elementwiseNames)
  func sameBitsOnOneTwoAndThreeThreadsInDouble(_ name: String) throws {
    try compareThreads(name, as: Double.self)
  }

  @Test(arguments: elementwiseNames)
  func threadedFusedStepMatchesScalarReferenceBitForBit(_ name: String) throws {
    let fastParameters = makeParameters(Self.shapes, as: Float.self)
    let slowParameters = cloned(fastParameters)
    let fast = try catalogOptimizer(name, fastParameters)
    let slow = try catalogOptimizer(name, slowParameters)
    try #require(fast is FusedStepping)
    (fast as? FusedStepping)?.workerPool = WorkerPool(threadCount: 2)
    fast.kernelPath = .vectorized
    slow.kernelPath = .scalar
    runSteps(fast, fastParameters, count: 4)
    runSteps(slow, slowParameters, count: 4)
    for (a, b) in zip(fastParameters, slowParameters) {
      #expect(a.value.scalars == b.value.scalars)
    }
    #expect(fast.stateDict() == slow.stateDict())
  }

  /// Optimizers stepping at the same time on different threads share the default pool; each gets
  /// its own result (the pool runs one job at a time).
  @Test func concurrentStepsOnTheSharedPoolDoNotMix() async throws {
    let results = try await withThrowingTaskGroup(of: [Float].self) { group in
      for _ in 0..<4 {
        group.addTask {
          let parameters = makeParameters(Self.shapes, as: Float.self)
          let optimizer = try catalogOptimizer("Adam", parameters)
          runSteps(optimizer, parameters, count: 3)
          return parameters.flatMap(\.value.scalars)
        }
      }
      var all: [[Float]] = []
      for try await result in group { all.append(result) }
      return all
    }
    #expect(results.allSatisfy { $0 == results[0] })
  }

  private func compareThreads<Scalar: LaneScalar>(_ name: String, as _: Scalar.Type) throws {
    var results: [[[Scalar]]] = []
    var states: [OptimizerStateDict] = []
    for threads in 1...3 {
      let parameters = makeParameters(Self.shapes, as: Scalar.self)
      let optimizer = try catalogOptimizer(name, parameters)
      let fused = try #require(optimizer as? FusedStepping)
      fused.workerPool = WorkerPool(threadCount: threads)
      #expect(fused.workerPool.threadCount == threads)
      runSteps(optimizer, parameters, count: 3)
      results.append(parameters.map(\.value.scalars))
      states.append(optimizer.stateDict())
    }
    #expect(results[0] == results[1])
    #expect(results[0] == results[2])
    #expect(states[0] == states[1])
    #expect(states[0] == states[2])
  }

  @Test func stateElementCountCountsEveryBuffer() throws {
    let parameters = makeParameters([[10], [4, 3]], as: Float.self)
    let adam = try Adam(parameters, lr: 0.01)
    #expect(adam.stateElementCount == 0)
    setGradients(parameters, step: 0)
    adam.step()
    #expect(adam.stateElementCount == 2 * 22)
  }

  @Test func repeatedStepsReuseThePlanAndStayCorrect() throws {
    // The plan is emptied and refilled each step; a parameter without a gradient is skipped.
    let parameters = makeParameters([[100], [50]], as: Double.self)
    let reference = cloned(parameters)
    let sgd = try SGD(parameters, lr: 0.1, momentum: 0.9)
    let slow = try SGD(reference, lr: 0.1, momentum: 0.9)
    slow.kernelPath = .scalar
    for step in 0..<5 {
      setGradients(parameters, step: step)
      setGradients(reference, step: step)
      if step == 2 {
        parameters[1].grad = nil
        reference[1].grad = nil
      }
      sgd.step()
      slow.step()
    }
    #expect(parameters.map(\.value.scalars) == reference.map(\.value.scalars))
    #expect(sgd.state(of: parameters[1])?.step == 4)
  }
}

/// The worker pool runs every task exactly once, however many threads and jobs.
@Suite struct WorkerPoolTests {
  @Test(arguments: [1, 2, 3])
  func everyTaskRunsOnce(_ threads: Int) {
    let pool = WorkerPool(threadCount: threads)
    for taskCount in [0, 1, 2, 7, 100] {
      var hits = [Int](repeating: 0, count: taskCount)
      hits.withUnsafeMutableBufferPointer { buffer in
        pool.run(taskCount: taskCount) { index in buffer[index] += 1 }
      }
      #expect(hits == [Int](repeating: 1, count: taskCount))
    }
  }

  /// A job that records, for each task, the thread that ran it and how often it ran.
  final class ThreadRecorder: PoolJob, @unchecked Sendable {
    var threads: [pthread_t?]
    var runs: [Int]
    init(_ count: Int) {
      threads = Array(repeating: nil, count: count)
      runs = Array(repeating: 0, count: count)
    }
    func run(task index: Int) {
      threads[index] = pthread_self()
      runs[index] += 1
    }
  }

  @Test(arguments: [1, 2, 3])
  func pinnedTasksRunOncePerThreadOnTheSameThreadEveryTime(_ threadCount: Int) {
    let pool = WorkerPool(threadCount: threadCount)
    let first = ThreadRecorder(threadCount)
    pool.runPinned(job: first)
    #expect(first.runs == Array(repeating: 1, count: threadCount))
    #expect(first.threads[0] == pthread_self())
    #expect(Set(first.threads.compactMap { $0.map(UInt.init) }).count == threadCount)
    for _ in 0..<50 {
      let again = ThreadRecorder(threadCount)
      pool.runPinned(job: again)
      #expect(again.runs == first.runs)
      #expect(again.threads == first.threads)
    }
  }

  @Test func threadCountCanChangeBetweenJobs() {
    let pool = WorkerPool(threadCount: 1)
    #expect(pool.threadCount == 1)
    pool.threadCount = 3
    #expect(pool.threadCount == 3)
    pool.threadCount = 0
    #expect(pool.threadCount == 1)
    var total = [Int](repeating: 0, count: 64)
    total.withUnsafeMutableBufferPointer { buffer in
      pool.run(taskCount: 64) { buffer[$0] = $0 }
    }
    #expect(total == Array(0..<64))
  }

  @Test func streamingKernelMovesTheBytesItClaims() {
    let kernel = StreamingKernel(readCount: 4, writeCount: 3, count: 1000)
    #expect(kernel.bytesPerPass == 7 * 1000 * 4)
    kernel.run(on: WorkerPool(threadCount: 2))
  }
}
