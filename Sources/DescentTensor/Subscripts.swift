/// One position in a tensor subscript: an index (which removes its axis; negative counts from
/// the end) or a range of indices (which keeps it), as in `x[0]`, `x[1..<3]`, `x[..., 2]`
/// (Swift's unbounded range `...` plays the part of PyTorch's `:`).
public enum TensorIndex: Sendable {
  /// One index along the axis; the axis is removed.
  case index(Int)
  /// The indices `lower..<upper` (either bound open), clamped to the axis as Python's slices are.
  case range(lower: Int?, upper: Int?)
}

/// A value usable in a tensor subscript: `Int` and Swift's ranges.
public protocol TensorIndexConvertible {
  /// The subscript position this value stands for.
  var tensorIndex: TensorIndex { get }
}

extension Int: TensorIndexConvertible {
  /// An index.
  public var tensorIndex: TensorIndex { .index(self) }
}

extension Range: TensorIndexConvertible where Bound == Int {
  /// `lower..<upper`.
  public var tensorIndex: TensorIndex { .range(lower: lowerBound, upper: upperBound) }
}

extension ClosedRange: TensorIndexConvertible where Bound == Int {
  /// `lower...upper`; an upper bound of -1 (the last index) reaches the end.
  public var tensorIndex: TensorIndex {
    .range(lower: lowerBound, upper: upperBound == -1 ? nil : upperBound + 1)
  }
}

extension PartialRangeFrom: TensorIndexConvertible where Bound == Int {
  /// `lower...`.
  public var tensorIndex: TensorIndex { .range(lower: lowerBound, upper: nil) }
}

extension PartialRangeUpTo: TensorIndexConvertible where Bound == Int {
  /// `..<upper`.
  public var tensorIndex: TensorIndex { .range(lower: nil, upper: upperBound) }
}

extension PartialRangeThrough: TensorIndexConvertible where Bound == Int {
  /// `...upper`; an upper bound of -1 (the last index) reaches the end.
  public var tensorIndex: TensorIndex {
    .range(lower: nil, upper: upperBound == -1 ? nil : upperBound + 1)
  }
}

extension Tensor {
  /// The view that `indices` select, axis by axis from the first; axes not named are kept whole.
  /// `x[0]` is the first row, `x[1..<3]` rows 1 and 2, `x[0, 2]` one element (a scalar tensor).
  public subscript(_ indices: any TensorIndexConvertible...) -> Tensor {
    indexed(indices.map(\.tensorIndex), from: 0)
  }

  /// The view that `indices` select after the first axis, kept whole: `x[..., 1..<3]` is
  /// PyTorch's `x[:, 1:3]` (Swift's `...` here is PyTorch's `:`, not its Ellipsis).
  public subscript(_ all: UnboundedRange, _ indices: any TensorIndexConvertible...) -> Tensor {
    indexed(indices.map(\.tensorIndex), from: 1)
  }

  /// The view that `last` selects along the last axis: PyTorch's `x[..., 0]` is Swift's
  /// `x[ellipsis: 0]`.
  public subscript(ellipsis last: any TensorIndexConvertible) -> Tensor {
    precondition(rank >= 1, "x[..., i] of a scalar")
    return indexed([last.tensorIndex], from: rank - 1)
  }

  /// Applies `indices` to the axes from `first` on.
  private func indexed(_ indices: [TensorIndex], from first: Int) -> Tensor {
    precondition(
      first + indices.count <= rank,
      "\(first + indices.count) indices for a tensor of shape \(shape)")
    var result = self
    var axis = first
    for index in indices {
      switch index {
      case .index(let position):
        result = result.selected(axis: axis, index: position)
      case .range(let lower, let upper):
        let extent = result.shape[axis]
        func clamp(_ bound: Int) -> Int {
          Swift.min(Swift.max(bound < 0 ? bound + extent : bound, 0), extent)
        }
        let start = clamp(lower ?? 0)
        let end = Swift.max(clamp(upper ?? extent), start)
        result = result.narrowed(axis: axis, range: start..<end)
        axis += 1
      }
    }
    return result
  }
}
