/// The body of ``BatchNorm1d`` and ``BatchNorm2d``, like PyTorch's `_BatchNorm`: each channel
/// (axis 1 of the input) is normalized by its mean and variance, then scaled by `weight` and
/// shifted by `bias`.
///
/// In training mode the statistics are the batch's own (the biased variance), and the running
/// statistics move toward them: `running = (1 - momentum) running + momentum batch`, with the
/// unbiased variance, or as a cumulative average when `momentum` is `nil`; `num_batches_tracked`
/// counts the batches. In evaluation mode the running statistics normalize instead (without
/// them, `trackRunningStats: false`, the batch's own statistics always do).
///
/// State-dict entries have PyTorch's names: `weight`, `bias`, `running_mean`, `running_var`,
/// `num_batches_tracked`.
public class BatchNorm<Scalar: TensorScalar>: Module, ModeDependent {
  /// The number of channels, `C` of an input `[N, C, ...]`.
  public let numFeatures: Int
  /// The value added to the variance before its square root.
  public let eps: Double
  /// The weight of the newest batch in the running statistics, or `nil` for a cumulative average
  /// (``updateBatchNorm(_:batches:)`` sets `nil` while it runs).
  public internal(set) var momentum: Double?
  /// Whether the layer has a learnable per-channel `weight` (and `bias`).
  public let affine: Bool
  /// Whether the layer was built with a bias (it has one only when also ``affine``).
  public let hasBias: Bool
  /// Whether the layer keeps running statistics (and uses them in evaluation mode).
  public let trackRunningStats: Bool
  /// The per-channel scale `[C]`, ones at first; `nil` without ``affine``.
  public let weight: Parameter<Scalar>?
  /// The per-channel shift `[C]`, zeros at first; `nil` without ``affine`` or ``hasBias``.
  public let bias: Parameter<Scalar>?
  /// The running mean `[C]` (`running_mean`), zeros at first; `nil` without
  /// ``trackRunningStats``.
  public let runningMean: Buffer<Scalar>?
  /// The running unbiased variance `[C]` (`running_var`), ones at first; `nil` without
  /// ``trackRunningStats``.
  public let runningVar: Buffer<Scalar>?
  /// The number of batches seen in training mode (`num_batches_tracked`, an integer scalar);
  /// `nil` without ``trackRunningStats``.
  public let numBatchesTracked: Buffer<Scalar>?
  /// `true` in training mode (the default), `false` after `eval()`.
  public var isTraining = true

  /// A layer with PyTorch's initial state; the checks name `layer`.
  init(
    layer: String, numFeatures: Int, eps: Double, momentum: Double?, affine: Bool, bias: Bool,
    trackRunningStats: Bool
  ) {
    precondition(numFeatures > 0, "\(layer): num_features must be positive, not \(numFeatures)")
    precondition(
      eps >= 0 && eps.isFinite, "\(layer): eps must be finite and not negative, not \(eps)")
    if let momentum {
      precondition(
        momentum >= 0 && momentum <= 1, "\(layer): momentum must be in [0, 1], not \(momentum)")
    }
    self.numFeatures = numFeatures
    self.eps = eps
    self.momentum = momentum
    self.affine = affine
    self.hasBias = bias
    self.trackRunningStats = trackRunningStats
    weight = affine ? Parameter(Tensor(ones: [numFeatures])) : nil
    self.bias = affine && bias ? Parameter(Tensor(zeros: [numFeatures])) : nil
    runningMean = trackRunningStats ? Buffer(Tensor(zeros: [numFeatures])) : nil
    runningVar = trackRunningStats ? Buffer(Tensor(ones: [numFeatures])) : nil
    numBatchesTracked = trackRunningStats ? Buffer(Tensor(zeros: []), isInteger: true) : nil
  }

  /// Sums a buffer element-wise over the processes of a data-parallel job, in place. When set,
  /// training-mode batches are normalized with the statistics of the global batch (PyTorch's
  /// `SyncBatchNorm`); data-parallel training sets it. `nil` (the default): this process's batch.
  public var crossProcessSum: ((UnsafeMutableBufferPointer<Scalar>) -> Void)?

  /// The layer's printed name (`BatchNorm2d`).
  var layerName: String { String(String(describing: type(of: self)).prefix { $0 != "<" }) }

  /// Stops with a message naming the expected and actual shapes unless `shape` fits the layer.
  func checkInput(_ shape: [Int]) {
    precondition(
      shape.count >= 2 && shape[1] == numFeatures,
      "\(layerName): expected input of shape [N, \(numFeatures), ...], got \(shape)")
  }

