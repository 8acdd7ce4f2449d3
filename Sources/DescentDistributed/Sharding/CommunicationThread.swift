import Foundation

/// A thread that runs collectives one after another, in the order they were handed to it, while
/// the thread that hands them over goes on computing (the backward pass). Only this thread calls
/// MPI while work is pending, so MPI needs only `MPI_THREAD_SERIALIZED`.
final class CommunicationThread: @unchecked Sendable {
  private let condition = NSCondition()
  private var jobs: [() throws -> Void] = []
  private var running = false
  private var failure: (any Error)?
  private var stopping = false

  /// Starts the thread.
  init() {
    let thread = Thread { [unowned self] in self.loop() }
    thread.name = "descent-communication"
    thread.start()
  }

  /// Stops the thread once its work is done.
  func stop() {
    condition.lock()
    stopping = true
    condition.broadcast()
    condition.unlock()
  }

  /// Queues `job` after the work already queued.
  func enqueue(_ job: @escaping () throws -> Void) {
    condition.lock()
    jobs.append(job)
    condition.broadcast()
    condition.unlock()
  }

  /// Waits until every queued job has run; rethrows the first error one raised (the jobs after
  /// a failure are skipped).
  func drain() throws {
    condition.lock()
    while !jobs.isEmpty || running { condition.wait() }
    let failure = self.failure
    self.failure = nil
    condition.unlock()
    if let failure { throw failure }
  }

  /// Runs `job` after the queued work and waits for it.
  func run(_ job: @escaping () throws -> Void) throws {
    enqueue(job)
    try drain()
  }

  private func loop() {
    condition.lock()
    while true {
      while jobs.isEmpty && !stopping { condition.wait() }
      if jobs.isEmpty && stopping { break }
      let job = jobs.removeFirst()
      running = true
      let skip = failure != nil
      condition.unlock()
      var error: (any Error)?
      if !skip {
        do { try job() } catch let thrown { error = thrown }
      }
      condition.lock()
      if let error, failure == nil { failure = error }
      running = false
      condition.broadcast()
    }
    condition.unlock()
  }
}
