import DescentOptim
import DescentTensor

extension ShardedOptimizer {
  /// The state every rank's slice makes up together, in the unsharded optimizer's structure
  /// (one record per parameter, with its shape), so that one process or any number of ranks can
  /// load it. Collective: every rank gathers every buffer.
  public func gatheredStateDict() throws -> OptimizerStateDict {
    let local = optimizer.stateDict()
    let group = OptimizerStateDict.GroupRecord(
      params: Array(parameters.indices), hyperparameters: local.paramGroups[0].hyperparameters)
    guard let record = local.state[0] else {
      return OptimizerStateDict(state: [:], paramGroups: [group])
    }
    let length = layout.shardLength(ranks: communicator.size)
    var full: [String: [Double]] = [:]
    for name in record.bufferOrder {
      var mine = record.buffers[name] ?? []
      mine += [Double](repeating: 0, count: length - mine.count)
      full[name] = try communicator.allGather(mine)
    }
    var state: [Int: OptimizerStateDict.ParameterRecord] = [:]
    for (index, shape) in layout.shapes.enumerated() {
      let range = layout.range(ofParameter: index)
      state[index] = .init(
        step: record.step, shape: shape, buffers: full.mapValues { Array($0[range]) },
        bufferOrder: record.bufferOrder, scalars: record.scalars,
        bufferDTypes: record.bufferDTypes)
    }
    return OptimizerStateDict(state: state, paramGroups: [group])
  }

  /// Loads this rank's slice of `dict`, a state in the unsharded optimizer's structure (as
  /// ``gatheredStateDict()`` gives or a single process saves). Local: no communication.
  ///
  /// - Throws: ``DistributedError/checkpointMismatch(path:reason:)`` (with `source` as the path)
  ///   when the groups, shapes, steps or buffers do not fit; the optimizer is then unchanged.
  public func loadGathered(_ dict: OptimizerStateDict, source: String) throws {
    func mismatch(_ reason: String) -> DistributedError {
      .checkpointMismatch(path: source, reason: reason)
    }
    guard dict.paramGroups.count == 1, dict.paramGroups[0].params == Array(parameters.indices)
    else {
      throw mismatch("ZeRO-1 needs one parameter group over the \(parameters.count) parameters")
    }
    let group = OptimizerStateDict.GroupRecord(
      params: [0], hyperparameters: dict.paramGroups[0].hyperparameters)
    guard let first = dict.state[0] else {
      guard dict.state.isEmpty else { throw mismatch("parameter 0 has no state, others do") }
      try optimizer.loadStateDict(OptimizerStateDict(state: [:], paramGroups: [group]))
      return
    }
    var flat: [String: [Double]] = [:]
    for (index, shape) in layout.shapes.enumerated() {
      guard let record = dict.state[index] else {
        throw mismatch("parameter \(index) has no state")
      }
      guard record.shape == shape else {
        throw mismatch("parameter \(index) has shape \(record.shape), the model \(shape)")
      }
      guard record.step == first.step, record.bufferOrder == first.bufferOrder,
        record.scalars == first.scalars
      else {
        throw mismatch("parameter \(index)'s step, buffers or scalars differ from parameter 0's")
      }
      for name in record.bufferOrder {
        guard let values = record.buffers[name], values.count == shape.reduce(1, *) else {
          throw mismatch("parameter \(index): buffer '\(name)' is missing or of the wrong size")
        }
        flat[name, default: []] += values
      }
    }
    let record = OptimizerStateDict.ParameterRecord(
      step: first.step, shape: [shard.count], buffers: flat.mapValues { Array($0[shard]) },
      bufferOrder: first.bufferOrder, scalars: first.scalars)
    try optimizer.loadStateDict(OptimizerStateDict(state: [0: record], paramGroups: [group]))
  }
}

/// An optimizer state held as a value, standing in for a sharded optimizer when a checkpoint is
/// written (the gathered state) or read (the state captured for ``ShardedOptimizer/loadGathered(_:source:)``).
final class StateDictSnapshot: CheckpointableOptimizer {
  let name: String
  private(set) var dict: OptimizerStateDict

  init(name: String, dict: OptimizerStateDict) {
    self.name = name
    self.dict = dict
  }

  func stateDict() -> OptimizerStateDict { dict }

  func loadStateDict(_ dict: OptimizerStateDict) throws { self.dict = dict }
}