  /// The input normalized per channel (see the type's description); in training mode with
  /// running statistics, also updates them and counts the batch.
  ///
  /// - Precondition: the input's shape fits the layer (see ``BatchNorm1d``, ``BatchNorm2d``);
  ///   in training mode each channel holds more than one value.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    checkInput(input.shape)
    let epsilon = Scalar(eps)
    if !isTraining, let runningMean, let runningVar {
      return input.batchNorm(
        mean: runningMean.value, variance: runningVar.value, weight: weight?.value,
        bias: bias?.value, eps: epsilon)
    }
    let perChannel = input.count / numFeatures
    if isTraining, let crossProcessSum {
      return synchronizedForward(input, sum: crossProcessSum, perChannel: perChannel)
    }
    if isTraining {
      precondition(
        perChannel > 1,
        "\(layerName): expected more than 1 value per channel when training, got input of shape "
          + "\(input.shape)")
    }
    let (output, mean, variance) = input.batchNorm(
      weight: weight?.value, bias: bias?.value, eps: epsilon)
    if isTraining { updateRunningStatistics(mean: mean, variance: variance, count: perChannel) }
    return output
  }

  /// Training-mode normalization with statistics over the whole global batch, whose parts are
  /// on several processes (PyTorch's `SyncBatchNorm`): the per-channel sums are summed across
  /// processes by `sum`, in the forward pass and (their gradients) in the backward pass, so every
  /// process normalizes as one process holding the whole batch would.
  private func synchronizedForward(
    _ input: Tensor<Scalar>, sum: @escaping (UnsafeMutableBufferPointer<Scalar>) -> Void,
    perChannel: Int
  ) -> Tensor<Scalar> {
    func acrossProcesses(_ local: Tensor<Scalar>) -> Tensor<Scalar> {
      var total = local.detached.contiguous()
      total.withUnsafeMutableBufferPointer { sum($0) }
      return Tensor.differentiable(total, inputs: [local]) { gradient in
        var summed = gradient.contiguous()
        summed.withUnsafeMutableBufferPointer { sum($0) }
        return [summed]
      }
    }
    var counts = [Scalar(perChannel)]
    counts.withUnsafeMutableBufferPointer { sum($0) }
    let count = counts[0]
    precondition(
      count > 1,
      "\(layerName): expected more than 1 value per channel over all processes when training, "
        + "got \(count)")
    let axes = [0] + Array(2..<input.rank)
    var broadcastShape = [Int](repeating: 1, count: input.rank)
    broadcastShape[1] = numFeatures
    let mean = acrossProcesses(input.sum(axes: axes)) / count
    let centered = input - mean.reshaped(broadcastShape)
    let variance = acrossProcesses((centered * centered).sum(axes: axes)) / count
    var output = centered / (variance + Scalar(eps)).sqrt().reshaped(broadcastShape)
    if let weight { output = output * weight.value.reshaped(broadcastShape) }
    if let bias { output = output + bias.value.reshaped(broadcastShape) }
    updateRunningStatistics(mean: mean.detached, variance: variance.detached, count: Int(count))
    return output
  }

  /// Moves the running statistics toward a batch's `mean` and biased `variance` over `count`
  /// values per channel, and counts the batch.
  private func updateRunningStatistics(mean: Tensor<Scalar>, variance: Tensor<Scalar>, count: Int) {
    guard let runningMean, let runningVar, let numBatchesTracked else { return }
    let batches = numBatchesTracked.value.item + 1
    numBatchesTracked.value = Tensor(batches)
    let factor = momentum.map { Scalar($0) } ?? 1 / batches
    let correction = Scalar(count) / Scalar(count - 1)
    mean.withUnsafeBufferPointer { batchMean in
      runningMean.value.withUnsafeMutableBufferPointer { running in
        for c in running.indices {
          running[c] = factor * batchMean[c] + (1 - factor) * running[c]
        }
      }
    }
    variance.withUnsafeBufferPointer { batchVariance in
      runningVar.value.withUnsafeMutableBufferPointer { running in
        for c in running.indices {
          running[c] = factor * batchVariance[c] * correction + (1 - factor) * running[c]
        }
      }
    }
  }

  /// Sets the running statistics back to their initial values (mean 0, variance 1, no batches
  /// tracked), as PyTorch's `reset_running_stats()`.
  public func resetRunningStats() {
    runningMean?.value = Tensor(zeros: [numFeatures])
    runningVar?.value = Tensor(ones: [numFeatures])
    numBatchesTracked?.value = Tensor(zeros: [])
  }

  /// `weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked` (those present).
  public func namedMembers() -> [(name: String, member: ModuleMember<Scalar>)] {
    var members: [(name: String, member: ModuleMember<Scalar>)] = []
    if let weight { members.append(("weight", .parameter(weight))) }
    if let bias { members.append(("bias", .parameter(bias))) }
    if let runningMean { members.append(("running_mean", .buffer(runningMean))) }
    if let runningVar { members.append(("running_var", .buffer(runningVar))) }
    if let numBatchesTracked { members.append(("num_batches_tracked", .buffer(numBatchesTracked))) }
    return members
  }

  /// PyTorch's `3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True`.
  public var extraDescription: String {
    "\(numFeatures), eps=\(eps), momentum=\(momentum.map { "\($0)" } ?? "None"), "
      + "affine=\(PythonLiteral.bool(affine)), bias=\(PythonLiteral.bool(hasBias)), "
      + "track_running_stats=\(PythonLiteral.bool(trackRunningStats))"
  }
}

