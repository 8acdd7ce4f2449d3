import DescentNN
import Foundation

/// Saves and restores everything a training run resumes from, in one safetensors file: the
/// model's parameters and buffers (BatchNorm's running statistics), by their state-dict names,
/// the optimizer's state dict, the scheduler's state, the weight-averaging state and a
/// ``TrainingProgress`` (epoch, step, random generator).
///
/// Tensors are stored little-endian in the model's dtype (`model.<name>`,
/// `optimizer.<index>.<buffer>`, `averaging.<name>`), but optimizer buffers kept in another
/// type (see ``OptimizerStateDict/ParameterRecord/bufferDTypes``): 8-bit codes as `U8`, bfloat16
/// moments as `BF16`, bitsandbytes' maps and scales as `F32`; everything else is JSON in the
/// `__metadata__` map. Saving is atomic (``save(to:progress:)``); loading validates the whole
/// file against the live objects before changing any of them (``load(from:)``).
///
/// ```swift
/// let checkpoint = TrainingCheckpoint(model: net, optimizer: adam, scheduler: cosine, averaging: ema)
/// try checkpoint.save(to: url, progress: TrainingProgress(epoch: 3, step: 300, generator: GlobalGenerator.state))
/// // later, with freshly built objects of the same kinds:
/// let progress = try checkpoint.load(from: url)
/// if let generator = progress.generator { GlobalGenerator.state = generator }
/// ```
public struct TrainingCheckpoint<Scalar: TensorScalar> {
  /// The model's parameters with their dotted names.
  public let namedParameters: [(name: String, parameter: Parameter<Scalar>)]
  /// The model's buffers (BatchNorm's running statistics) with their dotted names; none for a
  /// checkpoint of named parameters.
  public let namedBuffers: [(name: String, buffer: Buffer<Scalar>)]
  /// The optimizer whose state is saved and restored, if any.
  public var optimizer: (any CheckpointableOptimizer)?
  /// The learning-rate scheduler whose state is saved and restored, if any.
  public var scheduler: (any LRScheduler)?
  /// The weight average (EMA or SWA) saved and restored, if any.
  public var averaging: AveragedModel<Scalar>?

  /// A checkpoint of `model` and the given companions.
  public init(
    model: some Module<Scalar>, optimizer: (any CheckpointableOptimizer)? = nil,
    scheduler: (any LRScheduler)? = nil, averaging: AveragedModel<Scalar>? = nil
  ) {
    self.namedParameters = model.namedParameters()
    self.namedBuffers = model.namedBuffers()
    self.optimizer = optimizer
    self.scheduler = scheduler
    self.averaging = averaging
  }

  /// A checkpoint of named parameters (not a module) and the given companions.
  ///
  /// - Throws: ``CheckpointError/stateMismatch(part:reason:)`` when two parameters share a name.
  public init(
    namedParameters: [(name: String, parameter: Parameter<Scalar>)],
    optimizer: (any CheckpointableOptimizer)? = nil, scheduler: (any LRScheduler)? = nil,
    averaging: AveragedModel<Scalar>? = nil
  ) throws {
    var seen = Set<String>()
    for (name, _) in namedParameters where !seen.insert(name).inserted {
      throw CheckpointError.stateMismatch(
        part: "model", reason: "two parameters are named '\(name)'")
    }
    self.namedParameters = namedParameters
    self.namedBuffers = []
    self.optimizer = optimizer
    self.scheduler = scheduler
    self.averaging = averaging
  }

  private var dtype: String { SafetensorsArchive.Values.dtype(of: Scalar.self) }

  // MARK: Saving

