extension Kernels {
  /// Sums `input` into `out`, which has the input's rank with extent 1 along the summed axes
  /// (and the input's extent elsewhere): the input's space with `out` broadcast along the summed
  /// axes; a row along a summed axis is added up horizontally, any other row element by element.
  /// (The largest and smallest elements along an axis go through `argmax`, which also gives
  /// their gradient's positions.)
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func sum<S>(_ input: Tensor<S>, into out: inout Tensor<S>) {
    if out.count == 1, input.isContiguous, input.count >= StridedLoop.parallelThreshold {
      out.storage.base[out.offset] = parallelSum(input)
      return
    }
    out.storage.base.advanced(by: out.offset).update(repeating: 0, count: out.count)
    guard input.count > 0 else { return }
    let loop = StridedLoop(output: input, out)
    let (source, target) = (UnsafePointer(input.storage.base), out.storage.base)
    let (si, so) = (loop.rowStride(0), loop.rowStride(1))
    withExtendedLifetime(input.storage) {
      loop.run(parallel: false) { o0, o1, _, n in
        let (x, o) = (source + o0, target + o1)
        if so == 0 {
          o[0] += horizontalSum(x, n, si)
        } else if so == 1 && si == 1 {
          for i in 0..<n { o[i] += x[i] }
        } else {
          for i in 0..<n { o[i * so] += x[i * si] }
        }
      }
    }
  }

  /// The sum of `count` elements `stride` apart, in sixteen running sums when contiguous.
  @inline(__always)
  static func horizontalSum<S: TensorScalar>(_ x: UnsafePointer<S>, _ count: Int, _ stride: Int)
    -> S
  {
    var total: S = 0
    var i = 0
    if stride == 1 {
      var lanes = SIMD16<S>()
      let raw = UnsafeRawPointer(x)
      while i + 16 <= count {
        lanes += raw.loadUnaligned(fromByteOffset: i * MemoryLayout<S>.stride, as: SIMD16<S>.self)
        i += 16
      }
      total = lanes.sum()
    }
    while i < count {
      total += x[i * stride]
      i += 1
    }
    return total
  }

  /// The sum of a large contiguous tensor in chunks on the worker pool.
  static func parallelSum<S: TensorScalar>(_ input: Tensor<S>) -> S {
    let tasks = WorkerPool.shared.threadCount * 4
    var partials = [S](repeating: 0, count: tasks)
    let source = UnsafePointer(input.storage.base + input.offset)
    let count = input.count
    partials.withUnsafeMutableBufferPointer { slots in
      let slotBase = slots.baseAddress!
      withExtendedLifetime(input.storage) {
        WorkerPool.shared.run(taskCount: tasks) { task in
          let start = count * task / tasks
          let end = count * (task + 1) / tasks
          slotBase[task] = horizontalSum(source + start, end - start, 1)
        }
      }
    }
    return partials.reduce(0, +)
  }
}

extension Tensor {
  /// Normalises a possibly negative axis against the rank.
  func resolvedAxis(_ axis: Int) -> Int {
    let resolved = axis < 0 ? axis + rank : axis
    precondition(resolved >= 0 && resolved < rank, "axis \(axis) out of range for shape \(shape)")
    return resolved
  }

  /// The values summed over `axes` (resolved), keeping them with extent 1; no autograd.
  func summedValues(axes: [Int]) -> Tensor {
    var kept = shape
    for axis in axes { kept[axis] = 1 }
    var out = Tensor(uninitializedShape: kept)
    Kernels.sum(self, into: &out)
    return out
  }

  /// Sums this (constant) gradient over the axes along which a tensor of shape `source` was
  /// broadcast to this shape, giving a tensor of shape `source`.
  func unbroadcast(to source: [Int]) -> Tensor {
    if shape == source { return self }
    let lead = rank - source.count
    var axes: [Int] = Array(0..<lead)
    for axis in lead..<rank where source[axis - lead] == 1 && shape[axis] != 1 { axes.append(axis) }
    return summedValues(axes: axes).reshapedValues(source)
  }

  /// The sum of all elements, a scalar tensor.
  public func sum() -> Tensor {
    let value = summedValues(axes: Array(0..<rank)).reshapedValues([])
    let inputShape = shape
    return Tensor.record(value, self) { grad, _ in [grad.expandedValues(to: inputShape)] }
  }

  /// The sum along `axis` (negative counts from the end); the axis is kept with extent 1 when
  /// `keepingDims` is true.
  public func sum(axis: Int, keepingDims: Bool = false) -> Tensor {
    sum(axes: [axis], keepingDims: keepingDims)
  }

  /// The sum along each of `axes`, kept with extent 1 when `keepingDims` is true.
  public func sum(axes: [Int], keepingDims: Bool = false) -> Tensor {
    let resolved = axes.map(resolvedAxis)
    let kept = summedValues(axes: resolved)
    let outShape =
      keepingDims ? kept.shape : shape.indices.filter { !resolved.contains($0) }.map { shape[$0] }
    let (inputShape, keptShape) = (shape, kept.shape)
    return Tensor.record(kept.reshapedValues(outShape), self) { grad, _ in
      [grad.reshapedValues(keptShape).expandedValues(to: inputShape)]
    }
  }

  /// The mean of all elements, a scalar tensor.
  public func mean() -> Tensor { sum() / Scalar(Swift.max(count, 1)) }

  /// The mean along `axis`.
  public func mean(axis: Int, keepingDims: Bool = false) -> Tensor {
    sum(axis: axis, keepingDims: keepingDims) / Scalar(shape[resolvedAxis(axis)])
  }

  /// The mean along each of `axes`.
  public func mean(axes: [Int], keepingDims: Bool = false) -> Tensor {
    let resolved = axes.map(resolvedAxis)
    return sum(axes: resolved, keepingDims: keepingDims)
      / Scalar(resolved.reduce(1) { $0 * shape[$1] })
  }

  /// The largest element, a scalar tensor; the gradient goes to the first maximal element.
  public func max() -> Tensor {
    precondition(count > 0, "max of an empty tensor")
    return reshaped([count]).max(axis: 0)
  }

  /// The smallest element, a scalar tensor; the gradient goes to the first minimal element.
  public func min() -> Tensor { -(-self).max() }

  /// The largest elements along `axis`; the gradient goes to the first maximal element of each.
  public func max(axis: Int, keepingDims: Bool = false) -> Tensor {
    let axis = resolvedAxis(axis)
    let winners = argmax(axis: axis)
    return gathering(indices: winners, along: axis, keepingDims: keepingDims)
  }

  /// The smallest elements along `axis`; the gradient goes to the first minimal element of each.
  public func min(axis: Int, keepingDims: Bool = false) -> Tensor {
    -(-self).max(axis: axis, keepingDims: keepingDims)
  }

  /// The positions of the largest elements along `axis` (first on ties; NaN counts as largest),
  /// in row-major order of the remaining axes.
  public func argmax(axis: Int) -> [Int] {
    let axis = resolvedAxis(axis)
    let extent = shape[axis]
    precondition(extent > 0, "argmax over an empty axis of shape \(shape)")
    let lines = movingAxisToEnd(axis).contiguous().detached
    let rows = lines.count / extent
    return lines.withUnsafeBufferPointer { values in
      (0..<rows).map { row in
        let base = row * extent
        var best = 0
        for e in 0..<extent {
          let value = values[base + e]
          if value.isNaN { return e }
          if value > values[base + best] { best = e }
        }
        return best
      }
    }
  }

  /// The position of the largest element of the flattened tensor.
  public func argmax() -> Int { reshaped([count]).argmax(axis: 0)[0] }
}
