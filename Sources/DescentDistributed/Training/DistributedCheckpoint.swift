import DescentOptim
import DescentTensor
import Foundation

extension DataParallelTrainer {
  /// Writes one consistent checkpoint: rank 0 saves the model, the whole optimizer state
  /// (gathered from the shards under ZeRO-1, in the unsharded optimizer's structure) and the
  /// progress, so one process or any number of ranks can resume from it. Collective; every rank
  /// throws when the write fails.
  public func saveCheckpoint(to url: URL) throws {
    let optimizer: any CheckpointableOptimizer
    if let sharded = shardedOptimizer {
      optimizer = StateDictSnapshot(name: sharded.name, dict: try sharded.gatheredStateDict())
    } else {
      optimizer = try replicatedOptimizer.orThrow(optimizerName)
    }
    let progress = TrainingProgress(epoch: stepsDone / batchesPerEpoch, step: stepsDone)
    try RankAgreement.run("to write checkpoint \(url.path)", over: communicator) {
      guard communicator.isRoot else { return }
      let checkpoint = try TrainingCheckpoint<Scalar>(
        namedParameters: model.namedParameters(), optimizer: optimizer)
      try checkpoint.save(to: url, progress: progress)
    }
  }

  /// Restores the model, the optimizer state (this rank's slice of it under ZeRO-1) and the step
  /// count from a checkpoint written by any number of ranks or by one process; every rank reads
  /// the file. Training resumes at the saved step, or at the start of the epoch after the saved
  /// epoch when the checkpoint counts epochs only (as `descent train --checkpoint` does).
  /// Returns the saved progress. Collective; every rank throws when any fails.
  @discardableResult
  public func loadCheckpoint(from url: URL) throws -> TrainingProgress {
    let progress = try RankAgreement.run("to load checkpoint \(url.path)", over: communicator) {
      if let sharded = shardedOptimizer {
        let template = try sharded.gatheredTemplate()
        let snapshot = StateDictSnapshot(name: sharded.name, dict: template)
        let progress = try TrainingCheckpoint<Scalar>(
          namedParameters: model.namedParameters(), optimizer: snapshot
        ).load(from: url)
        try sharded.loadGathered(snapshot.dict, source: url.path)
        sharded.refreshSlice()
        return progress
      }
      return try TrainingCheckpoint<Scalar>(
        namedParameters: model.namedParameters(),
        optimizer: try replicatedOptimizer.orThrow(optimizerName)
      ).load(from: url)
    }
    resume(atStep: max(progress.step, progress.epoch * batchesPerEpoch))
    return progress
  }
}

extension ShardedOptimizer {
  /// The unsharded structure (groups, no per-parameter state) a checkpoint is checked against
  /// before its state is read. Local.
  func gatheredTemplate() throws -> OptimizerStateDict {
    let local = optimizer.stateDict()
    return OptimizerStateDict(
      state: [:],
      paramGroups: [
        .init(
          params: Array(parameters.indices), hyperparameters: local.paramGroups[0].hyperparameters)
      ])
  }
}

extension Optional {
  /// The wrapped optimizer; a trainer holds exactly one of its two optimizers, so `nil` here is
  /// a broken invariant reported as an error rather than a crash.
  fileprivate func orThrow(_ name: String) throws -> Wrapped {
    guard let self else {
      throw DistributedError.notShardable(optimizer: name, reason: "the trainer holds no optimizer")
    }
    return self
  }
}