  /// Writes the checkpoint to `url` atomically: a temporary file in the same folder, flushed to
  /// disk, then renamed over `url`. When anything fails, a previous file at `url` is left intact
  /// and no temporary file remains.
  ///
  /// - Throws: ``CheckpointError/io(path:action:reason:)``, or
  ///   ``CheckpointError/nonFinite(path:name:value:)`` when a parameter or average holds a value
  ///   that is not finite (nothing is written then).
  public func save(to url: URL, progress: TrainingProgress = TrainingProgress()) throws {
    var tensors = namedParameters.map { ("model.\($0.name)", $0.parameter.value) }
    tensors += namedBuffers.map { ("model.\($0.name)", $0.buffer.value) }
    if let averaging {
      tensors += zip(averaging.names, averaging.averages).map { ("averaging.\($0)", $1) }
    }
    for (name, tensor) in tensors {
      if let bad = tensor.scalars.first(where: { !$0.isFinite }) {
        throw CheckpointError.nonFinite(path: url.path, name: name, value: "\(bad)")
      }
    }
    try save(to: url, progress: progress, beforeRename: {})
  }

  /// ``save(to:progress:)`` with a hook run just before the rename (for tests).
  func save(to url: URL, progress: TrainingProgress, beforeRename: () throws -> Void) throws {
    try AtomicFile.write(try encoded(progress: progress), to: url, beforeRename: beforeRename)
  }

  /// An optimizer buffer's `values` as stored: in the type its record gives (8-bit codes as
  /// `U8`, bfloat16 moments as `BF16`), else in the model's dtype (`F64` when they do not fit).
  ///
  /// - Throws: ``CheckpointError/stateMismatch(part:reason:)`` naming tensor `name` when a value
  ///   is not representable in the type its record gives.
  private static func stored(
    _ values: [Double], as dtype: OptimizerStateDict.BufferDType?, name: String
  ) throws -> SafetensorsArchive.Values {
    guard let dtype else { return .init(values, preferring: Scalar.self) }
    guard let stored = SafetensorsArchive.Values(values, as: dtype) else {
      let bad = values.first { !dtype.represents($0) } ?? .nan
      throw CheckpointError.stateMismatch(
        part: "optimizer state",
        reason: "tensor '\(name)' is kept in \(dtype.rawValue) but holds \(bad)")
    }
    return stored
  }

  /// The checkpoint's bytes.
  func encoded(progress: TrainingProgress) throws -> [UInt8] {
    var archive = SafetensorsArchive()
    for (name, parameter) in namedParameters {
      archive.entries.append(
        .init(name: "model.\(name)", shape: parameter.shape, values: .init(parameter.value.scalars))
      )
    }
    for (name, buffer) in namedBuffers {
      archive.entries.append(
        .init(name: "model.\(name)", shape: buffer.value.shape, values: .init(buffer.value.scalars))
      )
    }
    var manifest = CheckpointManifest(
      dtype: dtype, parameters: namedParameters.map(\.name),
      buffers: namedBuffers.isEmpty ? nil : namedBuffers.map(\.name), progress: progress)
    if let optimizer {
      let dict = optimizer.stateDict()
      var records: [CheckpointManifest.OptimizerRecord] = []
      for (index, record) in dict.state.sorted(by: { $0.key < $1.key }) {
        records.append(
          .init(
            index: index, step: record.step, shape: record.shape, bufferOrder: record.bufferOrder,
            scalars: record.scalars,
            bufferDTypes: record.bufferDTypes.isEmpty ? nil : record.bufferDTypes))
        for buffer in record.bufferOrder {
          // Factored buffers (Adafactor's row and column variances) and bitsandbytes' maps and
          // scales are not of the parameter's shape: they are stored flat.
          let values = record.buffers[buffer] ?? []
          let shape = values.count == record.shape.reduce(1, *) ? record.shape : [values.count]
          let name = "optimizer.\(index).\(buffer)"
          archive.entries.append(
            .init(
              name: name, shape: shape,
              values: try Self.stored(values, as: record.bufferDTypes[buffer], name: name)))
        }
      }
      manifest.optimizer = .init(
        name: optimizer.name, paramGroups: dict.paramGroups, state: records)
    }
    manifest.scheduler = scheduler?.stateDict()
    if let averaging {
      let state = averaging.stateDict()
      for (name, average) in zip(state.names, state.averages) {
        archive.entries.append(
          .init(name: "averaging.\(name)", shape: average.shape, values: .init(average.scalars)))
      }
      manifest.averaging = .init(rule: state.rule, nAveraged: state.nAveraged, names: state.names)
    }
    archive.metadata = [CheckpointManifest.key: try manifest.json()]
    return try archive.encoded()
  }

