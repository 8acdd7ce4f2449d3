import Foundation
import Synchronization

/// Work that a ``WorkerPool`` spreads over its threads: ``run(task:)`` is called once for every
/// task index, from any of the threads, in no particular order.
///
/// A job object kept between runs (an optimizer's step plan keeps one) lets a run allocate nothing.
public protocol PoolJob: AnyObject {
  /// Runs task `index`.
  func run(task index: Int)
}

/// A persistent pool of worker threads that run numbered tasks in parallel with the calling
/// thread. Workers are parked on a condition between jobs, so a job given as a ``PoolJob``
/// allocates nothing and costs one wake-up.
///
/// Tasks are handed out one at a time from a shared counter: which thread runs a task varies from
/// run to run, so a task's result must depend only on its index (as an element-wise chunk does).
public final class WorkerPool: @unchecked Sendable {
  /// The pool optimizers use unless given another: `DESCENT_THREADS` threads, or one per active
  /// processor when that variable is unset or not a positive integer.
  public static let shared = WorkerPool(threadCount: defaultThreadCount)

  /// `DESCENT_THREADS` when it is a positive integer, otherwise the active processor count.
  /// `DESCENT_THREADS` is capped at 4 threads per active processor and at 256 in all: more
  /// threads than that only cost memory and switching (100,000 would start 100,000 threads).
  public static var defaultThreadCount: Int {
    let processors = max(1, ProcessInfo.processInfo.activeProcessorCount)
    if let text = ProcessInfo.processInfo.environment["DESCENT_THREADS"],
      let count = Int(text.trimmingCharacters(in: .whitespaces)), count > 0
    {
      return min(count, 4 * processors, 256)
    }
    return processors
  }

  private let core: PoolCore

  /// A pool running jobs on `threadCount` threads: the caller and `threadCount - 1` workers
  /// (at least one thread).
  public init(threadCount: Int) {
    core = PoolCore()
    self.threadCount = threadCount
  }

  deinit { core.stop() }

  /// The number of threads a job runs on, the caller included (at least 1); raising it starts
  /// more workers.
  public var threadCount: Int {
    get { core.lock.withLock { core.threadLimit } }
    set { core.resize(to: max(1, newValue)) }
  }

  /// Runs `body(index)` for every index in `0..<taskCount`, spread over the pool's threads, and
  /// returns when all have finished. Runs on the caller alone for fewer than two tasks or a
  /// one-thread pool.
  public func run(taskCount: Int, _ body: (Int) -> Void) {
    guard core.threads(for: taskCount) > 1 else {
      for index in 0..<taskCount { body(index) }
      return
    }
    withoutActuallyEscaping(body) { escapable in
      core.run(taskCount: taskCount, job: ClosureJob(escapable), pinned: false)
    }
  }

  /// Runs `job` for every task index in `0..<taskCount`, spread over the pool's threads, and
  /// returns when all have finished, without allocating.
  public func run(taskCount: Int, job: some PoolJob) {
    core.run(taskCount: taskCount, job: job, pinned: false)
  }

  /// Runs `job` once per thread, task `i` always on the same thread (the caller runs task 0,
  /// worker `i - 1` task `i`), for ``threadCount`` tasks, without allocating. Work split into
  /// fixed parts this way stays with one core from run to run, and with it in that core's
  /// caches, as OpenMP's static schedule keeps it; tasks handed out from a shared counter would
  /// move between cores.
  public func runPinned(job: some PoolJob) {
    core.run(taskCount: threadCount, job: job, pinned: true)
  }
}

/// A closure as a job (for callers that run rarely enough not to keep a job object).
private final class ClosureJob: PoolJob {
  let body: (Int) -> Void
  init(_ body: @escaping (Int) -> Void) { self.body = body }
  func run(task index: Int) { body(index) }
}

/// The shared state of a pool and its workers (which keep it alive, not the pool itself).
///
/// A job is handed over through atomics: the caller publishes it by bumping ``generation``, and
/// counts the helpers still at work in ``active``. Between jobs a worker first watches the
/// generation for ``spinNanoseconds`` (yielding its processor on each look, so it takes nothing
/// that another thread wants), and only then sleeps on the condition; the caller likewise
/// watches ``active`` before sleeping. Steps of an optimizer come one after another, so most
/// jobs find their helpers awake, and a hand-over costs well under a microsecond instead of a
/// futex wake-up on each side.
final class PoolCore: @unchecked Sendable {
  let lock = NSCondition()
  /// Held for a whole job, so that callers on several threads (two optimizers stepping at once)
  /// take turns instead of overwriting each other's job.
  private let jobLock = NSLock()
  /// Threads per job, the caller included.
  var threadLimit = 1
  private var workerCount = 0
  /// Bumped (under `lock`, after the job's fields are set) to publish a job.
  private let generation = Atomic<Int>(0)
  /// The helpers of the current job that have not finished.
  private let active = Atomic<Int>(0)
  private let stopping = Atomic<Bool>(false)
  private var helpers = 0
  private var job: (any PoolJob)?
  private var taskCount = 0
  /// Whether each thread runs the one task of its own index (else they share a counter).
  private var pinned = false
  private let nextTask = Atomic<Int>(0)

