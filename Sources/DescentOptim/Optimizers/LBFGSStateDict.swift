import DescentTensor

/// LBFGS's state dict in PyTorch's structure: one group holding every parameter (indices
/// `0..<n`) and every hyperparameter (``LBFGSHyperparameters/entries``), and the state under
/// parameter 0 for the whole flat vector, present once `step` has been called:
///
/// - buffers of the flat size: `d`, `prev_flat_grad`, and the stored pairs `old_dirs.<i>` and
///   `old_stps.<i>` (oldest first);
/// - scalars: `func_evals`, `n_iter`, `t`, `H_diag`, `prev_loss` and `ro.<i>`;
/// - the record's `step` is `n_iter` and its shape `[n]`, the flat size.
///
/// As in PyTorch, a state that has not iterated yet (the first call found a stationary point)
/// has `func_evals` and `n_iter` only. PyTorch's scratch list `al` is not kept: every step
/// overwrites it before reading it. `prev_loss` is absent after a step without a closure.
extension LBFGS {
  /// The hyperparameters and state, to save in a checkpoint.
  public func stateDict() -> OptimizerStateDict {
    var records: [Int: OptimizerStateDict.ParameterRecord] = [:]
    if let record = state.record(count: count) { records[0] = record }
    let group = OptimizerStateDict.GroupRecord(
      params: Array(parameters.indices), hyperparameters: hyperparameters.entries)
    return OptimizerStateDict(state: records, paramGroups: [group])
  }

  /// Replaces the hyperparameters and state by those of `dict`.
  ///
  /// - Throws: ``OptimizerError/stateDictMismatch(optimizer:reason:)`` when the groups, the
  ///   parameter indices, a buffer's size, a key or the history does not fit, or a hyperparameter
  ///   error; nothing is then changed.
  public func loadStateDict(_ dict: OptimizerStateDict) throws {
    guard dict.paramGroups.count == 1 else {
      throw lbfgsMismatch("it has \(dict.paramGroups.count) parameter groups, LBFGS has 1")
    }
    let group = dict.paramGroups[0]
    guard group.params == Array(parameters.indices) else {
      throw lbfgsMismatch("its group holds parameters \(group.params), not 0..<\(parameters.count)")
    }
    let settings = try LBFGSHyperparameters(entries: group.hyperparameters)
    if let index = dict.state.keys.sorted().first(where: { $0 != 0 }) {
      throw lbfgsMismatch("state for parameter \(index): LBFGS keeps its state under parameter 0")
    }
    let restored = try dict.state[0].map {
      try LBFGSState<Scalar>(record: $0, count: count, historySize: settings.historySize)
    }
    hyperparameters = settings
    state = restored ?? LBFGSState()
  }
}

/// Why an LBFGS state dict does not fit.
func lbfgsMismatch(_ reason: String) -> OptimizerError {
  .stateDictMismatch(optimizer: "LBFGS", reason: reason)
}

extension LBFGSState {
  /// The scalar keys besides `ro.<i>`.
  private static var scalarKeys: Set<String> {
    ["func_evals", "n_iter", "t", "H_diag", "prev_loss"]
  }

  /// The state as PyTorch's record under parameter 0 for `count` elements; `nil` before any
  /// step.
  func record(count: Int) -> OptimizerStateDict.ParameterRecord? {
    guard funcEvals > 0 || nIter > 0 else { return nil }
    var buffers: [String: [Double]] = [:]
    var order: [String] = []
    func add(_ name: String, _ values: [Scalar]?) {
      guard let values else { return }
      buffers[name] = values.map { Double($0) }
      order.append(name)
    }
    add("d", d)
    add("prev_flat_grad", prevFlatGrad)
    for (index, values) in oldDirs.enumerated() { add("old_dirs.\(index)", values) }
    for (index, values) in oldStps.enumerated() { add("old_stps.\(index)", values) }
    var scalars = ["func_evals": Double(funcEvals), "n_iter": Double(nIter)]
    if d != nil { scalars["H_diag"] = hDiag }
    scalars["t"] = t
    scalars["prev_loss"] = prevLoss
    for (index, value) in ro.enumerated() { scalars["ro.\(index)"] = value }
    return OptimizerStateDict.ParameterRecord(
      step: nIter, shape: [count], buffers: buffers, bufferOrder: order, scalars: scalars)
  }

