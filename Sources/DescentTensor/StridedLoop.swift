/// The iteration space of an element-wise kernel: the output's extents and, for each operand
/// (the output first, then up to two inputs), its strides, with the inputs broadcast to the
/// output (stride 0 along a broadcast axis).
///
/// Axes of extent 1 are dropped and neighbouring axes merged where every operand steps through
/// them as through one, so a contiguous tensor is one long row, a bias added to a matrix is rows
/// whose second operand restarts each row, and a scalar operand has stride 0 throughout. Kernels
/// then run a row at a time, with the row's strides telling which fast loop applies.
struct StridedLoop {
  /// The most axes left after merging.
  static let maxRank = 8
  /// How many operands take part (1 to 3).
  let operandCount: Int
  /// The number of axes after merging (at least 1).
  private(set) var rank = 1
  /// The extent of each axis; the last is the row.
  private(set) var extents = InlineArray<8, Int>(repeating: 1)
  /// Each operand's stride along each axis.
  private(set) var strides = InlineArray<3, InlineArray<8, Int>>(
    repeating: InlineArray<8, Int>(repeating: 0))
  /// Each operand's storage index of its first element.
  private(set) var offsets = InlineArray<3, Int>(repeating: 0)
  /// The number of elements.
  let count: Int

  /// The space of `output` (any strides) with `inputs` broadcast to its shape.
  init<S>(output: Tensor<S>, _ first: Tensor<S>? = nil, _ second: Tensor<S>? = nil) {
    let shape = output.shape
    operandCount = second != nil ? 3 : (first != nil ? 2 : 1)
    count = output.count
    var full = InlineArray<3, InlineArray<8, Int>>(repeating: InlineArray<8, Int>(repeating: 0))
    // Gather every operand's strides against the output's axes (right-aligned), then merge.
    let outRank = shape.count
    var kept = 0
    var merged = InlineArray<8, Int>(repeating: 1)
    var operandStrides = InlineArray<3, Int>(repeating: 0)
    for axis in 0..<outRank where shape[axis] != 1 {
      let extent = shape[axis]
      operandStrides[0] = output.strides[axis]
      if let first { operandStrides[1] = Self.stride(of: first, axis: axis, outRank: outRank) }
      if let second { operandStrides[2] = Self.stride(of: second, axis: axis, outRank: outRank) }
      var mergeable = kept > 0
      if mergeable {
        for operand in 0..<operandCount
        where full[operand][kept - 1] != operandStrides[operand] * extent {
          mergeable = false
        }
      }
      if mergeable {
        merged[kept - 1] *= extent
        for operand in 0..<operandCount { full[operand][kept - 1] = operandStrides[operand] }
      } else {
        precondition(
          kept < Self.maxRank,
          "element-wise kernel over shape \(shape): more than \(Self.maxRank) axes that cannot merge"
        )
        merged[kept] = extent
        for operand in 0..<operandCount { full[operand][kept] = operandStrides[operand] }
        kept += 1
      }
    }
    rank = Swift.max(kept, 1)
    extents = merged
    strides = full
    offsets[0] = output.offset
    if let first { offsets[1] = first.offset }
    if let second { offsets[2] = second.offset }
  }

  /// The stride of `tensor` along output axis `axis` when broadcast to an output of `outRank`
  /// axes: 0 where the tensor lacks the axis or has extent 1 there.
  private static func stride<S>(of tensor: Tensor<S>, axis: Int, outRank: Int) -> Int {
    let own = axis - (outRank - tensor.rank)
    guard own >= 0, tensor.shape[own] != 1 else { return 0 }
    return tensor.strides[own]
  }

  /// The number of rows (elements over the row's extent).
  var rowCount: Int {
    var rows = 1
    for axis in 0..<(rank - 1) { rows *= extents[axis] }
    return rows
  }

  /// The extent of a row.
  var rowLength: Int { extents[rank - 1] }

  /// Each operand's stride along a row.
  func rowStride(_ operand: Int) -> Int { strides[operand][rank - 1] }

  /// Calls `body(offset0, offset1, offset2, start, length)` for the part `start..<start+length`
  /// of each row in `rows`, where the offsets are the operands' storage indices of the row's
  /// first element (`start` is 0 and `length` the row's extent, except for `columns`).
  @inline(__always)
  func forEachRow(
    rows: Range<Int>, columns: Range<Int>? = nil,
    _ body: (Int, Int, Int, Int) -> Void
  ) {
    guard !rows.isEmpty else { return }
    let outer = rank - 1
    var index = InlineArray<8, Int>(repeating: 0)
    var o0 = offsets[0]
    var o1 = offsets[1]
    var o2 = offsets[2]
    var remainder = rows.lowerBound
    var axis = outer - 1
    while axis >= 0 {
      let position = remainder % extents[axis]
      remainder /= extents[axis]
      index[axis] = position
      o0 += position * strides[0][axis]
      o1 += position * strides[1][axis]
      o2 += position * strides[2][axis]
      axis -= 1
    }
    let span = columns ?? 0..<rowLength
    let (c0, c1, c2) = (rowStride(0), rowStride(1), rowStride(2))
    for _ in rows {
      body(
        o0 + span.lowerBound * c0, o1 + span.lowerBound * c1, o2 + span.lowerBound * c2,
        span.count)
      var axis = outer - 1
      while axis >= 0 {
        index[axis] += 1
        o0 += strides[0][axis]
        o1 += strides[1][axis]
        o2 += strides[2][axis]
        if index[axis] < extents[axis] { break }
        o0 -= strides[0][axis] * extents[axis]
        o1 -= strides[1][axis] * extents[axis]
        o2 -= strides[2][axis] * extents[axis]
        index[axis] = 0
        axis -= 1
      }
    }
  }

  /// Runs `body` over every row, on the shared ``WorkerPool`` when the loop is large enough to
  /// gain from it (chunks of rows, or of the one row of a contiguous tensor). Only for kernels
  /// whose outputs at different rows or columns are distinct elements.
  @inline(__always)
  func run(parallel: Bool = true, _ body: (Int, Int, Int, Int) -> Void) {
    let rows = rowCount
    let threads = WorkerPool.shared.threadCount
    guard parallel, count >= Self.parallelThreshold, threads > 1 else {
      forEachRow(rows: 0..<rows, body)
      return
    }
    let tasks = Swift.min(threads * 4, Swift.max(count / (Self.parallelThreshold / 4), 1))
    if rows >= tasks {
      WorkerPool.shared.run(taskCount: tasks) { task in
        forEachRow(rows: (rows * task / tasks)..<(rows * (task + 1) / tasks), body)
      }
    } else {
      let length = rowLength
      WorkerPool.shared.run(taskCount: tasks) { task in
        let columns = (length * task / tasks)..<(length * (task + 1) / tasks)
        forEachRow(rows: 0..<rows, columns: columns, body)
      }
    }
  }

  /// The element count from which element-wise kernels use several threads.
  static let parallelThreshold = 1 << 16
}