  /// How long a waiting thread keeps looking before it sleeps: longer than the gap between two
  /// optimizer steps' jobs, short enough to cost little when the pool falls idle.
  static let spinNanoseconds: UInt64 = 50_000

  func resize(to count: Int) {
    lock.withLock {
      threadLimit = count
      while workerCount < count - 1 {
        let (index, start) = (workerCount, generation.load(ordering: .relaxed))
        workerCount += 1
        let thread = Thread { [self] in workerLoop(index: index, seen: start) }
        thread.name = "descent-worker-\(index)"
        thread.start()
      }
    }
  }

  func stop() {
    lock.withLock {
      stopping.store(true, ordering: .sequentiallyConsistent)
      lock.broadcast()
    }
  }

  /// The threads a job of `count` tasks runs on, the caller included.
  func threads(for count: Int) -> Int {
    lock.withLock { min(threadLimit, count) }
  }

  func run(taskCount count: Int, job newJob: any PoolJob, pinned isPinned: Bool) {
    let threads = threads(for: count)
    guard threads > 1 else {
      for index in 0..<count { newJob.run(task: index) }
      return
    }
    jobLock.lock()
    defer { jobLock.unlock() }
    lock.withLock {
      job = newJob
      taskCount = count
      pinned = isPinned
      nextTask.store(0, ordering: .relaxed)
      helpers = threads - 1
      active.store(threads - 1, ordering: .relaxed)
      generation.wrappingAdd(1, ordering: .releasing)
      lock.broadcast()
    }
    if isPinned {
      newJob.run(task: 0)
    } else {
      drain(newJob, count: count)
    }
    if !Self.spin(until: { active.load(ordering: .acquiring) == 0 }) {
      lock.withLock {
        while active.load(ordering: .acquiring) > 0 { lock.wait() }
      }
    }
    lock.withLock { job = nil }
  }

  /// Runs tasks from the shared counter until none is left.
  private func drain(_ job: any PoolJob, count: Int) {
    while true {
      let index = nextTask.wrappingAdd(1, ordering: .relaxed).oldValue
      guard index < count else { return }
      job.run(task: index)
    }
  }

  /// Looks at `done` until it holds or ``spinNanoseconds`` pass, yielding the processor between
  /// looks; whether it held.
  private static func spin(until done: () -> Bool) -> Bool {
    let start = DispatchTime.now().uptimeNanoseconds
    while !done() {
      if DispatchTime.now().uptimeNanoseconds - start > spinNanoseconds { return false }
      sched_yield()
    }
    return true
  }

  /// A worker's life: wait for a job newer than `seen`, help with it when among its helpers.
  private func workerLoop(index: Int, seen start: Int) {
    var seen = start
    while true {
      if !Self.spin(until: { isPublished(after: seen) }) {
        lock.lock()
        while !isPublished(after: seen) { lock.wait() }
        lock.unlock()
      }
      if stopping.load(ordering: .sequentiallyConsistent) { return }
      let (taken, helped) = help(index: index)
      seen = taken
      if helped && active.wrappingSubtract(1, ordering: .releasing).newValue == 0 {
        lock.withLock { lock.broadcast() }
      }
    }
  }

  /// Whether a job newer than generation `seen` was published, or the pool is stopping.
  private func isPublished(after seen: Int) -> Bool {
    generation.load(ordering: .acquiring) != seen || stopping.load(ordering: .relaxed)
  }

  /// Takes the current job, as the caller published it (its generation and fields together,
  /// under the lock), and drains it when worker `index` is among its helpers: the generation
  /// taken, and whether it helped. The job is released before returning, so the caller's
  /// closure does not outlive its run.
  private func help(index: Int) -> (generation: Int, helped: Bool) {
    let (taken, current, count, isPinned) = lock.withLock {
      (
        self.generation.load(ordering: .relaxed), index < helpers ? self.job : nil, taskCount,
        pinned
      )
    }
    guard let current else { return (taken, false) }
    if isPinned {
      current.run(task: index + 1)
    } else {
      drain(current, count: count)
    }
    return (taken, true)
  }
}
