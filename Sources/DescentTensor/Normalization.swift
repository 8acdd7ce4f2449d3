/// A tensor seen as `[outer, channels, inner]`: batch normalization's channels are axis 1 of
/// `[N, C, ...]`, with the batch before and the spatial axes after.
struct NormalizationLayout {
  /// The product of the extents before the channel axis.
  let outer: Int
  /// The extent of the channel axis.
  let channels: Int
  /// The product of the extents after the channel axis.
  let inner: Int

  /// How many elements each channel holds.
  var perChannel: Int { outer * inner }

  /// The units work is split into: rows of `channels` values when `inner == 1` (`[N, C]`), else
  /// planes of `inner` values of one channel (`outer * channels` of them, channel `plane % C`).
  var units: Int { inner == 1 ? outer : outer * channels }
}

extension Kernels {
  /// How many tasks `units` units holding `work` elements in all are split into: one for small
  /// work, else a few per thread of the worker pool.
  private static func normalizationTasks(units: Int, work: Int) -> Int {
    let threads = WorkerPool.shared.threadCount
    guard units > 1, threads > 1, work >= StridedLoop.parallelThreshold else { return 1 }
    return Swift.min(units, threads * 4)
  }

  /// Calls `body(task, range)` for each of `tasks` consecutive ranges of `0..<units`, on the
  /// worker pool when there are several.
  @inline(__always)
  private static func runTasks(_ tasks: Int, units: Int, _ body: (Int, Range<Int>) -> Void) {
    if tasks == 1 {
      body(0, 0..<units)
      return
    }
    WorkerPool.shared.run(taskCount: tasks) { task in
      body(task, (units * task / tasks)..<(units * (task + 1) / tasks))
    }
  }

  /// `Σ (x[i] - center)²` over `count` contiguous elements, in sixteen running sums.
  @inline(__always)
  static func squaredDeviationSum<S: TensorScalar>(
    _ x: UnsafePointer<S>, _ count: Int, _ center: S
  ) -> S {
    let raw = UnsafeRawPointer(x)
    let centers = SIMD16<S>(repeating: center)
    var lanes = SIMD16<S>()
    var i = 0
    while i + 16 <= count {
      let deviation =
        raw.loadUnaligned(fromByteOffset: i * MemoryLayout<S>.stride, as: SIMD16<S>.self) - centers
      lanes += deviation * deviation
      i += 16
    }
    var total = lanes.sum()
    while i < count {
      let deviation = x[i] - center
      total += deviation * deviation
      i += 1
    }
    return total
  }

  /// `Σ g[i]` and `Σ g[i] (x[i] - center)` over `count` contiguous elements, where
  /// `g = dy * weight` (or `dy` without a weight), in sixteen running sums each.
  @inline(__always)
  static func gradientSums<S: TensorScalar>(
    _ dy: UnsafePointer<S>, _ x: UnsafePointer<S>, weight: UnsafePointer<S>?, _ count: Int,
    _ center: S
  ) -> (plain: S, product: S) {
    let stride = MemoryLayout<S>.stride
    let (rawGradient, rawInput) = (UnsafeRawPointer(dy), UnsafeRawPointer(x))
    let centers = SIMD16<S>(repeating: center)
    var (plainLanes, productLanes) = (SIMD16<S>(), SIMD16<S>())
    var i = 0
    while i + 16 <= count {
      var g = rawGradient.loadUnaligned(fromByteOffset: i * stride, as: SIMD16<S>.self)
      if let weight {
        g *= UnsafeRawPointer(weight).loadUnaligned(fromByteOffset: i * stride, as: SIMD16<S>.self)
      }
      let deviation =
        rawInput.loadUnaligned(fromByteOffset: i * stride, as: SIMD16<S>.self) - centers
      plainLanes += g
      productLanes += g * deviation
      i += 16
    }
    var (plain, product) = (plainLanes.sum(), productLanes.sum())
    while i < count {
      let g = dy[i] * (weight?[i] ?? 1)
      plain += g
      product += g * (x[i] - center)
      i += 1
    }
    return (plain, product)
  }