  // MARK: Loading

  /// Restores the model, optimizer, scheduler and averaging from `url` and returns the saved
  /// progress (restore its generator yourself, e.g. into ``GlobalGenerator/state``).
  ///
  /// The whole file is checked first: header bounds, offsets and dtypes; the CRC-32 of every
  /// tensor and of the metadata (files written before checksums existed have none and are not
  /// checked); counts in range and every tensor finite; parameter and buffer names and
  /// shapes against the model (a file without buffers, from an older Descent, leaves the
  /// model's as they are); the optimizer's kind and group and parameter counts; the
  /// scheduler's kind; the averaging rule, names and shapes. Parts this checkpoint value does not
  /// hold (no optimizer given, say) are ignored; parts it holds must be in the file. When any
  /// check fails nothing in memory is changed.
  ///
  /// - Throws: ``CheckpointError`` saying what differs.
  @discardableResult
  public func load(from url: URL) throws -> TrainingProgress {
    try load(bytes: try AtomicFile.read(url), path: url.path)
  }

  /// ``load(from:)`` of a file's `bytes`; `path` is named in errors, and `verifyingChecksums:
  /// false` skips the tensors' checksums (for the fuzzer).
  @_spi(Fuzzing) @discardableResult
  public func load(bytes: [UInt8], path: String, verifyingChecksums: Bool = true) throws
    -> TrainingProgress
  {
    let archive = try SafetensorsArchive(
      bytes: bytes, path: path, verifyingChecksums: verifyingChecksums)
    let manifest = try CheckpointManifest.read(from: archive.metadata, path: path)
    let values = try checkedParameterValues(archive, manifest, path: path)
    let bufferValues = try checkedBufferValues(archive, manifest, path: path)
    let optimizerDict = try checkedOptimizerState(archive, manifest, path: path)
    try checkScheduler(manifest)
    let averagingState = try checkedAveragingState(archive, manifest, path: path)
    try apply(optimizer: optimizerDict, scheduler: manifest.scheduler, averaging: averagingState)
    for ((_, parameter), value) in zip(namedParameters, values) { parameter.value = value }
    for ((_, buffer), value) in zip(namedBuffers, bufferValues) { buffer.value = value }
    return manifest.progress
  }

  /// The stored tensor `name` as `Scalar` values of shape `shape`.
  private func tensor(
    _ name: String, in archive: SafetensorsArchive, shape: [Int], path: String
  ) throws -> Tensor<Scalar> {
    guard let entry = archive[name] else {
      throw CheckpointError.corrupted(path: path, reason: "tensor '\(name)' is missing")
    }
    guard entry.shape == shape else {
      throw CheckpointError.shape(name: name, checkpoint: entry.shape, expected: shape)
    }
    guard let scalars = entry.values.scalars(as: Scalar.self) else {
      throw CheckpointError.dtype(name: name, checkpoint: entry.values.dtype, expected: dtype)
    }
    try checkFinite(scalars.lazy.map(Double.init), name, path: path)
    return Tensor(shape: shape, scalars: scalars)
  }

  /// Throws ``CheckpointError/corrupted(path:reason:)`` naming tensor `name` and the first
  /// element of `values` that is NaN or infinite: training stops before it would save one, so
  /// such a file was not written by a healthy run.
  private func checkFinite(
    _ values: some Collection<Double>, _ name: String, path: String
  ) throws {
    guard let index = values.firstIndex(where: { !$0.isFinite }) else { return }
    let position = values.distance(from: values.startIndex, to: index)
    throw CheckpointError.corrupted(
      path: path, reason: "tensor '\(name)' holds \(values[index]) at element \(position)")
  }

