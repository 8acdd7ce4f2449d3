extension Tensor {
  /// This 2-D view as a BLAS operand: its elements, whether they are stored transposed, and the
  /// leading dimension; a copy only when neither axis has unit stride.
  func blasOperand() -> (matrix: Tensor, transposed: Bool, leading: Int) {
    let (rows, columns) = (shape[0], shape[1])
    let (rowStride, columnStride) = (strides[0], strides[1])
    if columnStride == 1 || columns == 1, rows == 1 || rowStride >= Swift.max(columns, 1) {
      return (self, false, rows == 1 ? Swift.max(columns, 1) : rowStride)
    }
    if rowStride == 1 || rows == 1, columns == 1 || columnStride >= Swift.max(rows, 1) {
      return (self, true, columns == 1 ? Swift.max(rows, 1) : columnStride)
    }
    return (copiedValues(), false, Swift.max(columns, 1))
  }

  /// `c = a x b + beta * c` for 2-D views `a` `[m, k]` and `b` `[k, n]` into the contiguous
  /// `[m, n]` block of `c`'s storage at `offset`, through BLAS; transposed views go as flags.
  static func gemm(
    _ a: Tensor, _ b: Tensor, into c: inout Tensor, offset: Int = 0, beta: Scalar = 0
  ) {
    let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
    guard m > 0, n > 0 else { return }
    let target = c.storage.base + c.offset + offset
    guard k > 0 else {
      if beta == 0 { target.update(repeating: 0, count: m * n) }
      return
    }
    let (left, transposeA, lda) = a.blasOperand()
    let (right, transposeB, ldb) = b.blasOperand()
    withExtendedLifetime((left.storage, right.storage)) {
      Scalar.gemm(
        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
        a: left.storage.base + left.offset, lda: lda, b: right.storage.base + right.offset,
        ldb: ldb, beta: beta, c: target, ldc: n)
    }
  }

  /// The matrix product with `torch.matmul`'s rules: 2-D by 2-D; 1-D operands as a row or column
  /// vector; batched over leading axes (broadcast), a batch of matrices by one matrix as a single
  /// product. Transposed views go to BLAS as flags, not copies.
  public func matmul(_ other: Tensor) -> Tensor {
    precondition(rank >= 1 && other.rank >= 1, "matmul of shapes \(shape) and \(other.shape)")
    if rank == 1 && other.rank == 1 {
      // The dot product, a scalar tensor.
      return unsqueezed(at: 0).matmul(other.unsqueezed(at: 1)).reshaped([])
    }
    if rank == 1 { return unsqueezed(at: 0).matmul(other).squeezed(axis: -2) }
    if other.rank == 1 { return matmul(other.unsqueezed(at: 1)).squeezed(axis: -1) }
    precondition(
      shape[rank - 1] == other.shape[other.rank - 2], "matmul of shapes \(shape) and \(other.shape)"
    )
    let value = Tensor.productValues(detached, other.detached)
    let (left, right) = (detached, other.detached)
    return Tensor.record(value, self, other) { grad, needs in
      [
        needs[0] ? grad.matmul(right.transposed(-1, -2)).unbroadcast(to: left.shape) : nil,
        needs[1] ? left.transposed(-1, -2).matmul(grad).unbroadcast(to: right.shape) : nil,
      ]
    }
  }

  /// The product of constants of rank 2 or more (batched, broadcasting leading axes).
  static func productValues(_ a: Tensor, _ b: Tensor) -> Tensor {
    let (n, k, m) = (a.shape[a.rank - 2], a.shape[a.rank - 1], b.shape[b.rank - 1])
    if b.rank == 2 && (a.rank == 2 || a.isContiguous) {
      // A batch of matrices times one matrix: one product over the batch's rows.
      let rows = Tensor.elementCount(Array(a.shape.dropLast()))
      var out = Tensor(uninitializedShape: Array(a.shape.dropLast()) + [m])
      gemm(a.rank == 2 ? a : a.reshapedValues([rows, k]), b, into: &out)
      return out
    }
    guard let batch = Broadcast.shape(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)))
    else {
      preconditionFailure("matmul of shapes \(a.shape) and \(b.shape): batches do not broadcast")
    }
    let left = a.expandedValues(to: batch + [n, k])
    let right = b.expandedValues(to: batch + [k, m])
    var out = Tensor(uninitializedShape: batch + [n, m])
    let batchCount = Tensor.elementCount(batch)
    let batchStrides = Tensor.contiguousStrides(batch)
    for index in 0..<batchCount {
      var (leftOffset, rightOffset) = (left.offset, right.offset)
      for axis in batch.indices {
        let position = (index / batchStrides[axis]) % batch[axis]
        leftOffset += position * left.strides[axis]
        rightOffset += position * right.strides[axis]
      }
      let rankA = left.rank
      let matrixA = left.viewValues(
        shape: [n, k], strides: [left.strides[rankA - 2], left.strides[rankA - 1]],
        offset: leftOffset)
      let matrixB = right.viewValues(
        shape: [k, m], strides: [right.strides[rankA - 2], right.strides[rankA - 1]],
        offset: rightOffset)
      gemm(matrixA, matrixB, into: &out, offset: index * n * m)
    }
    return out
  }

  /// `self x weightᵀ + bias` for input `[..., in]`, weight `[out, in]` and bias `[out]`, like
  /// `torch.nn.functional.linear`: one BLAS call with the bias folded in (the output starts as the
  /// bias, and the product is added to it).
  public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
    precondition(
      rank >= 1 && weight.rank == 2 && shape[rank - 1] == weight.shape[1],
      "linear of input \(shape) with weight \(weight.shape)")
    let (inFeatures, outFeatures) = (weight.shape[1], weight.shape[0])
    if let bias {
      precondition(
        bias.shape == [outFeatures], "linear bias \(bias.shape) for weight \(weight.shape)")
    }
    let rows = Tensor.elementCount(Array(shape.dropLast()))
    let input = reshapedValues([rows, inFeatures])
    let w = weight.detached
    var value = Tensor(uninitializedShape: [rows, outFeatures])
    if let bias { Kernels.map(.identity, bias, into: &value) }
    Tensor.gemm(input, w.transposedValues(), into: &value, beta: bias == nil ? 0 : 1)
    let outShape = Array(shape.dropLast()) + [outFeatures]
    let inputShape = shape
    let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
    return Tensor.record(value.reshapedValues(outShape), inputs: inputs) { grad, needs in
      let g = grad.reshapedValues([rows, outFeatures])
      var result: [Tensor?] = Array(repeating: nil, count: inputs.count)
      if needs[0] {
        var dx = Tensor(uninitializedShape: [rows, inFeatures])
        Tensor.gemm(g, w, into: &dx)
        result[0] = dx.reshapedValues(inputShape)
      }
      if needs[1] {
        var dw = Tensor(uninitializedShape: [outFeatures, inFeatures])
        Tensor.gemm(g.transposedValues(), input, into: &dw)
        result[1] = dw
      }
      if inputs.count == 3, needs[2] {
        result[2] = g.summedValues(axes: [0]).reshapedValues([outFeatures])
      }
      return result
    }
  }

  /// The transpose of a 2-D constant, as a view.
  func transposedValues() -> Tensor {
    viewValues(shape: [shape[1], shape[0]], strides: [strides[1], strides[0]], offset: offset)
  }
}