  /// `width` sums over units: each task adds its units' terms into its own zeroed row of
  /// `width` partial sums (through `accumulate(range, row)`), and the rows are added in task
  /// order into `totals`.
  @inline(__always)
  private static func partialSums<S: TensorScalar>(
    units: Int, work: Int, width: Int, into totals: UnsafeMutablePointer<S>,
    _ accumulate: (Range<Int>, UnsafeMutablePointer<S>) -> Void
  ) {
    let tasks = normalizationTasks(units: units, work: work)
    let partials = UnsafeMutablePointer<S>.allocate(capacity: tasks * width)
    defer { partials.deallocate() }
    partials.initialize(repeating: 0, count: tasks * width)
    runTasks(tasks, units: units) { task, range in accumulate(range, partials + task * width) }
    totals.update(from: partials, count: width)
    for task in 1..<Swift.max(tasks, 1) {
      let row = partials + task * width
      for i in 0..<width { totals[i] += row[i] }
    }
  }

  /// The mean and the biased variance of each channel of `x` (two passes: the sum, then the
  /// squared deviations from the mean).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func channelMoments<S: TensorScalar>(
    _ x: UnsafePointer<S>, _ layout: NormalizationLayout, mean: UnsafeMutablePointer<S>,
    variance: UnsafeMutablePointer<S>
  ) {
    let (channels, inner, units) = (layout.channels, layout.inner, layout.units)
    let work = layout.perChannel * channels
    let scale = 1 / S(layout.perChannel)
    partialSums(units: units, work: work, width: channels, into: mean) { range, sums in
      if inner == 1 {
        for n in range {
          let row = x + n * channels
          for c in 0..<channels { sums[c] += row[c] }
        }
      } else {
        for plane in range { sums[plane % channels] += horizontalSum(x + plane * inner, inner, 1) }
      }
    }
    for c in 0..<channels { mean[c] *= scale }
    let center = UnsafePointer(mean)
    partialSums(units: units, work: work, width: channels, into: variance) { range, sums in
      if inner == 1 {
        for n in range {
          let row = x + n * channels
          for c in 0..<channels {
            let deviation = row[c] - center[c]
            sums[c] += deviation * deviation
          }
        }
      } else {
        for plane in range {
          let c = plane % channels
          sums[c] += squaredDeviationSum(x + plane * inner, inner, center[c])
        }
      }
    }
    for c in 0..<channels { variance[c] *= scale }
  }

  /// `y = x alpha + beta` with per-channel `alpha` and `beta` (batch normalization's output with
  /// `alpha = invstd weight` and `beta = bias - mean alpha`, PyTorch's CPU form).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func channelAffine<S: TensorScalar>(
    _ x: UnsafePointer<S>, _ layout: NormalizationLayout, alpha: UnsafePointer<S>,
    beta: UnsafePointer<S>, out: UnsafeMutablePointer<S>
  ) {
    let (channels, inner) = (layout.channels, layout.inner)
    let tasks = normalizationTasks(units: layout.units, work: layout.perChannel * channels)
    runTasks(tasks, units: layout.units) { _, range in
      if inner == 1 {
        for n in range {
          let (row, target) = (x + n * channels, out + n * channels)
          for c in 0..<channels { target[c] = row[c] * alpha[c] + beta[c] }
        }
      } else {
        for plane in range {
          let (row, target) = (x + plane * inner, out + plane * inner)
          let (a, b) = (alpha[plane % channels], beta[plane % channels])
          for i in 0..<inner { target[i] = row[i] * a + b }
        }
      }
    }
  }

  /// Batch normalization's backward pass per channel, for `x̂ = (x - mean) invstd`:
  /// `dweight = Σ dy x̂`, `dbias = Σ dy`, and `dx = weight invstd (dy - Σdy/M - x̂ Σ(dy x̂)/M)`
  /// when the statistics are the batch's own (`batchStatistics`), else `dx = weight invstd dy`.
  /// Each output pointer that is `nil` is not computed.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func channelNormBackward<S: TensorScalar>(
    _ x: UnsafePointer<S>, _ dy: UnsafePointer<S>, _ layout: NormalizationLayout,
    mean: UnsafePointer<S>, invstd: UnsafePointer<S>, weight: UnsafePointer<S>?,
    batchStatistics: Bool, dx: UnsafeMutablePointer<S>?, dWeight: UnsafeMutablePointer<S>?,
    dBias: UnsafeMutablePointer<S>?
  ) {
    let (channels, inner, units) = (layout.channels, layout.inner, layout.units)
    let work = layout.perChannel * channels
    let scale = 1 / S(Swift.max(layout.perChannel, 1))
    // Σ dy per channel, then Σ dy (x - mean).
    let sums = UnsafeMutablePointer<S>.allocate(capacity: 2 * channels)
    defer { sums.deallocate() }
    sums.initialize(repeating: 0, count: 2 * channels)
    if batchStatistics || dWeight != nil || dBias != nil {
      partialSums(units: units, work: work, width: 2 * channels, into: sums) { range, partial in
        if inner == 1 {
          for n in range {
            let (input, gradient) = (x + n * channels, dy + n * channels)
            for c in 0..<channels {
              partial[c] += gradient[c]
              partial[channels + c] += gradient[c] * (input[c] - mean[c])
            }
          }
        } else {
          for plane in range {
            let c = plane % channels
            let (plain, product) = gradientSums(
              dy + plane * inner, x + plane * inner, weight: nil, inner, mean[c])
            partial[c] += plain
            partial[channels + c] += product
          }
        }
      }
    }
    for c in 0..<channels {
      dBias?[c] = sums[c]
      dWeight?[c] = sums[channels + c] * invstd[c]
    }
    guard let dx else { return }
    // dx = (dy - meanGradient - (x - mean) k) factor, per channel.
    let coefficients = UnsafeMutablePointer<S>.allocate(capacity: 3 * channels)
    defer { coefficients.deallocate() }
    let (factor, meanGradient, k) = (
      coefficients, coefficients + channels, coefficients + 2 * channels
    )
    for c in 0..<channels {
      factor[c] = invstd[c] * (weight?[c] ?? 1)
      meanGradient[c] = batchStatistics ? sums[c] * scale : 0
      k[c] = batchStatistics ? sums[channels + c] * invstd[c] * invstd[c] * scale : 0
    }
    let tasks = normalizationTasks(units: units, work: work)
    runTasks(tasks, units: units) { _, range in
      for unit in range {
        let count = inner == 1 ? channels : inner
        let (input, gradient, target) = (x + unit * count, dy + unit * count, dx + unit * count)
        if inner == 1 && batchStatistics {
          for c in 0..<channels {
            target[c] =
              (gradient[c] - meanGradient[c] - (input[c] - mean[c]) * k[c]) * factor[c]
          }
        } else if inner == 1 {
          for c in 0..<channels { target[c] = gradient[c] * factor[c] }
        } else if batchStatistics {
          let c = unit % channels
          let (m, g, kc, f) = (mean[c], meanGradient[c], k[c], factor[c])
          for i in 0..<inner { target[i] = (gradient[i] - g - (input[i] - m) * kc) * f }
        } else {
          let f = factor[unit % channels]
          for i in 0..<inner { target[i] = gradient[i] * f }
        }
      }
    }
  }

  /// Layer normalization of each of `rows` contiguous rows of `width` elements:
  /// `y = (x - mean) invstd weight + bias` with the row's mean and biased variance; writes the
  /// mean and `invstd = 1/sqrt(variance + eps)` of each row.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func layerNormForward<S: TensorScalar>(
    _ x: UnsafePointer<S>, rows: Int, width: Int, eps: S, weight: UnsafePointer<S>?,
    bias: UnsafePointer<S>?, out: UnsafeMutablePointer<S>, mean: UnsafeMutablePointer<S>,
    invstd: UnsafeMutablePointer<S>
  ) {
    let scale = 1 / S(Swift.max(width, 1))
    let tasks = normalizationTasks(units: rows, work: rows * width)
    runTasks(tasks, units: rows) { _, range in
      for r in range {
        let (row, target) = (x + r * width, out + r * width)
        let m = horizontalSum(row, width, 1) * scale
        let rstd = 1 / (squaredDeviationSum(row, width, m) * scale + eps).squareRoot()
        mean[r] = m
        invstd[r] = rstd
        switch (weight, bias) {
        case (let w?, let b?):
          for i in 0..<width { target[i] = (row[i] - m) * rstd * w[i] + b[i] }
        case (let w?, nil):
          for i in 0..<width { target[i] = (row[i] - m) * rstd * w[i] }
        case (nil, let b?):
          for i in 0..<width { target[i] = (row[i] - m) * rstd + b[i] }
        case (nil, nil):
          for i in 0..<width { target[i] = (row[i] - m) * rstd }
        }
      }
    }
  }

  /// Layer normalization's backward pass: with `x̂ = (x - mean) invstd` and `g = dy weight`,
  /// `dx = invstd (g - Σg/D - x̂ Σ(g x̂)/D)` per row, and over all rows `dweight = Σ dy x̂`,
  /// `dbias = Σ dy` (in one pass: each task sums its rows' terms, then the tasks' sums are
  /// added). Each output pointer that is `nil` is not computed.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func layerNormBackward<S: TensorScalar>(
    _ x: UnsafePointer<S>, _ dy: UnsafePointer<S>, rows: Int, width: Int,
    mean: UnsafePointer<S>, invstd: UnsafePointer<S>, weight: UnsafePointer<S>?,
    dx: UnsafeMutablePointer<S>?, dWeight: UnsafeMutablePointer<S>?,
    dBias: UnsafeMutablePointer<S>?
  ) {
    let scale = 1 / S(Swift.max(width, 1))
    let needParameters = dWeight != nil || dBias != nil
    let sums = UnsafeMutablePointer<S>.allocate(capacity: 2 * width)
    defer { sums.deallocate() }
    partialSums(units: rows, work: rows * width, width: needParameters ? 2 * width : 0, into: sums)
    {
      range, partial in
      for r in range {
        let (row, gradient, m, rstd) = (x + r * width, dy + r * width, mean[r], invstd[r])
        if needParameters {
          for i in 0..<width {
            partial[i] += gradient[i] * (row[i] - m) * rstd
            partial[width + i] += gradient[i]
          }
        }
        guard let dx else { continue }
        let target = dx + r * width
        let (plain, product) = gradientSums(gradient, row, weight: weight, width, m)
        let (meanGradient, k) = (plain * scale, product * rstd * scale)
        if let weight {
          for i in 0..<width {
            target[i] = (gradient[i] * weight[i] - meanGradient - (row[i] - m) * rstd * k) * rstd
          }
        } else {
          for i in 0..<width {
            target[i] = (gradient[i] - meanGradient - (row[i] - m) * rstd * k) * rstd
          }
        }
      }
    }
    if let dWeight { dWeight.update(from: sums, count: width) }
    if let dBias { dBias.update(from: sums + width, count: width) }
  }
}

