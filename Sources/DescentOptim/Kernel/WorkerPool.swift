import Foundation
import Synchronization

/// A persistent pool of worker threads that run numbered tasks in parallel with the calling
/// thread. Workers are parked on a condition between jobs, so a job allocates nothing and costs
/// one wake-up.
///
/// Tasks are handed out one at a time from a shared counter: which thread runs a task varies from
/// run to run, so a task's result must depend only on its index (as an element-wise chunk does).
public final class WorkerPool: @unchecked Sendable {
  /// The pool optimizers use unless given another: `DESCENT_THREADS` threads, or one per active
  /// processor when that variable is unset or not a positive integer.
  public static let shared = WorkerPool(threadCount: defaultThreadCount)

  /// `DESCENT_THREADS` when it is a positive integer, otherwise the active processor count.
  public static var defaultThreadCount: Int {
    if let text = ProcessInfo.processInfo.environment["DESCENT_THREADS"],
      let count = Int(text.trimmingCharacters(in: .whitespaces)), count > 0
    {
      return count
    }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
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
    core.run(taskCount: taskCount, body)
  }
}

/// The shared state of a pool and its workers (which keep it alive, not the pool itself).
final class PoolCore: @unchecked Sendable {
  let lock = NSCondition()
  /// Held for a whole job, so that callers on several threads (two optimizers stepping at once)
  /// take turns instead of overwriting each other's job.
  private let jobLock = NSLock()
  /// Threads per job, the caller included.
  var threadLimit = 1
  private var workerCount = 0
  private var generation = 0
  private var helpers = 0
  private var active = 0
  private var stopping = false
  private var job: ((Int) -> Void)?
  private var taskCount = 0
  private let nextTask = Atomic<Int>(0)

  func resize(to count: Int) {
    lock.withLock {
      threadLimit = count
      while workerCount < count - 1 {
        let (index, start) = (workerCount, generation)
        workerCount += 1
        let thread = Thread { [self] in workerLoop(index: index, seen: start) }
        thread.name = "descent-worker-\(index)"
        thread.start()
      }
    }
  }

  func stop() {
    lock.withLock {
      stopping = true
      lock.broadcast()
    }
  }

  func run(taskCount count: Int, _ body: (Int) -> Void) {
    let threads = lock.withLock { min(threadLimit, count) }
    guard threads > 1 else {
      for index in 0..<count { body(index) }
      return
    }
    jobLock.lock()
    defer { jobLock.unlock() }
    withoutActuallyEscaping(body) { escapable in
      lock.withLock {
        job = escapable
        taskCount = count
        nextTask.store(0, ordering: .relaxed)
        helpers = threads - 1
        active = threads - 1
        generation &+= 1
        lock.broadcast()
      }
      drain(escapable, count: count)
      lock.withLock {
        while active > 0 { lock.wait() }
        job = nil
      }
    }
  }

  /// Runs tasks from the shared counter until none is left.
  private func drain(_ body: (Int) -> Void, count: Int) {
    while true {
      let index = nextTask.wrappingAdd(1, ordering: .relaxed).oldValue
      guard index < count else { return }
      body(index)
    }
  }

  /// A worker's life: wait for a job newer than `seen`, help with it when among its helpers.
  private func workerLoop(index: Int, seen start: Int) {
    var seen = start
    while true {
      lock.lock()
      while generation == seen && !stopping { lock.wait() }
      if stopping {
        lock.unlock()
        return
      }
      seen = generation
      let joins = index < helpers
      lock.unlock()
      guard joins else { continue }
      work()
      lock.withLock {
        active -= 1
        if active == 0 { lock.broadcast() }
      }
    }
  }

  /// Takes the current job and drains it; the job is released before returning.
  private func work() {
    guard let (body, count) = lock.withLock({ job.map { ($0, taskCount) } }) else { return }
    drain(body, count: count)
  }
}