/// Batch normalization over the channels of `[N, C]` or `[N, C, L]` inputs, like
/// `torch.nn.BatchNorm1d` (see ``BatchNorm`` for the statistics and the state).
public final class BatchNorm1d<Scalar: TensorScalar>: BatchNorm<Scalar> {
  /// A layer for `numFeatures` channels with PyTorch's defaults and initial state: weight ones,
  /// bias zeros, running mean zeros, running variance ones.
  ///
  /// - Precondition: `numFeatures > 0`, `eps >= 0`, `momentum` in `[0, 1]` or `nil`.
  public init(
    numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
    bias: Bool = true, trackRunningStats: Bool = true
  ) {
    super.init(
      layer: "BatchNorm1d", numFeatures: numFeatures, eps: eps, momentum: momentum,
      affine: affine, bias: bias, trackRunningStats: trackRunningStats)
  }

  /// Accepts `[N, C]` and `[N, C, L]`.
  override func checkInput(_ shape: [Int]) {
    precondition(
      (shape.count == 2 || shape.count == 3) && shape[1] == numFeatures,
      "BatchNorm1d: expected input of shape [N, \(numFeatures)] or [N, \(numFeatures), L], "
        + "got \(shape)")
  }
}

/// Batch normalization over the channels of `[N, C, H, W]` inputs, like `torch.nn.BatchNorm2d`
/// (see ``BatchNorm`` for the statistics and the state).
public final class BatchNorm2d<Scalar: TensorScalar>: BatchNorm<Scalar> {
  /// A layer for `numFeatures` channels with PyTorch's defaults and initial state: weight ones,
  /// bias zeros, running mean zeros, running variance ones.
  ///
  /// - Precondition: `numFeatures > 0`, `eps >= 0`, `momentum` in `[0, 1]` or `nil`.
  public init(
    numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
    bias: Bool = true, trackRunningStats: Bool = true
  ) {
    super.init(
      layer: "BatchNorm2d", numFeatures: numFeatures, eps: eps, momentum: momentum,
      affine: affine, bias: bias, trackRunningStats: trackRunningStats)
  }

  /// Accepts `[N, C, H, W]`.
  override func checkInput(_ shape: [Int]) {
    precondition(
      shape.count == 4 && shape[1] == numFeatures,
      "BatchNorm2d: expected input of shape [N, \(numFeatures), H, W], got \(shape)")
  }
}

/// Layer normalization over the trailing axes, like `torch.nn.LayerNorm`: each slice of shape
/// ``normalizedShape`` is normalized by its own mean and (biased) variance, then multiplied
/// element-wise by `weight` and shifted by `bias` (both of that shape). The same in training and
/// evaluation.
public final class LayerNorm<Scalar: TensorScalar>: Module {
  /// The trailing shape normalized over.
  public let normalizedShape: [Int]
  /// The value added to the variance before its square root.
  public let eps: Double
  /// Whether the layer has a learnable element-wise `weight` (and `bias`).
  public let elementwiseAffine: Bool
  /// Whether the layer was built with a bias (it has one only with ``elementwiseAffine``).
  public let hasBias: Bool
  /// The element-wise scale, ones at first; `nil` without ``elementwiseAffine``.
  public let weight: Parameter<Scalar>?
  /// The element-wise shift, zeros at first; `nil` without ``elementwiseAffine`` or ``hasBias``.
  public let bias: Parameter<Scalar>?

