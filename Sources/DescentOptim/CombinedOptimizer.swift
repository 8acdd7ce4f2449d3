import DescentTensor

/// Several optimizers over disjoint parameters, driven as one: a step steps each, a schedule
/// sees their parameter groups one after another, and the state dict holds their groups and
/// states in that order (parameter indices counted across all of them, as in one PyTorch
/// optimizer with several groups). The usual Muon recipe is one: Muon for the hidden matrices,
/// AdamW for the rest (``Muon/withAdamW(_:muonOptions:adamWOptions:)``).
public final class CombinedOptimizer<Scalar: TensorScalar>: TrainingOptimizer {
  /// The optimizers, in order.
  public let parts: [any TrainingOptimizer<Scalar>]

  /// The optimizers `parts`, which must not share a parameter.
  ///
  /// - Throws: ``OptimizerError/overlappingParameter(optimizer:group:position:)`` when two parts
  ///   share a parameter, ``OptimizerError/emptyParameterList(optimizer:group:)`` for no parts.
  public init(_ parts: [any TrainingOptimizer<Scalar>]) throws {
    let name = parts.map { $0.name }.joined(separator: "+")
    guard !parts.isEmpty else { throw OptimizerError.emptyParameterList(optimizer: name, group: 0) }
    var seen = Set<ObjectIdentifier>()
    let all = parts.flatMap { $0.parameters }
    for (position, parameter) in all.enumerated()
    where !seen.insert(ObjectIdentifier(parameter)).inserted {
      throw OptimizerError.overlappingParameter(optimizer: name, group: 0, position: position)
    }
    self.parts = parts
  }

  /// The parts' names joined by `+` (`"Muon+AdamW"`).
  public var name: String { parts.map { $0.name }.joined(separator: "+") }

  /// Every part's parameters, in order.
  public var parameters: [Parameter<Scalar>] { parts.flatMap { $0.parameters } }

  /// The first part's path; setting it sets every part's.
  public var kernelPath: KernelPath {
    get { parts[0].kernelPath }
    set { for part in parts { part.kernelPath = newValue } }
  }

  /// Clears every part's gradients.
  public func zeroGrad(setToNil: Bool) { for part in parts { part.zeroGrad(setToNil: setToNil) } }

  /// Steps every part.
  public func step() { for part in parts { part.step() } }

  /// Evaluates `closure` once and steps every part (parts that evaluate a closure several times,
  /// such as LBFGS, are stepped once on that evaluation).
  @discardableResult
  public func step(closure: () throws -> Double) rethrows -> Double {
    let loss = try closure()
    step()
    return loss
  }

  /// Every part printed, one after another.
  public var description: String { parts.map { $0.description }.joined(separator: "\n") }

  /// The part and its own group index of overall group `index`.
  private func locate(_ index: Int) -> (part: any TrainingOptimizer<Scalar>, group: Int) {
    var group = index
    for part in parts {
      if group < part.paramGroupCount { return (part, group) }
      group -= part.paramGroupCount
    }
    preconditionFailure("parameter group \(index) of \(paramGroupCount)")
  }

  /// The parts' groups together.
  public var paramGroupCount: Int { parts.reduce(0) { $0 + $1.paramGroupCount } }

  /// Group `index`'s learning rate, counting the parts' groups in order.
  public func learningRate(ofGroup index: Int) -> Double {
    let (part, group) = locate(index)
    return part.learningRate(ofGroup: group)
  }

  /// Sets group `index`'s learning rate.
  public func setLearningRate(_ value: Double, ofGroup index: Int) {
    let (part, group) = locate(index)
    part.setLearningRate(value, ofGroup: group)
  }

  /// Group `index`'s momentum, if its optimizer has one.
  public func momentum(ofGroup index: Int) -> Double? {
    let (part, group) = locate(index)
    return part.momentum(ofGroup: group)
  }

  /// Sets group `index`'s momentum.
  public func setMomentum(_ value: Double, ofGroup index: Int) {
    let (part, group) = locate(index)
    part.setMomentum(value, ofGroup: group)
  }

  /// The parts' state dicts in one: their groups in order, parameter indices shifted past the
  /// earlier parts' parameters.
  public func stateDict() -> OptimizerStateDict {
    var combined = OptimizerStateDict(state: [:], paramGroups: [])
    var offset = 0
    for part in parts {
      let dict = part.stateDict()
      for (index, record) in dict.state { combined.state[index + offset] = record }
      for group in dict.paramGroups {
        combined.paramGroups.append(
          .init(params: group.params.map { $0 + offset }, hyperparameters: group.hyperparameters))
      }
      offset += part.parameters.count
    }
    return combined
  }

  /// Splits `dict` by the parts' groups and loads each part's share; when a part refuses its
  /// share, the parts loaded before it are restored, so nothing changes.
  ///
  /// - Throws: ``OptimizerError`` when the groups do not fit, or what a part throws.
  public func loadStateDict(_ dict: OptimizerStateDict) throws {
    guard dict.paramGroups.count == paramGroupCount else {
      throw OptimizerError.stateDictMismatch(
        optimizer: name,
        reason: "\(dict.paramGroups.count) parameter groups in the state, \(paramGroupCount) here")
    }
    var shares: [OptimizerStateDict] = []
    var (groupStart, offset) = (0, 0)
    for part in parts {
      let count = part.parameters.count
      let groups = dict.paramGroups[groupStart..<(groupStart + part.paramGroupCount)].map {
        OptimizerStateDict.GroupRecord(
          params: $0.params.map { $0 - offset }, hyperparameters: $0.hyperparameters)
      }
      var state: [Int: OptimizerStateDict.ParameterRecord] = [:]
      for (index, record) in dict.state where (offset..<(offset + count)).contains(index) {
        state[index - offset] = record
      }
      shares.append(OptimizerStateDict(state: state, paramGroups: groups))
      groupStart += part.paramGroupCount
      offset += count
    }
    let before = parts.map { $0.stateDict() }
    for (index, (part, share)) in zip(parts, shares).enumerated() {
      do {
        try part.loadStateDict(share)
      } catch {
        for (loaded, state) in zip(parts[..<index], before) { try? loaded.loadStateDict(state) }
        throw error
      }
    }
  }
}
