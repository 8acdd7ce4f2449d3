import DescentTensor
import Testing

/// Subscripts (PyTorch's indexing and slicing), views sharing their base's storage, and value
/// semantics (writing through one tensor never changes another).
@Suite("Subscripts and views")
struct SubscriptAndViewTests {
  /// `[[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]]`.
  let x = iota([4, 3])

  // MARK: Subscripts

  @Test func indexRemovesTheAxis() {
    #expect(x[0].shape == [3] && x[0].scalars == [0, 1, 2])
    #expect(x[2].scalars == [6, 7, 8])
    #expect(x[-1].scalars == [9, 10, 11])
    #expect(x[-4].scalars == [0, 1, 2])
    #expect(x[1, 2].shape == [] && x[1, 2].item == 5)
    #expect(x[-1, -1].item == 11)
    #expect(x[3][1].item == 10)
  }

  @Test func rangesKeepTheAxis() {
    #expect(x[..., 1..<3].shape == [4, 2])
    #expect(x[..., 1..<3].scalars == [1, 2, 4, 5, 7, 8, 10, 11])
    #expect(x[1...].shape == [3, 3] && x[1...].scalars == Array(3...11).map(Double.init))
    #expect(x[..<2].scalars == [0, 1, 2, 3, 4, 5])
    #expect(x[...1].scalars == [0, 1, 2, 3, 4, 5])
    #expect(x[1...2].scalars == [3, 4, 5, 6, 7, 8])
    #expect(x[1..<3, 0].scalars == [3, 6])
    #expect(x[0..<4, 2...].scalars == [2, 5, 8, 11])
  }

  @Test func ellipsisSelectsAlongTheLastAxis() {
    #expect(x[ellipsis: 0].shape == [4] && x[ellipsis: 0].scalars == [0, 3, 6, 9])
    #expect(x[ellipsis: -1].scalars == [2, 5, 8, 11])
    #expect(x[ellipsis: 1...].shape == [4, 2])
    let y = iota([2, 3, 4])
    #expect(y[ellipsis: 2].shape == [2, 3] && y[ellipsis: 2].scalars == [2, 6, 10, 14, 18, 22])
    #expect(y[..., 0, 1..<3].shape == [2, 2] && y[..., 0, 1..<3].scalars == [1, 2, 13, 14])
    #expect(y[0, 1..<3, 3].scalars == [7, 11])
    #expect(y[1][..., 1].scalars == [13, 17, 21])
  }

  @Test func rangesClampLikePythonSlices() {
    #expect(x[1..<100].scalars == x[1...].scalars)
    #expect(x[(-100)..<2].scalars == x[..<2].scalars)
    #expect(x[5...].shape == [0, 3])
    #expect(x[(-2)...].scalars == [6, 7, 8, 9, 10, 11])
    #expect(x[..<(-1)].shape == [3, 3])
    #expect(x[..<(-10)].shape == [0, 3])
    #expect(x[2..<2].shape == [0, 3])
    #expect(x[..., 5...].shape == [4, 0])
    #expect(x[(-3)...(-2)].scalars == [3, 4, 5, 6, 7, 8])
  }

  @Test func closedRangesEndingAtMinusOneReachTheEnd() {
    // `a...(-1)` means "through the last element", as `a...(count - 1)` does.
    #expect(x[(-2)...(-1)].scalars == [6, 7, 8, 9, 10, 11])
    #expect(x[...(-1)].shape == [4, 3])
    #expect(x[..., ...(-1)].shape == [4, 3])
    #expect(x[ellipsis: (-2)...(-1)].scalars == [1, 2, 4, 5, 7, 8, 10, 11])
  }

  @Test func subscriptsAreViews() {
    #expect(x[1].storage === x.storage && x[1].offset == 3 && x[1].strides == [1])
    #expect(x[..., 1..<3].storage === x.storage)
    #expect(x[..., 1..<3].offset == 1 && x[..., 1..<3].strides == [3, 1])
    #expect(x[ellipsis: 2].offset == 2 && x[ellipsis: 2].strides == [3])
    #expect(!x[..., 1..<3].isContiguous && x[1...].isContiguous)
  }

  // MARK: Views