  private func checkedParameterValues(
    _ archive: SafetensorsArchive, _ manifest: CheckpointManifest, path: String
  ) throws -> [Tensor<Scalar>] {
    let names = namedParameters.map(\.name)
    let missing = names.filter { !manifest.parameters.contains($0) }
    let unexpected = manifest.parameters.filter { !names.contains($0) }
    guard missing.isEmpty && unexpected.isEmpty else {
      throw CheckpointError.parameterNames(missing: missing, unexpected: unexpected)
    }
    return try namedParameters.map { name, parameter in
      try tensor("model.\(name)", in: archive, shape: parameter.shape, path: path)
    }
  }

  /// The saved values of the model's buffers, in ``namedBuffers``' order; none when the file
  /// holds no buffers (its model had none, or an older Descent wrote it: the buffers are then
  /// left as they are).
  private func checkedBufferValues(
    _ archive: SafetensorsArchive, _ manifest: CheckpointManifest, path: String
  ) throws -> [Tensor<Scalar>] {
    guard let saved = manifest.buffers, !namedBuffers.isEmpty else { return [] }
    let names = namedBuffers.map(\.name)
    guard saved == names else {
      throw CheckpointError.stateMismatch(
        part: "model buffers",
        reason: "the checkpoint has \(saved), the model \(names)")
    }
    return try namedBuffers.map { name, buffer in
      let value = try tensor("model.\(name)", in: archive, shape: buffer.value.shape, path: path)
      if buffer.isInteger, value.scalars.contains(where: { $0 != $0.rounded() }) {
        throw CheckpointError.corrupted(
          path: path, reason: "tensor 'model.\(name)' holds a fraction in an integer buffer")
      }
      return value
    }
  }

  private func checkedOptimizerState(
    _ archive: SafetensorsArchive, _ manifest: CheckpointManifest, path: String
  ) throws -> OptimizerStateDict? {
    guard let optimizer else { return nil }
    guard let part = manifest.optimizer else {
      throw CheckpointError.missingPart("optimizer state")
    }
    guard part.name == optimizer.name else {
      throw CheckpointError.optimizerKind(checkpoint: part.name, optimizer: optimizer.name)
    }
    let current = optimizer.stateDict().paramGroups
    guard part.paramGroups.count == current.count else {
      throw CheckpointError.stateMismatch(
        part: "optimizer state",
        reason: "it has \(part.paramGroups.count) parameter groups, the optimizer \(current.count)")
    }
    for (index, (saved, live)) in zip(part.paramGroups, current).enumerated()
    where saved.params.count != live.params.count {
      throw CheckpointError.stateMismatch(
        part: "optimizer state",
        reason:
          "group \(index) has \(saved.params.count) parameters in the checkpoint, \(live.params.count) in the optimizer"
      )
    }
    var state: [Int: OptimizerStateDict.ParameterRecord] = [:]
    for record in part.state {
      var buffers: [String: [Double]] = [:]
      let dtypes = record.bufferDTypes ?? [:]
      for buffer in record.bufferOrder {
        let name = "optimizer.\(record.index).\(buffer)"
        guard let entry = archive[name] else {
          throw CheckpointError.corrupted(path: path, reason: "tensor '\(name)' is missing")
        }
        // A buffer of no declared type is in the model's dtype or F64; files written before
        // 8-bit codes were U8 hold them so too (restoring checks that they are codes).
        let expected = dtypes[buffer].map { [$0.safetensors] } ?? [.f32, .f64]
        guard expected.contains(entry.values.type) else {
          throw CheckpointError.dtype(
            name: name, checkpoint: entry.values.dtype,
            expected: expected.map(\.rawValue).joined(separator: " or "))
        }
        try checkFinite(entry.values.doubles, name, path: path)
        buffers[buffer] = entry.values.doubles
      }
      try checkBlockwiseLayout(record, buffers, path: path)
      guard state[record.index] == nil else {
        throw CheckpointError.corrupted(
          path: path, reason: "optimizer state for parameter \(record.index) appears twice")
      }
      state[record.index] = .init(
        step: record.step, shape: record.shape, buffers: buffers, bufferOrder: record.bufferOrder,
        scalars: record.scalars, bufferDTypes: dtypes)
    }
    return OptimizerStateDict(state: state, paramGroups: part.paramGroups)
  }

