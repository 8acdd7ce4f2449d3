extension Tensor {
  /// Another view of this tensor's storage (no autograd).
  func viewValues(shape: [Int], strides: [Int], offset: Int) -> Tensor {
    Tensor(storage: storage, shape: shape, strides: strides, offset: offset)
  }

  /// The constant values with another shape (a view when contiguous, else a copy).
  func reshapedValues(_ newShape: [Int]) -> Tensor {
    let source = isContiguous ? self : copiedValues()
    return source.viewValues(
      shape: newShape, strides: Tensor.contiguousStrides(newShape), offset: source.offset)
  }

  /// The constant values broadcast to `target` as a view (stride 0 along repeated axes).
  func expandedValues(to target: [Int]) -> Tensor {
    if shape == target { return detached }
    precondition(
      Broadcast.shape(shape, target) == target, "shape \(shape) does not broadcast to \(target)")
    let lead = target.count - rank
    var newStrides = [Int](repeating: 0, count: target.count)
    for axis in 0..<rank where shape[axis] != 1 { newStrides[axis + lead] = strides[axis] }
    return viewValues(shape: target, strides: newStrides, offset: offset)
  }

  /// The same elements with another shape of the same element count; one extent may be -1. A
  /// view when the tensor is contiguous, else a copy (as PyTorch's `reshape`).
  public func reshaped(_ newShape: [Int]) -> Tensor {
    var resolved = newShape
    if let unknown = newShape.firstIndex(of: -1) {
      var known = 1
      for (axis, extent) in newShape.enumerated() where axis != unknown { known *= extent }
      precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
      resolved[unknown] = count / known
    }
    precondition(
      resolved.allSatisfy { $0 >= 0 } && Tensor.elementCount(resolved) == count,
      "cannot reshape \(shape) to \(newShape)")
    if resolved == shape { return self }
    let inputShape = shape
    return Tensor.record(reshapedValues(resolved), self) { grad, _ in
      [grad.reshapedValues(inputShape)]
    }
  }

  /// The tensor flattened to one axis.
  public func flattened() -> Tensor { reshaped([count]) }

  /// The axes reordered: axis `i` of the result is axis `order[i]` of this tensor (a view), like
  /// `permute`.
  public func permuted(_ order: [Int]) -> Tensor {
    let resolved = order.map(resolvedAxis)
    precondition(
      resolved.count == rank && Set(resolved).count == rank,
      "permuted(\(order)) of a tensor of shape \(shape)")
    var inverse = [Int](repeating: 0, count: rank)
    for (position, axis) in resolved.enumerated() { inverse[axis] = position }
    let value = viewValues(
      shape: resolved.map { shape[$0] }, strides: resolved.map { strides[$0] }, offset: offset)
    return Tensor.record(value, self) { grad, _ in [grad.permuted(inverse).detached] }
  }

  /// Axes `first` and `second` swapped (a view), like `transpose(dim0, dim1)`.
  public func transposed(_ first: Int, _ second: Int) -> Tensor {
    var order = Array(0..<rank)
    order.swapAt(resolvedAxis(first), resolvedAxis(second))
    return permuted(order)
  }

  /// The transpose of a 2-D tensor (a view), like `t()`.
  public func transposed() -> Tensor {
    precondition(rank == 2, "transposed() needs a 2-D tensor, not shape \(shape)")
    return permuted([1, 0])
  }

  /// The tensor with `axis` moved to the end (a view).
  func movingAxisToEnd(_ axis: Int) -> Tensor {
    var order = Array(0..<rank)
    order.remove(at: axis)
    order.append(axis)
    return permuted(order)
  }

  /// This tensor broadcast to `target` (a view repeating elements along axes of extent 1), like
  /// `expand`; the gradient sums over the repeated axes.
  public func broadcast(to target: [Int]) -> Tensor {
    if shape == target { return self }
    let sourceShape = shape
    return Tensor.record(expandedValues(to: target), self) { grad, _ in
      [grad.unbroadcast(to: sourceShape)]
    }
  }

  /// A new axis of extent 1 at `axis` (a view), like `unsqueeze`.
  public func unsqueezed(at axis: Int) -> Tensor {
    let position = axis < 0 ? axis + rank + 1 : axis
    precondition(position >= 0 && position <= rank, "unsqueeze at \(axis) of shape \(shape)")
    var (newShape, newStrides) = (shape, strides)
    newShape.insert(1, at: position)
    // Any stride serves an axis of extent 1; this is PyTorch's.
    newStrides.insert(position < rank ? strides[position] * shape[position] : 1, at: position)
    return removingOrAddingUnitAxes(shape: newShape, strides: newStrides)
  }

  /// The axes of extent 1 removed (only `axis`, when given), like `squeeze`.
  public func squeezed(axis: Int? = nil) -> Tensor {
    let target = axis.map(resolvedAxis)
    // Axes kept: those of extent other than 1 and, when one axis is named, all the others.
    let kept = shape.indices.filter { shape[$0] != 1 || (target != nil && target != $0) }
    guard kept.count < rank else { return self }
    return removingOrAddingUnitAxes(
      shape: kept.map { shape[$0] }, strides: kept.map { strides[$0] })
  }

  /// The view with axes of extent 1 added or removed (same elements, same order).
  private func removingOrAddingUnitAxes(shape newShape: [Int], strides newStrides: [Int])
    -> Tensor
  {
    let inputShape = shape
    return Tensor.record(viewValues(shape: newShape, strides: newStrides, offset: offset), self) {
      grad, _ in [grad.reshapedValues(inputShape)]
    }
  }

  /// The slice `range` along `axis` (a view), like `narrow`.
  public func narrowed(axis: Int, range: Range<Int>) -> Tensor {
    let axis = resolvedAxis(axis)
    precondition(
      range.lowerBound >= 0 && range.upperBound <= shape[axis],
      "slice \(range) of axis \(axis) of shape \(shape)")
    return selectingView { tensor in
      var newShape = tensor.shape
      newShape[axis] = range.count
      return tensor.viewValues(
        shape: newShape, strides: tensor.strides,
        offset: tensor.offset + range.lowerBound * tensor.strides[axis])
    }
  }

  /// The element `index` along `axis`, with that axis removed (a view), like `select`.
  public func selected(axis: Int, index: Int) -> Tensor {
    let axis = resolvedAxis(axis)
    let position = index < 0 ? index + shape[axis] : index
    precondition(
      position >= 0 && position < shape[axis], "index \(index) of axis \(axis) of shape \(shape)")
    return selectingView { tensor in
      var (newShape, newStrides) = (tensor.shape, tensor.strides)
      newShape.remove(at: axis)
      newStrides.remove(at: axis)
      return tensor.viewValues(
        shape: newShape, strides: newStrides,
        offset: tensor.offset + position * tensor.strides[axis])
    }
  }

  /// The view `select` makes of this tensor; its gradient is the incoming gradient written into
  /// the same view of a zero tensor.
  private func selectingView(_ select: @escaping (Tensor) -> Tensor) -> Tensor {
    let inputShape = shape
    return Tensor.record(select(detached), self) { grad, _ in
      let zeros = Tensor(zeros: inputShape)
      var window = select(zeros)
      Kernels.map(.identity, grad, into: &window)
      return [zeros]
    }
  }

  /// The rows (slices along the first axis) at `indices`, in that order; indices may repeat,
  /// like `index_select(0, indices)`.
  public func gatherRows(_ indices: [Int]) -> Tensor {
    precondition(rank >= 1, "gatherRows of a scalar")
    for index in indices {
      precondition(index >= 0 && index < shape[0], "row \(index) out of range for shape \(shape)")
    }
    let source = contiguous().detached
    let rowSize = shape.dropFirst().reduce(1, *)
    var outShape = shape
    outShape[0] = indices.count
    let value = Tensor(uninitializedShape: outShape)
    let (from, to) = (source.storage.base + source.offset, value.storage.base)
    for (slot, index) in indices.enumerated() {
      (to + slot * rowSize).update(from: from + index * rowSize, count: rowSize)
    }
    let inputShape = shape
    return Tensor.record(value, self) { grad, _ in
      var back = Tensor(zeros: inputShape)
      let g = grad.contiguous()
      let (target, source) = (back.storage.base, g.storage.base + g.offset)
      for (slot, index) in indices.enumerated() {
        for offset in 0..<rowSize {
          target[index * rowSize + offset] += source[slot * rowSize + offset]
        }
      }
      back.node = nil
      return [back]
    }
  }

  /// The rows in `range` (a view along the first axis).
  public func rows(_ range: Range<Int>) -> Tensor { narrowed(axis: 0, range: range) }

  /// For each line along `axis`, the element at the line's index in `indices` (row-major over the
  /// other axes), with `axis` removed unless `keepingDims`; the gradient goes to those elements.
  func gathering(indices: [Int], along axis: Int, keepingDims: Bool) -> Tensor {
    let extent = shape[axis]
    let moved = movingAxisToEnd(axis).contiguous().detached
    var kept = shape
    kept[axis] = 1
    let value = Tensor(uninitializedShape: [indices.count])
    let (from, to) = (moved.storage.base + moved.offset, value.storage.base)
    for (line, index) in indices.enumerated() { to[line] = from[line * extent + index] }
    var outShape = kept
    if !keepingDims { outShape.remove(at: axis) }
    var movedShape = shape
    movedShape.remove(at: axis)
    movedShape.append(extent)
    var order = Array(0..<(rank - 1))
    order.insert(rank - 1, at: axis)
    return Tensor.record(value.reshapedValues(outShape), self) { grad, _ in
      let back = Tensor(zeros: movedShape)
      let g = grad.contiguous()
      let (target, source) = (back.storage.base, g.storage.base + g.offset)
      for (line, index) in indices.enumerated() { target[line * extent + index] = source[line] }
      return [back.permuted(order).detached]
    }
  }

  /// Joins tensors along `axis`; all other extents must agree, like `torch.cat`.
  public static func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    precondition(!tensors.isEmpty, "concatenating no tensors")
    let first = tensors[0]
    let axis = first.resolvedAxis(axis)
    for tensor in tensors {
      var (a, b) = (tensor.shape, first.shape)
      precondition(a.count == b.count, "concatenating shapes \(first.shape) and \(tensor.shape)")
      a[axis] = 0
      b[axis] = 0
      precondition(a == b, "concatenating shapes \(first.shape) and \(tensor.shape) along \(axis)")
    }
    var outShape = first.shape
    outShape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
    var value = Tensor(uninitializedShape: outShape)
    var start = 0
    var ranges: [Range<Int>] = []
    for tensor in tensors {
      let range = start..<(start + tensor.shape[axis])
      var window = value.detached.narrowed(axis: axis, range: range)
      Kernels.map(.identity, tensor, into: &window)
      ranges.append(range)
      start = range.upperBound
    }
    value = value.viewValues(shape: outShape, strides: value.strides, offset: 0)
    return record(value, inputs: tensors) { grad, needs in
      ranges.enumerated().map { index, range in
        needs[index] ? grad.detached.narrowed(axis: axis, range: range).detached : nil
      }
    }
  }

  /// Joins tensors of one shape along a new axis `axis`, like `torch.stack`.
  public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    precondition(!tensors.isEmpty, "stacking no tensors")
    precondition(
      tensors.allSatisfy { $0.shape == tensors[0].shape },
      "stacking tensors of shapes \(tensors.map(\.shape))")
    return concatenate(tensors.map { $0.unsqueezed(at: axis) }, axis: axis)
  }
}