  @Test func viewsShareTheStorage() {
    let views: [Tensor<Double>] = [
      x.reshaped([2, 6]), x.reshaped([-1]), x.flattened(), x.transposed(), x.permuted([1, 0]),
      x.transposed(0, 1), x.narrowed(axis: 1, range: 1..<2), x.selected(axis: 0, index: 2),
      x.rows(1..<3), x.broadcast(to: [2, 4, 3]), x.unsqueezed(at: 1), x.unsqueezed(at: -1),
      x.unsqueezed(at: 0).squeezed(), x.reshaped([4, 1, 3]).squeezed(axis: 1), x.detached,
      x.contiguous(), x.requiringGrad(),
    ]
    for view in views { #expect(view.storage === x.storage) }
  }

  @Test func viewsOfNonContiguousViewsShareTheStorage() {
    let t = x.transposed()
    let views = [
      t.unsqueezed(at: 0), t.unsqueezed(at: 2), t.unsqueezed(at: 1).squeezed(),
      t.unsqueezed(at: 1).squeezed(axis: 1), t.permuted([1, 0]), t[1], t[..., 1..<3],
      t.broadcast(to: [2, 3, 4]),
    ]
    for view in views { #expect(view.storage === x.storage) }
    #expect(t.unsqueezed(at: 1).shape == [3, 1, 4])
    #expect(t.unsqueezed(at: 1).scalars == t.scalars)
    #expect(t.unsqueezed(at: -1).squeezed(axis: -1).scalars == t.scalars)
  }

  @Test func layoutOfViews() {
    #expect(x.transposed().shape == [3, 4] && x.transposed().strides == [1, 3])
    #expect(x.transposed().scalars == [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11])
    let b = Tensor<Double>([1, 2, 3]).broadcast(to: [2, 3])
    #expect(b.strides == [0, 1] && !b.isContiguous && b.scalars == [1, 2, 3, 1, 2, 3])
    let column = Tensor<Double>(shape: [2, 1], scalars: [5, 6]).broadcast(to: [2, 3])
    #expect(column.strides == [1, 0] && column.scalars == [5, 5, 5, 6, 6, 6])
    let y = iota([2, 3, 4])
    #expect(y.permuted([2, 0, 1]).strides == [1, 12, 4])
    #expect(y.permuted([2, 0, 1])[3, 1].scalars == [15, 19, 23])
    #expect(y.transposed(0, 2).shape == [4, 3, 2])
    #expect(
      y.narrowed(axis: 2, range: 1..<3).selected(axis: 1, index: -1).scalars == [9, 10, 21, 22])
  }

  @Test func reshapingANonContiguousViewCopies() {
    let t = x.transposed()
    let flat = t.reshaped([12])
    #expect(flat.storage !== x.storage && flat.isContiguous)
    #expect(flat.scalars == [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11])
    let copy = t.contiguous()
    #expect(copy.storage !== x.storage && copy.isContiguous && copy.scalars == t.scalars)
  }

  @Test func gatherRowsAndConcatenateCopy() {
    #expect(x.gatherRows([3, 0, 3]).scalars == [9, 10, 11, 0, 1, 2, 9, 10, 11])
    #expect(x.transposed().gatherRows([2]).scalars == [2, 5, 8, 11])
    #expect(x.gatherRows([]).shape == [0, 3])
    let joined = Tensor.concatenate([x[..., ..<1], x.transposed()[1].unsqueezed(at: 1)], axis: 1)
    #expect(joined.shape == [4, 2] && joined.scalars == [0, 1, 3, 4, 6, 7, 9, 10])
    let stacked = Tensor.stack([x[0], x[1]], axis: 1)
    #expect(stacked.shape == [3, 2] && stacked.scalars == [0, 3, 1, 4, 2, 5])
    let middle = Tensor.stack([iota([2, 2]), iota([2, 2]) + 10], axis: 1)
    #expect(middle.shape == [2, 2, 2] && middle.scalars == [0, 1, 10, 11, 2, 3, 12, 13])
  }

  // MARK: Value semantics

  @Test func writingThroughAViewLeavesTheBaseAlone() {
    var view = x.transposed()
    view.withUnsafeMutableBufferPointer { $0[0] = 100 }
    #expect(view.scalars.first == 100 && view.shape == [3, 4])
    #expect(x.scalars == Array(0..<12).map(Double.init))
    #expect(view.storage !== x.storage)
  }

  @Test func writingThroughACopyLeavesTheOriginalAlone() {
    let original = Tensor<Double>([1, 2, 3])
    var copy = original
    copy.withUnsafeMutableBufferPointer { $0[1] = -1 }
    #expect(original.scalars == [1, 2, 3] && copy.scalars == [1, -1, 3])
    var other = original
    other.add_(Tensor(10))
    #expect(original.scalars == [1, 2, 3] && other.scalars == [11, 12, 13])
    var row = x[1]
    row.mul_(10)
    #expect(row.scalars == [30, 40, 50] && x[1].scalars == [3, 4, 5])
    var broadcast = Tensor<Double>([1, 2]).broadcast(to: [2, 2])
    broadcast.assign([5, 6, 7, 8])
    #expect(broadcast.scalars == [5, 6, 7, 8] && broadcast.isContiguous)
  }

  @Test func aUniqueStorageIsWrittenInPlace() {
    var y = Tensor<Double>([1, 2, 3])
    let before = ObjectIdentifier(y.storage)
    y.add_(Tensor(1))
    y.mul_(2)
    y.clamp_(max: 7)
    y.withUnsafeMutableBufferPointer { $0[0] = 0 }
    #expect(ObjectIdentifier(y.storage) == before)
    #expect(y.scalars == [0, 6, 7])
  }
}