  /// Checks that each 8-bit code buffer (`stateN` stored as `U8`) has an element per parameter
  /// element and its scales (`absmaxN`) one per block of
  /// ``BlockwiseQuantization/blockSize``.
  ///
  /// - Throws: ``CheckpointError/corrupted(path:reason:)`` naming the tensor whose count is off.
  private func checkBlockwiseLayout(
    _ record: CheckpointManifest.OptimizerRecord, _ buffers: [String: [Double]], path: String
  ) throws {
    let count = record.shape.reduce(1, *)
    for (buffer, dtype) in (record.bufferDTypes ?? [:]).sorted(by: { $0.key < $1.key })
    where dtype == .uint8 {
      let scales = "absmax" + buffer.dropFirst("state".count)
      for (name, expected) in [
        (buffer, count), (scales, BlockwiseQuantization.blockCount(count)),
      ] {
        guard let values = buffers[name], values.count != expected else { continue }
        throw CheckpointError.corrupted(
          path: path,
          reason:
            "tensor 'optimizer.\(record.index).\(name)' has \(values.count) elements; a parameter "
            + "of \(count) elements has \(expected)")
      }
    }
  }

  private func checkScheduler(_ manifest: CheckpointManifest) throws {
    guard let scheduler else { return }
    guard let saved = manifest.scheduler else {
      throw CheckpointError.missingPart("scheduler state")
    }
    let live = scheduler.stateDict()
    guard saved.kind == live.kind else {
      throw CheckpointError.schedulerKind(checkpoint: saved.kind, scheduler: live.kind)
    }
    guard saved.lastLR.count == live.lastLR.count else {
      throw CheckpointError.stateMismatch(
        part: "scheduler state",
        reason: "it has \(saved.lastLR.count) parameter groups, the scheduler \(live.lastLR.count)")
    }
  }

  private func checkedAveragingState(
    _ archive: SafetensorsArchive, _ manifest: CheckpointManifest, path: String
  ) throws -> AveragingState<Scalar>? {
    guard let averaging else { return nil }
    guard let part = manifest.averaging else {
      throw CheckpointError.missingPart("averaging state")
    }
    let names = averaging.names
    let missing = names.filter { !part.names.contains($0) }
    let unexpected = part.names.filter { !names.contains($0) }
    guard missing.isEmpty && unexpected.isEmpty else {
      throw CheckpointError.stateMismatch(
        part: "averaging state",
        reason: "averaged parameter names differ (missing: \(missing), unexpected: \(unexpected))")
    }
    let averages = try zip(names, averaging.parameters).map { name, parameter in
      try tensor("averaging.\(name)", in: archive, shape: parameter.shape, path: path)
    }
    let state = AveragingState(
      rule: part.rule, nAveraged: part.nAveraged, names: names, averages: averages)
    do {
      try averaging.validate(state)
    } catch {
      throw CheckpointError.stateMismatch(part: "averaging state", reason: "\(error)")
    }
    return state
  }

  /// Loads the companions' states, all or none: a failure restores those already loaded.
  private func apply(
    optimizer dict: OptimizerStateDict?, scheduler saved: SchedulerState?,
    averaging state: AveragingState<Scalar>?
  ) throws {
    let optimizerBefore = optimizer?.stateDict()
    let schedulerBefore = scheduler?.stateDict()
    func rollBack() {
      if let optimizerBefore { try? optimizer?.loadStateDict(optimizerBefore) }
      if let schedulerBefore { try? scheduler?.loadStateDict(schedulerBefore) }
    }
    do {
      if let dict { try optimizer?.loadStateDict(dict) }
    } catch {
      throw CheckpointError.stateMismatch(part: "optimizer state", reason: "\(error)")
    }
    do {
      if let saved { try scheduler?.loadStateDict(saved) }
    } catch {
      rollBack()
      throw CheckpointError.stateMismatch(part: "scheduler state", reason: "\(error)")
    }
    do {
      if let state { try averaging?.loadStateDict(state) }
    } catch {
      rollBack()
      throw CheckpointError.stateMismatch(part: "averaging state", reason: "\(error)")
    }
  }
}