extension Tensor {
  /// The address of the first element (valid while the storage lives).
  @inline(__always)
  private var firstElement: UnsafeMutablePointer<Scalar> { storage.base + offset }

  /// These constant values laid out contiguously (this tensor when already so).
  private func contiguousValues() -> Tensor { isContiguous ? detached : copiedValues() }

  /// Batch normalization with the batch's own statistics, like
  /// `torch.nn.functional.batch_norm(x, None, None, weight, bias, training=True, eps=eps)`: each
  /// channel (axis 1 of `[N, C, ...]`) is shifted by its mean and divided by
  /// `sqrt(variance + eps)` (the biased variance over the batch and spatial axes), then scaled
  /// by `weight` and shifted by `bias` (both `[C]`, optional).
  ///
  /// One fused operation: gradients flow to the input through the statistics in closed form, and
  /// to `weight` and `bias`.
  ///
  /// - Returns: the output; and the per-channel `mean` and biased `variance` (`[C]` constants),
  ///   from which a layer updates its running statistics.
  /// - Precondition: at least two axes, a non-empty batch, and `weight`, `bias` of shape `[C]`.
  public func batchNorm(weight: Tensor? = nil, bias: Tensor? = nil, eps: Scalar = 1e-5)
    -> (output: Tensor, mean: Tensor, variance: Tensor)
  {
    let layout = channelLayout(weight: weight, bias: bias)
    precondition(
      layout.perChannel > 0, "batchNorm: no values per channel in input of shape \(shape)")
    let input = contiguousValues()
    let channels = layout.channels
    let mean = Tensor(uninitializedShape: [channels])
    let variance = Tensor(uninitializedShape: [channels])
    let invstd = Tensor(uninitializedShape: [channels])
    withExtendedLifetime((input.storage, mean.storage, variance.storage, invstd.storage)) {
      let (m, v, r) = (mean.firstElement, variance.firstElement, invstd.firstElement)
      Kernels.channelMoments(input.firstElement, layout, mean: m, variance: v)
      for c in 0..<channels { r[c] = 1 / (v[c] + eps).squareRoot() }
    }
    let output = Tensor.normalizeChannels(
      input, layout, mean: mean, invstd: invstd, batchStatistics: true,
      operands: (self, weight, bias))
    return (output, mean, variance)
  }

