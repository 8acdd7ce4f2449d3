/// Helpers that keep ranks in step when something may fail on some of them only: each rank says
/// whether it succeeded, and all of them throw when any failed, instead of some waiting forever
/// in the next collective.
enum RankAgreement {
  /// Runs `body` on this rank, then tells every rank who failed; rethrows this rank's own error
  /// or throws ``DistributedError/peerFailed(ranks:action:)`` when only other ranks failed.
  static func run<T>(
    _ action: String, over communicator: any Communicator, _ body: () throws -> T
  ) throws -> T {
    var outcome: Result<T, any Error>
    do { outcome = .success(try body()) } catch { outcome = .failure(error) }
    let failedHere: UInt64 = if case .failure = outcome { 1 } else { 0 }
    let failed = try communicator.allGatherWords([failedHere]).enumerated()
      .filter { $0.element[0] != 0 }.map(\.offset)
    switch outcome {
    case .failure(let error): throw error
    case .success(let value):
      guard failed.isEmpty else { throw DistributedError.peerFailed(ranks: failed, action: action) }
      return value
    }
  }

  /// A 64-bit FNV-1a digest of `text`, the same on every machine.
  static func digest(_ text: String) -> UInt64 {
    var hash = FNV1a()
    hash.add(text.utf8)
    return hash.value
  }

  /// Compares every rank's digest of each named part with rank 0's, and throws
  /// ``DistributedError/rankMismatch(part:ranks:)`` on every rank for the first part that
  /// differs.
  static func checkSame(
    _ parts: [(name: String, text: String)], over communicator: any Communicator
  )
    throws
  {
    let all = try communicator.allGatherWords(parts.map { digest($0.text) })
    for (index, part) in parts.enumerated() {
      let differing = all.indices.filter { all[$0][index] != all[0][index] }
      if !differing.isEmpty {
        throw DistributedError.rankMismatch(part: part.name, ranks: differing)
      }
    }
  }
}

extension Communicator {
  /// Runs `body` on every rank and makes its failure known to all: each rank rethrows its own
  /// error, and ranks that succeeded throw ``DistributedError/peerFailed(ranks:action:)`` when
  /// any other failed, so no rank is left waiting in a later collective. `action` says what was
  /// being done ("to load the data"). Collective.
  public func agree<T>(_ action: String, _ body: () throws -> T) throws -> T {
    try RankAgreement.run(action, over: self, body)
  }

  /// Checks that every rank holds the same text for each named part (a digest of it is
  /// compared), and throws ``DistributedError/rankMismatch(part:ranks:)`` on every rank for the
  /// first part where any rank differs from rank 0. Collective.
  public func checkSame(_ parts: [(name: String, text: String)]) throws {
    try RankAgreement.checkSame(parts, over: self)
  }
}
