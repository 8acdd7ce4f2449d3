import Foundation

/// What goes wrong in distributed training: MPI missing or not launched, an MPI call failing,
/// ranks that disagree, or a setting data parallelism cannot honour. Every case says what and
/// where, and is raised on every rank when the ranks can agree on it.
public enum DistributedError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// The process was not started by `mpirun`/`mpiexec` (no Open MPI or PMIx rank in the
  /// environment).
  case notLaunchedByMPI
  /// Open MPI's shared library could not be loaded.
  case libraryMissing(library: String, reason: String)
  /// The loaded library lacks a function or handle Descent needs.
  case missingSymbol(name: String, library: String)
  /// An MPI call returned an error code.
  case call(function: String, code: Int32, message: String)
  /// A buffer too large for MPI's 32-bit element counts.
  case countTooLarge(function: String, count: Int)
  /// Ranks that disagree with rank 0 on `part` (the model's shapes, the optimizer and its
  /// hyperparameters, or the data), found by the start-up digest check.
  case rankMismatch(part: String, ranks: [Int])
  /// Other ranks failed at `action`; their own error is printed by them.
  case peerFailed(ranks: [Int], action: String)
  /// ZeRO-1 needs an element-wise optimizer over one parameter group.
  case notShardable(optimizer: String, reason: String)
  /// The model has fewer elements than there are ranks to shard them over.
  case tooFewElements(elements: Int, ranks: Int)
  /// A batch of `batch` samples cannot give each of `ranks` ranks one, as synchronized batch
  /// normalization needs.
  case batchTooSmall(batch: Int, ranks: Int)
  /// A checkpoint's optimizer state does not fit the sharded optimizer.
  case checkpointMismatch(path: String, reason: String)

  /// A sentence for the user.
  public var description: String {
    switch self {
    case .notLaunchedByMPI:
      "--distributed must run under MPI: launch it with mpirun, e.g. `mpirun -np 2 descent train "
        + "--distributed` (no OMPI_COMM_WORLD_SIZE or PMIX_RANK in the environment)"
    case .libraryMissing(let library, let reason):
      "Open MPI is not installed or not found (\(library): \(reason)); install openmpi-bin and "
        + "libopenmpi-dev (scripts/setup.sh does) to train with --distributed"
    case .missingSymbol(let name, let library):
      "\(library) has no symbol \(name): Descent needs Open MPI 4 or later"
    case .call(let function, let code, let message):
      "\(function) failed with MPI error \(code): \(message)"
    case .countTooLarge(let function, let count):
      "\(function): \(count) elements exceed MPI's 32-bit count"
    case .rankMismatch(let part, let ranks):
      "rank\(ranks.count == 1 ? "" : "s") \(ranks.map(String.init).joined(separator: ", ")) "
        + "disagree\(ranks.count == 1 ? "s" : "") with rank 0 on \(part): start every rank with "
        + "the same options and files"
    case .peerFailed(let ranks, let action):
      "rank\(ranks.count == 1 ? "" : "s") \(ranks.map(String.init).joined(separator: ", ")) "
        + "failed \(action) (see \(ranks.count == 1 ? "its" : "their") message)"
    case .notShardable(let optimizer, let reason):
      "--zero cannot shard \(optimizer): \(reason)"
    case .tooFewElements(let elements, let ranks):
      "cannot shard \(elements) parameter elements over \(ranks) ranks"
    case .batchTooSmall(let batch, let ranks):
      "the model's batch normalization is synchronized over \(ranks) ranks, so every batch needs "
        + "at least \(ranks) samples, one per rank; a batch has \(batch) (choose --batch-size so "
        + "that every batch, the epoch's last included, has \(ranks) or more)"
    case .checkpointMismatch(let path, let reason):
      "checkpoint \(path) does not fit: \(reason)"
    }
  }

  /// Same as `description`, for Foundation's error reporting.
  public var errorDescription: String? { description }
}
