extension Tensor {
  /// The rows of this `[count, dimension]` table at `indices`, like
  /// `torch.nn.functional.embedding`: the result has shape `indexShape + [dimension]`, row `i`
  /// being row `indices[i]` of the table. The gradient adds each row of the incoming gradient
  /// into the table row it came from (rows used twice get both), except for `paddingIndex`,
  /// whose row receives no gradient.
  ///
  /// - Precondition: this tensor is 2-D; `indices.count` is the product of `indexShape`; each
  ///   index is in `0..<count` (check indices from outside input before calling).
  public func embedding(indices: [Int], shape indexShape: [Int], paddingIndex: Int? = nil)
    -> Tensor
  {
    precondition(rank == 2, "embedding: expected a 2-D table [count, dimension], got \(shape)")
    precondition(
      indexShape.allSatisfy { $0 >= 0 } && indexShape.reduce(1, *) == indices.count,
      "embedding: \(indices.count) indices for the index shape \(indexShape)")
    let (rows, width) = (shape[0], shape[1])
    if let bad = indices.first(where: { $0 < 0 || $0 >= rows }) {
      preconditionFailure("embedding: index \(bad) out of range for a table of \(rows) rows")
    }
    let table = isContiguous ? detached : contiguous().detached
    let value = Tensor(uninitializedShape: indexShape + [width])
    withExtendedLifetime(table.storage) {
      let (source, target) = (table.storage.base + table.offset, value.storage.base)
      for (slot, index) in indices.enumerated() {
        (target + slot * width).update(from: source + index * width, count: width)
      }
    }
    return Tensor.record(value, self) { grad, _ in
      let back = Tensor(zeros: [rows, width])
      let gradient = grad.isContiguous ? grad : grad.contiguous().detached
      withExtendedLifetime(gradient.storage) {
        let (source, target) = (gradient.storage.base + gradient.offset, back.storage.base)
        for (slot, index) in indices.enumerated() where index != paddingIndex {
          let (from, to) = (source + slot * width, target + index * width)
          for column in 0..<width { to[column] += from[column] }
        }
      }
      return [back]
    }
  }
}