  /// The state `record` holds, for `count` elements keeping at most `historySize` pairs.
  ///
  /// - Throws: ``OptimizerError/stateDictMismatch(optimizer:reason:)`` naming what does not fit.
  init(
    record: OptimizerStateDict.ParameterRecord, count: Int, historySize: Int
  ) throws {
    guard record.shape == [count] else {
      throw lbfgsMismatch(
        "the state is for \(record.shape), the parameters' flat size is [\(count)]")
    }
    guard Set(record.bufferOrder) == Set(record.buffers.keys),
      record.bufferOrder.count == record.buffers.count
    else {
      throw lbfgsMismatch("buffer order \(record.bufferOrder) does not name its buffers")
    }
    let pairs = record.scalars.keys.filter { $0.hasPrefix("ro.") }.count
    let pairKeys = (0..<pairs)
    let expectedScalars = Self.scalarKeys.union(pairKeys.map { "ro.\($0)" })
    if let unknown = record.scalars.keys.sorted().first(where: { !expectedScalars.contains($0) }) {
      throw lbfgsMismatch("unknown scalar '\(unknown)' (with \(pairs) ro entries)")
    }
    let pairBuffers = pairKeys.flatMap { ["old_dirs.\($0)", "old_stps.\($0)"] }
    let expectedBuffers = Set(["d", "prev_flat_grad"] + pairBuffers)
    if let unknown = record.bufferOrder.first(where: { !expectedBuffers.contains($0) }) {
      throw lbfgsMismatch("unknown buffer '\(unknown)' (with \(pairs) ro entries)")
    }
    if let missing = pairBuffers.first(where: { record.buffers[$0] == nil }) {
      throw lbfgsMismatch("buffer '\(missing)' is missing (with \(pairs) ro entries)")
    }
    guard pairs <= historySize else {
      throw lbfgsMismatch("\(pairs) stored pairs exceed historySize \(historySize)")
    }
    if let (name, values) = record.buffers.sorted(by: { $0.key < $1.key }).first(where: {
      $0.value.count != count
    }) {
      throw lbfgsMismatch("buffer '\(name)' has \(values.count) elements, not \(count)")
    }
    func counter(_ name: String) throws -> Int {
      guard let value = record.scalars[name], value >= 0, value < 0x1p53, value.rounded() == value
      else {
        throw lbfgsMismatch(
          "'\(name)' is \(record.scalars[name].map { "\($0)" } ?? "missing"), not a count")
      }
      return Int(value)
    }
    self.init()
    funcEvals = try counter("func_evals")
    nIter = try counter("n_iter")
    guard record.step == nIter else {
      throw lbfgsMismatch("the record's step \(record.step) is not n_iter \(nIter)")
    }
    func vector(_ name: String) -> [Scalar]? { record.buffers[name]?.map { Scalar($0) } }
    (d, prevFlatGrad, t) = (vector("d"), vector("prev_flat_grad"), record.scalars["t"])
    prevLoss = record.scalars["prev_loss"]
    let iterated = [d != nil, prevFlatGrad != nil, t != nil, record.scalars["H_diag"] != nil]
    guard iterated.allSatisfy({ $0 == (nIter > 0) }) else {
      throw lbfgsMismatch(
        "d, prev_flat_grad, t and H_diag must all be present exactly when n_iter > 0")
    }
    guard nIter > 0 || (prevLoss == nil && pairs == 0) else {
      throw lbfgsMismatch("prev_loss or stored pairs without an iteration (n_iter 0)")
    }
    hDiag = record.scalars["H_diag"] ?? 1
    oldDirs = pairKeys.map { vector("old_dirs.\($0)") ?? [] }
    oldStps = pairKeys.map { vector("old_stps.\($0)") ?? [] }
    ro = pairKeys.map { record.scalars["ro.\($0)"] ?? 0 }
  }
}