  /// Batch normalization with given statistics, like
  /// `torch.nn.functional.batch_norm(x, mean, variance, weight, bias, training=False, eps=eps)`
  /// (evaluation mode, with the running statistics): each channel (axis 1 of `[N, C, ...]`)
  /// becomes `(x - mean) / sqrt(variance + eps) * weight + bias`.
  ///
  /// Gradients flow to the input, `weight` and `bias`; `mean` and `variance` are constants.
  ///
  /// - Precondition: at least two axes, and `mean`, `variance`, `weight`, `bias` of shape `[C]`.
  public func batchNorm(
    mean: Tensor, variance: Tensor, weight: Tensor? = nil, bias: Tensor? = nil,
    eps: Scalar = 1e-5
  ) -> Tensor {
    let layout = channelLayout(weight: weight, bias: bias)
    let channels = layout.channels
    for (name, statistic) in [("mean", mean), ("variance", variance)] {
      precondition(
        statistic.shape == [channels],
        "batchNorm: \(name) of shape \(statistic.shape) for input of shape \(shape), expected "
          + "[\(channels)]")
    }
    let invstd = variance.mapValues(.affine(1, eps)).mapValues(.sqrt).mapValues(.reciprocal)
    return Tensor.normalizeChannels(
      contiguousValues(), layout, mean: mean.contiguousValues(), invstd: invstd,
      batchStatistics: false, operands: (self, weight, bias))
  }