  /// A layer normalizing over the trailing `normalizedShape`, with PyTorch's defaults.
  ///
  /// - Precondition: `normalizedShape` is non-empty with positive extents; `eps >= 0`.
  public init(
    normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true
  ) {
    precondition(
      !normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 },
      "LayerNorm: normalized_shape must be non-empty with positive extents, not \(normalizedShape)"
    )
    precondition(
      eps >= 0 && eps.isFinite, "LayerNorm: eps must be finite and not negative, not \(eps)")
    self.normalizedShape = normalizedShape
    self.eps = eps
    self.elementwiseAffine = elementwiseAffine
    self.hasBias = bias
    weight = elementwiseAffine ? Parameter(Tensor(ones: normalizedShape)) : nil
    self.bias = elementwiseAffine && bias ? Parameter(Tensor(zeros: normalizedShape)) : nil
  }

  /// A layer normalizing over the last axis, of extent `normalizedShape`.
  public convenience init(
    normalizedShape: Int, eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true
  ) {
    self.init(
      normalizedShape: [normalizedShape], eps: eps, elementwiseAffine: elementwiseAffine,
      bias: bias)
  }

  /// The input normalized over its trailing ``normalizedShape``.
  ///
  /// - Precondition: the input's shape ends with ``normalizedShape``.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    precondition(
      input.rank >= normalizedShape.count
        && Array(input.shape.suffix(normalizedShape.count)) == normalizedShape,
      "LayerNorm: expected input of shape [*, "
        + normalizedShape.map(String.init).joined(separator: ", ") + "], got \(input.shape)")
    return input.layerNorm(
      normalizedShape: normalizedShape, weight: weight?.value, bias: bias?.value,
      eps: Scalar(eps))
  }

  /// `weight` and `bias` (those present).
  public func namedMembers() -> [(name: String, member: ModuleMember<Scalar>)] {
    var members: [(name: String, member: ModuleMember<Scalar>)] = []
    if let weight { members.append(("weight", .parameter(weight))) }
    if let bias { members.append(("bias", .parameter(bias))) }
    return members
  }

  /// PyTorch's `(3, 4), eps=1e-05, elementwise_affine=True, bias=True`.
  public var extraDescription: String {
    "\(PythonLiteral.tuple(normalizedShape)), eps=\(eps), "
      + "elementwise_affine=\(PythonLiteral.bool(elementwiseAffine)), "
      + "bias=\(PythonLiteral.bool(hasBias))"
  }
}

/// Python's spelling of values in PyTorch's printed forms.
enum PythonLiteral {
  /// `True` or `False`.
  static func bool(_ value: Bool) -> String { value ? "True" : "False" }

  /// A tuple: `(6,)`, `(3, 4)`.
  static func tuple(_ values: [Int]) -> String {
    values.count == 1
      ? "(\(values[0]),)" : "(" + values.map(String.init).joined(separator: ", ") + ")"
  }
}

/// Recomputes the running statistics of every BatchNorm layer of `model` from `batches`, as
/// PyTorch's `torch.optim.swa_utils.update_bn(loader, model)`: the statistics gathered while
/// training do not fit averaged weights (SWA). Each layer's statistics are reset, then become
/// the plain average of the batches' statistics (whatever its momentum): the model runs forward
/// in training mode without recording a graph, and every submodule returns to the mode it was
/// in. A model without running statistics is left alone, its batches not run.
public func updateBatchNorm<Scalar: TensorScalar>(
  _ model: some Module<Scalar>, batches: some Sequence<Tensor<Scalar>>
) {
  let modules = model.namedModules().map(\.module)
  let layers = modules.compactMap { $0 as? BatchNorm<Scalar> }.filter(\.trackRunningStats)
  guard !layers.isEmpty else { return }
  let modes = modules.compactMap { $0 as? any ModeDependent }.map { ($0, $0.isTraining) }
  let momenta = layers.map(\.momentum)
  for layer in layers {
    layer.resetRunningStats()
    layer.momentum = nil
  }
  defer {
    for (layer, momentum) in zip(layers, momenta) { layer.momentum = momentum }
    for (module, mode) in modes { module.isTraining = mode }
  }
  model.train()
  withNoGrad {
    for batch in batches { _ = model(batch) }
  }
}
