import Foundation

/// PyTorch's `group["initial_lr"]`: the learning rates an optimizer had when its first scheduler
/// was attached, shared by every scheduler later attached to the same optimizer.
///
/// ``ScheduledOptimizer`` has no room for it, so it is kept here, keyed by the optimizer's identity
/// (an entry whose optimizer has been freed is ignored and replaced).
final class InitialLearningRates: @unchecked Sendable {
  /// The one registry of the process.
  static let shared = InitialLearningRates()

  private struct Entry {
    weak var optimizer: AnyObject?
    var rates: [Double]
  }

  private let lock = NSLock()
  private var entries: [ObjectIdentifier: Entry] = [:]

  /// The recorded initial learning rates of `optimizer`, recording its current ones first when
  /// none are recorded (`setdefault`).
  func recordIfAbsent(for optimizer: any ScheduledOptimizer) -> [Double] {
    lock.lock()
    defer { lock.unlock() }
    let key = ObjectIdentifier(optimizer)
    if let entry = entries[key], entry.optimizer === optimizer,
      entry.rates.count == optimizer.paramGroupCount
    {
      return entry.rates
    }
    let rates = optimizer.learningRates
    entries = entries.filter { $0.value.optimizer != nil }
    entries[key] = Entry(optimizer: optimizer, rates: rates)
    return rates
  }

  /// Replaces the recorded initial learning rates of `optimizer` (OneCycleLR sets its own).
  func record(_ rates: [Double], for optimizer: any ScheduledOptimizer) {
    lock.lock()
    defer { lock.unlock() }
    entries[ObjectIdentifier(optimizer)] = Entry(optimizer: optimizer, rates: rates)
  }
}