  /// The `[N, C, ...]` layout of this tensor for batch normalization, after checking that
  /// `weight` and `bias` (when given) have shape `[C]`.
  private func channelLayout(weight: Tensor?, bias: Tensor?) -> NormalizationLayout {
    precondition(
      rank >= 2, "batchNorm: expected an input [N, C, ...] of two or more axes, got \(shape)")
    let channels = shape[1]
    for (name, tensor) in [("weight", weight), ("bias", bias)] {
      guard let tensor else { continue }
      precondition(
        tensor.shape == [channels],
        "batchNorm: \(name) of shape \(tensor.shape) for input of shape \(shape), expected "
          + "[\(channels)]")
    }
    return NormalizationLayout(
      outer: shape[0], channels: channels, inner: shape.dropFirst(2).reduce(1, *))
  }

  /// The per-channel normalization of the contiguous `input` with the contiguous `mean` and
  /// `invstd`, recorded as one operation of `operands` (the input, weight and bias as the caller
  /// passed them).
  private static func normalizeChannels(
    _ input: Tensor, _ layout: NormalizationLayout, mean: Tensor, invstd: Tensor,
    batchStatistics: Bool, operands: (input: Tensor, weight: Tensor?, bias: Tensor?)
  ) -> Tensor {
    let weight = operands.weight?.contiguousValues()
    let bias = operands.bias?.contiguousValues()
    let output = Tensor(uninitializedShape: input.shape)
    // y = x alpha + beta with alpha = invstd weight, beta = bias - mean alpha.
    let coefficients = Tensor(uninitializedShape: [2, layout.channels])
    withExtendedLifetime((input.storage, mean.storage, invstd.storage, coefficients.storage)) {
      withExtendedLifetime((weight?.storage, bias?.storage)) {
        let (m, r) = (mean.firstElement, invstd.firstElement)
        let (w, b) = (weight?.firstElement, bias?.firstElement)
        let (alpha, beta) = (coefficients.firstElement, coefficients.firstElement + layout.channels)
        for c in 0..<layout.channels {
          alpha[c] = r[c] * (w?[c] ?? 1)
          beta[c] = (b?[c] ?? 0) - m[c] * alpha[c]
        }
        Kernels.channelAffine(
          input.firstElement, layout, alpha: alpha, beta: beta, out: output.firstElement)
      }
    }
    let slots = OperandSlots(operands)
    return record(output, inputs: slots.inputs) { grad, needs in
      let dy = grad.contiguousValues()
      let dx = needs[0] ? Tensor(uninitializedShape: input.shape) : nil
      let dWeight = slots.needsWeight(needs) ? Tensor(uninitializedShape: [layout.channels]) : nil
      let dBias = slots.needsBias(needs) ? Tensor(uninitializedShape: [layout.channels]) : nil
      withExtendedLifetime((input.storage, dy.storage, mean.storage, invstd.storage)) {
        withExtendedLifetime(weight?.storage) {
          Kernels.channelNormBackward(
            input.firstElement, dy.firstElement, layout, mean: mean.firstElement,
            invstd: invstd.firstElement, weight: weight.map { UnsafePointer($0.firstElement) },
            batchStatistics: batchStatistics, dx: dx?.firstElement,
            dWeight: dWeight?.firstElement, dBias: dBias?.firstElement)
        }
      }
      return slots.gradients(input: dx, weight: dWeight, bias: dBias)
    }
  }

  /// Layer normalization over the trailing axes `normalizedShape`, like
  /// `torch.nn.functional.layer_norm`: each slice of those axes is shifted by its mean and divided
  /// by `sqrt(variance + eps)` (biased variance), then multiplied element-wise by `weight` and
  /// shifted by `bias` (both of shape `normalizedShape`, optional).
  ///
  /// One fused operation: gradients flow to the input through the statistics in closed form, and
  /// to `weight` and `bias`.
  ///
  /// - Precondition: `normalizedShape` is non-empty and ends this tensor's shape; `weight` and
  ///   `bias` have shape `normalizedShape`.
  public func layerNorm(
    normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil, eps: Scalar = 1e-5
  ) -> Tensor {
    precondition(
      !normalizedShape.isEmpty && normalizedShape.count <= rank
        && Array(shape.suffix(normalizedShape.count)) == normalizedShape,
      "layerNorm: input of shape \(shape) does not end with the normalized shape "
        + "\(normalizedShape)")
    for (name, tensor) in [("weight", weight), ("bias", bias)] {
      guard let tensor else { continue }
      precondition(
        tensor.shape == normalizedShape,
        "layerNorm: \(name) of shape \(tensor.shape), expected the normalized shape "
          + "\(normalizedShape)")
    }
    let width = normalizedShape.reduce(1, *)
    let rows = width == 0 ? 0 : count / width
    let input = contiguousValues()
    let (scale, shift) = (weight?.contiguousValues(), bias?.contiguousValues())
    let output = Tensor(uninitializedShape: shape)
    let mean = Tensor(uninitializedShape: [rows])
    let invstd = Tensor(uninitializedShape: [rows])
    withExtendedLifetime((input.storage, mean.storage, invstd.storage)) {
      withExtendedLifetime((scale?.storage, shift?.storage)) {
        Kernels.layerNormForward(
          input.firstElement, rows: rows, width: width, eps: eps,
          weight: scale.map { UnsafePointer($0.firstElement) },
          bias: shift.map { UnsafePointer($0.firstElement) }, out: output.firstElement,
          mean: mean.firstElement, invstd: invstd.firstElement)
      }
    }
    let slots = OperandSlots((self, weight, bias))
    return Tensor.record(output, inputs: slots.inputs) { grad, needs in
      let dy = grad.contiguousValues()
      let dx = needs[0] ? Tensor(uninitializedShape: input.shape) : nil
      let dWeight = slots.needsWeight(needs) ? Tensor(uninitializedShape: normalizedShape) : nil
      let dBias = slots.needsBias(needs) ? Tensor(uninitializedShape: normalizedShape) : nil
      withExtendedLifetime((input.storage, dy.storage, mean.storage, invstd.storage)) {
        withExtendedLifetime(scale?.storage) {
          Kernels.layerNormBackward(
            input.firstElement, dy.firstElement, rows: rows, width: width,
            mean: mean.firstElement, invstd: invstd.firstElement,
            weight: scale.map { UnsafePointer($0.firstElement) }, dx: dx?.firstElement,
            dWeight: dWeight?.firstElement, dBias: dBias?.firstElement)
        }
      }
      return slots.gradients(input: dx, weight: dWeight, bias: dBias)
    }
  }
}

/// Where a normalization's optional weight and bias sit in the list of inputs it records.
private struct OperandSlots<Scalar: TensorScalar> {
  /// The input, then the weight and the bias when present.
  let inputs: [Tensor<Scalar>]
  /// The weight's position in ``inputs``, if any.
  let weight: Int?
  /// The bias's position in ``inputs``, if any.
  let bias: Int?

  /// The slots of `operands`.
  init(_ operands: (input: Tensor<Scalar>, weight: Tensor<Scalar>?, bias: Tensor<Scalar>?)) {
    var inputs = [operands.input]
    var weight: Int?
    var bias: Int?
    if let tensor = operands.weight {
      weight = inputs.count
      inputs.append(tensor)
    }
    if let tensor = operands.bias {
      bias = inputs.count
      inputs.append(tensor)
    }
    (self.inputs, self.weight, self.bias) = (inputs, weight, bias)
  }

  /// Whether the weight needs a gradient.
  func needsWeight(_ needs: GradientNeeds) -> Bool { weight.map { needs[$0] } ?? false }
  /// Whether the bias needs a gradient.
  func needsBias(_ needs: GradientNeeds) -> Bool { bias.map { needs[$0] } ?? false }

  /// The gradients in the order of ``inputs``.
  func gradients(
    input: Tensor<Scalar>?, weight dWeight: Tensor<Scalar>?, bias dBias: Tensor<Scalar>?
  )
    -> [Tensor<Scalar>?]
  {
    var result: [Tensor<Scalar>?] = [input]
    if weight != nil { result.append(dWeight) }
    if bias != nil { result.append(dBias) }
    return result
  }
}
