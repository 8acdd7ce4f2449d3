import Synchronization

/// An argument PyTorch takes either as one integer for every spatial axis or as a tuple of one
/// integer per axis (`kernel_size=3`, `kernel_size=(3, 2)`), written as an integer literal or an
/// array literal (`kernelSize: 3`, `kernelSize: [3, 2]`).
///
/// It remembers which form it was given, because PyTorch prints the two differently
/// (`MaxPool2d(kernel_size=2, ...)` against `MaxPool2d(kernel_size=(2, 2), ...)`).
public struct IntOrTuple: Hashable, Sendable, ExpressibleByIntegerLiteral,
  ExpressibleByArrayLiteral, CustomStringConvertible
{
  /// The integers as given: one for every axis, or one per axis.
  public let elements: [Int]
  /// Whether a tuple was given rather than a single integer.
  public let isTuple: Bool

  /// One integer for every axis.
  public init(_ value: Int) {
    elements = [value]
    isTuple = false
  }

  /// One integer per axis.
  public init(_ values: [Int]) {
    elements = values
    isTuple = true
  }

  /// One integer for every axis.
  public init(integerLiteral value: Int) { self.init(value) }

  /// One integer per axis.
  public init(arrayLiteral elements: Int...) { self.init(elements) }

  /// One integer per axis for `count` axes, or `nil` when a tuple of another length was given.
  public func values(count: Int) -> [Int]? {
    guard isTuple else { return Array(repeating: elements[0], count: count) }
    return elements.count == count ? elements : nil
  }

  /// As Python prints the argument: `3`, `(3, 2)`, or `(3,)` for a one-element tuple.
  public var description: String {
    guard isTuple else { return "\(elements[0])" }
    return Self.tupleDescription(elements)
  }

  /// `values` as Python prints a tuple: `(3, 2)`, `(3,)`.
  public static func tupleDescription(_ values: [Int]) -> String {
    values.count == 1
      ? "(\(values[0]),)" : "(" + values.map(String.init).joined(separator: ", ") + ")"
  }

  /// The two values for a 2-D operation, checked.
  func pair(_ argument: String, of operation: String) -> (Int, Int) {
    guard let values = values(count: 2) else {
      preconditionFailure("\(operation): \(argument) \(self) needs 1 or 2 values")
    }
    return (values[0], values[1])
  }
}

/// The zero padding of a convolution, like the `padding` argument of
/// `torch.nn.functional.conv2d`: a number of zeros on both sides of each spatial axis, or one of
/// the strings `"valid"` and `"same"`.
public enum ConvolutionPadding: Hashable, Sendable, ExpressibleByIntegerLiteral,
  ExpressibleByArrayLiteral
{
  /// The same number of zeros before and after each spatial axis (`padding=1`, `padding=(1, 2)`).
  case explicit(IntOrTuple)
  /// No padding (`padding="valid"`).
  case valid
  /// Padding that keeps the spatial extents of a stride-1 convolution (`padding="same"`): the
  /// total `dilation * (kernel - 1)` per axis, half before and the rest after, as PyTorch does.
  case same

  /// `value` zeros on both sides of every spatial axis.
  public init(integerLiteral value: Int) { self = .explicit(IntOrTuple(value)) }

  /// `elements[i]` zeros on both sides of spatial axis `i`.
  public init(arrayLiteral elements: Int...) { self = .explicit(IntOrTuple(elements)) }

  /// The zeros before and after each spatial axis for a kernel of `kernelSize` and `dilation`
  /// (one value per axis), or `nil` when an explicit tuple has the wrong length.
  public func amounts(kernelSize: [Int], dilation: [Int]) -> (before: [Int], after: [Int])? {
    switch self {
    case .explicit(let padding):
      guard let values = padding.values(count: kernelSize.count) else { return nil }
      return (values, values)
    case .valid:
      let zeros = Array(repeating: 0, count: kernelSize.count)
      return (zeros, zeros)
    case .same:
      let totals = zip(kernelSize, dilation).map { kernel, step in step * (kernel - 1) }
      let before = totals.map { $0 / 2 }
      return (before, zip(totals, before).map { $0 - $1 })
    }
  }
}

/// The extents of one 2-D convolution: input, kernel, window steps and output, with the input's
/// channels split into `groups`.
struct ConvolutionGeometry {
  let batch: Int
  let channels: Int
  let height: Int
  let width: Int
  let outChannels: Int
  let groups: Int
  let kernelHeight: Int
  let kernelWidth: Int
  let strideHeight: Int
  let strideWidth: Int
  let padTop: Int
  let padLeft: Int
  /// The input's extents with the padding on both sides.
  let paddedHeight: Int
  let paddedWidth: Int
  let dilationHeight: Int
  let dilationWidth: Int
  let outHeight: Int
  let outWidth: Int

  /// The rows of the unfolded input: `channels * kernelHeight * kernelWidth`.
  var rows: Int { channels * kernelHeight * kernelWidth }
  /// The rows of one group: the weight's row length.
  var rowsPerGroup: Int { rows / groups }
  /// Output channels per group.
  var outChannelsPerGroup: Int { outChannels / groups }
  /// Output positions per sample and channel.
  var positions: Int { outHeight * outWidth }
  /// Elements of one input channel plane.
  var plane: Int { height * width }
  /// Elements of one padded input plane.
  var paddedPlane: Int { paddedHeight * paddedWidth }
  /// Whether there is any padding (else the padded planes are the input's own).
  var isPadded: Bool { paddedHeight != height || paddedWidth != width }
}

extension Kernels {
  /// Copies `count` elements, eight at a time while it can (no call to `memcpy` for short rows).
  @inline(__always)
  static func copyRow<S: TensorScalar>(
    _ source: UnsafePointer<S>, _ target: UnsafeMutablePointer<S>, _ count: Int
  ) {
    var e = 0
    while e + 8 <= count {
      let lanes = UnsafeRawPointer(source + e).loadUnaligned(as: SIMD8<S>.self)
      UnsafeMutableRawPointer(target + e).storeBytes(of: lanes, as: SIMD8<S>.self)
      e += 8
    }
    while e < count {
      target[e] = source[e]
      e += 1
    }
  }

  /// Adds `count` elements of `source` into `target`, eight at a time while it can.
  @inline(__always)
  static func addRow<S: TensorScalar>(
    _ source: UnsafePointer<S>, _ target: UnsafeMutablePointer<S>, _ count: Int
  ) {
    var e = 0
    while e + 8 <= count {
      let lanes =
        UnsafeRawPointer(source + e).loadUnaligned(as: SIMD8<S>.self)
        + UnsafeRawPointer(target + e).loadUnaligned(as: SIMD8<S>.self)
      UnsafeMutableRawPointer(target + e).storeBytes(of: lanes, as: SIMD8<S>.self)
      e += 8
    }
    while e < count {
      target[e] += source[e]
      e += 1
    }
  }

  /// Copies the input planes of samples `first..<first + count` into `padded` with their zero
  /// borders (plane `p` of the chunk at `p * paddedPlane`), for the planes `planes` of the chunk.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func convolutionPad<S: TensorScalar>(
    _ input: UnsafePointer<S>, _ g: ConvolutionGeometry, first: Int, planes: Range<Int>,
    into padded: UnsafeMutablePointer<S>
  ) {
    for plane in planes {
      let source = input + (first * g.channels + plane) * g.plane
      let target = padded + plane * g.paddedPlane
      target.update(repeating: 0, count: g.paddedPlane)
      let interior = target + g.padTop * g.paddedWidth + g.padLeft
      for row in 0..<g.height {
        copyRow(source + row * g.width, interior + row * g.paddedWidth, g.width)
      }
    }
  }

  /// Unfolds (im2col) `count` padded samples into `columns`, a matrix of `rows` rows of
  /// `count * positions` columns, `rowStride` apart: row `(c * kh + i) * kw + j` holds, for every
  /// sample and output position, the padded input element under kernel tap `(i, j)` of channel
  /// `c`. Writes the segments (row, sample) of `segments`, each `positions` long.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func convolutionUnfold<S: TensorScalar>(
    _ padded: UnsafePointer<S>, _ g: ConvolutionGeometry, count: Int, segments: Range<Int>,
    into columns: UnsafeMutablePointer<S>, rowStride: Int
  ) {
    guard !segments.isEmpty else { return }
    let (positions, outHeight, outWidth) = (g.positions, g.outHeight, g.outWidth)
    let (kernelHeight, kernelWidth, stride) = (g.kernelHeight, g.kernelWidth, g.strideWidth)
    let rowStep = g.strideHeight * g.paddedWidth
    let tapRowStep = g.dilationHeight * g.paddedWidth
    let sampleStep = g.channels * g.paddedPlane
    // Walk (channel, i, j, local) as counters rather than dividing for each segment.
    var row = segments.lowerBound / count
    var local = segments.lowerBound % count
    var channel = row / (kernelHeight * kernelWidth)
    var i = (row / kernelWidth) % kernelHeight
    var j = row % kernelWidth
    for _ in segments {
      let sampleOffset: Int = local &* sampleStep &+ channel &* g.paddedPlane
      let tapOffset: Int = i &* tapRowStep &+ j &* g.dilationWidth
      let source = padded + (sampleOffset &+ tapOffset)
      let target = columns + (row &* rowStride &+ local &* positions)
      if stride == 1 {
        for oh in 0..<outHeight {
          copyRow(source + oh &* rowStep, target + oh &* outWidth, outWidth)
        }
      } else {
        for oh in 0..<outHeight {
          let (line, out) = (source + oh &* rowStep, target + oh &* outWidth)
          for ow in 0..<outWidth { out[ow] = line[ow &* stride] }
        }
      }
      local &+= 1
      if local == count {
        local = 0
        row &+= 1
        j &+= 1
        if j == kernelWidth {
          j = 0
          i &+= 1
          if i == kernelHeight {
            i = 0
            channel &+= 1
          }
        }
      }
    }
  }

  /// Folds `columns` (laid out as ``convolutionUnfold(_:_:count:segments:into:rowStride:)``
  /// writes them) back onto the input (col2im): each input element of the chunk's samples (from
  /// `first`) receives the sum of the column entries that read it. Accumulates each plane of `planes`
  /// (of the chunk) in `scratch` (a padded plane per chunk plane) when the input is padded, then
  /// copies its interior to `input`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func convolutionFold<S: TensorScalar>(
    _ columns: UnsafePointer<S>, rowStride: Int, _ g: ConvolutionGeometry, first: Int,
    planes: Range<Int>, scratch: UnsafeMutablePointer<S>, into input: UnsafeMutablePointer<S>
  ) {
    let positions = g.positions
    let (outWidth, stride) = (g.outWidth, g.strideWidth)
    let rowStep = g.strideHeight * g.paddedWidth
    for plane in planes {
      let local = plane / g.channels
      let channel = plane % g.channels
      let result = input + (first * g.channels + plane) * g.plane
      let target = g.isPadded ? scratch + plane * g.paddedPlane : result
      target.update(repeating: 0, count: g.paddedPlane)
      for i in 0..<g.kernelHeight {
        for j in 0..<g.kernelWidth {
          let row = (channel * g.kernelHeight + i) * g.kernelWidth + j
          let source = UnsafePointer(columns + row * rowStride + local * positions)
          let base = target + i * g.dilationHeight * g.paddedWidth + j * g.dilationWidth
          if stride == 1 {
            for oh in 0..<g.outHeight {
              addRow(source + oh * outWidth, base + oh * rowStep, outWidth)
            }
          } else {
            for oh in 0..<g.outHeight {
              let (line, out) = (source + oh * outWidth, base + oh * rowStep)
              for ow in 0..<outWidth { out[ow * stride] += line[ow] }
            }
          }
        }
      }
      if g.isPadded {
        let interior = UnsafePointer(target + g.padTop * g.paddedWidth + g.padLeft)
        for row in 0..<g.height {
          copyRow(interior + row * g.paddedWidth, result + row * g.width, g.width)
        }
      }
    }
  }

  /// Writes blocks `(sample, channel)` of `blocks` of `target` (`[samples, channels, length]`)
  /// from the channel-major `source` (channel rows `rowStride` apart, each `samples` blocks of
  /// `length`), adding `bias[channel]` when given.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func convolutionScatterOutput<S: TensorScalar>(
    _ source: UnsafePointer<S>, rowStride: Int, into target: UnsafeMutablePointer<S>,
    channels: Int, length: Int, bias: UnsafePointer<S>?, blocks: Range<Int>
  ) {
    for block in blocks {
      let sample = block / channels
      let channel = block % channels
      let (from, to) = (source + channel * rowStride + sample * length, target + block * length)
      if let bias {
        let shift = bias[channel]
        for e in 0..<length { to[e] = from[e] + shift }
      } else {
        to.update(from: from, count: length)
      }
    }
  }

  /// Copies blocks `(sample, channel)` of `blocks` of `grad` (`[samples, channels, length]`)
  /// into `target`, channel-major within ranges of `samplesPerRange` samples: range `r`,
  /// starting at sample `s`, is a `[channels, width]` matrix with rows `width + skew` apart at
  /// `channels * (s * length + r * skew)`, `width` being its samples times `length`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func convolutionGatherGradient<S: TensorScalar>(
    _ grad: UnsafePointer<S>, samples: Int, channels: Int, length: Int, samplesPerRange: Int,
    skew: Int, blocks: Range<Int>, into target: UnsafeMutablePointer<S>
  ) {
    for block in blocks {
      let sample = block / channels
      let channel = block % channels
      let range = sample / samplesPerRange
      let start = range * samplesPerRange
      let rowStride = (Swift.min(start + samplesPerRange, samples) - start) * length + skew
      let destination =
        channels * (start * length + range * skew) + channel * rowStride + (sample - start) * length
      (target + destination).update(from: grad + block * length, count: length)
    }
  }

  /// Sets each `[length]` block of `target` (blocks `(sample, channel)` of
  /// `[samples, channels, length]`) to `bias[channel]`, or to zero without a bias.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func convolutionFillBias<S: TensorScalar>(
    _ target: UnsafeMutablePointer<S>, bias: UnsafePointer<S>?, channels: Int, length: Int,
    blocks: Range<Int>
  ) {
    for block in blocks {
      let value = bias?[block % channels] ?? 0
      (target + block * length).update(repeating: value, count: length)
    }
  }

  /// The bias gradient of a convolution: `sums[channel]` = the sum of `grad`
  /// (`[samples, channels, length]`) over samples and positions, for the channels in `outputs`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func convolutionBiasGradient<S: TensorScalar>(
    _ grad: UnsafePointer<S>, samples: Int, channels: Int, length: Int, outputs: Range<Int>,
    into sums: UnsafeMutablePointer<S>
  ) {
    for channel in outputs {
      var total: S = 0
      for sample in 0..<samples {
        total += horizontalSum(grad + (sample * channels + channel) * length, length, 1)
      }
      sums[channel] = total
    }
  }

  /// The weight gradient from partials: `count` blocks, each `groups` matrices of
  /// `[rows, columns]` (kernel rows by output channels); `target` (`groups` matrices of
  /// `[columns, rows]`) receives their sum, added in block order, transposed. The first block is
  /// overwritten.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func convolutionSumPartials<S: TensorScalar>(
    _ partials: UnsafeMutablePointer<S>, count: Int, groups: Int, rows: Int, columns: Int,
    into target: UnsafeMutablePointer<S>
  ) {
    let size = groups * rows * columns
    for block in 1..<Swift.max(count, 1) { addRow(partials + block * size, partials, size) }
    for group in 0..<groups {
      let (source, out) = (partials + group * rows * columns, target + group * rows * columns)
      for row in 0..<rows {
        for column in 0..<columns { out[column * rows + row] = source[row * columns + column] }
      }
    }
  }

  /// One part of a convolution's transposed weight gradient: `partial` (`[rows, outChannels]`)
  /// = `columns` (`rows` rows of `width`, `columnStride` apart) times the transpose of
  /// `gradRows` (`outChannels` rows of `width`, `gradStride` apart), through BLAS in pieces of
  /// rows small enough (at most 1200 results and 2^18 multiply-adds) that OpenBLAS runs each on
  /// the calling thread, in its small-matrix kernel where it has one.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func convolutionWeightGradient<S: TensorScalar>(
    _ columns: UnsafePointer<S>, gradRows: UnsafePointer<S>, columnStride: Int,
    gradStride: Int, rows: Int, outChannels: Int, width: Int,
    into partial: UnsafeMutablePointer<S>
  ) {
    let piece = Swift.max(
      1,
      Swift.min(1200 / outChannels, ConvolutionPlan.callLimit / Swift.max(outChannels * width, 1)))
    var start = 0
    while start < rows {
      let extent = Swift.min(piece, rows - start)
      S.gemm(
        transposeA: false, transposeB: true, m: extent, n: outChannels, k: width, alpha: 1,
        a: columns + start * columnStride, lda: columnStride, b: gradRows, ldb: gradStride,
        beta: 0, c: partial + start * outChannels, ldc: outChannels)
      start += extent
    }
  }

  /// Runs `body` over `0..<items` in contiguous chunks, on the shared ``WorkerPool`` when the
  /// work (`items * itemLength` elements) is large enough to gain from it (waking the pool costs
  /// about what a thread does with 100,000 elements of these loops). Each item's result must
  /// depend only on the item, so the outcome is the same for any thread count.
  @inline(__always)
  static func convolutionSplit(
    items: Int, itemLength: Int, _ body: (Range<Int>) -> Void
  ) {
    let threads = WorkerPool.shared.threadCount
    guard items > 1, threads > 1, items * itemLength >= StridedLoop.parallelThreshold * 2 else {
      body(0..<items)
      return
    }
    let tasks = Swift.min(items, threads * 4)
    WorkerPool.shared.run(taskCount: tasks) { task in
      body((items * task / tasks)..<(items * (task + 1) / tasks))
    }
  }
}

extension Tensor {
  /// The values of a contiguous tensor with the same elements (this one when it already is).
  fileprivate func convolutionOperand() -> Tensor {
    isContiguous ? detached : copiedValues()
  }

  /// The 2-D convolution (cross-correlation) of this `[batch, inChannels, height, width]` input
  /// (or `[inChannels, height, width]`) with `weight` `[outChannels, inChannels / groups,
  /// kernelHeight, kernelWidth]`, plus `bias` `[outChannels]`, like
  /// `torch.nn.functional.conv2d`; differentiable in all three.
  ///
  /// The input is unfolded into columns (im2col) a few samples at a time and multiplied by the
  /// weight through BLAS, one product per group; the backward pass multiplies the output gradient
  /// by the saved columns (weight) and by the weight, folding the result back (input). Batches
  /// run as parallel chunks on the ``WorkerPool``.
  ///
  /// - Parameters:
  ///   - stride: the window's step along height and width.
  ///   - padding: zeros around the input: a number per axis (both sides), `.valid` or `.same`.
  ///   - dilation: the spacing between kernel taps.
  ///   - groups: the channel groups; input and output channels must be multiples of it.
  /// - Precondition: the shapes agree and the padded input holds at least one window.
  public func conv2d(
    weight: Tensor, bias: Tensor? = nil, stride: IntOrTuple = 1,
    padding: ConvolutionPadding = 0, dilation: IntOrTuple = 1, groups: Int = 1
  ) -> Tensor {
    if rank == 3 {
      return unsqueezed(at: 0).conv2d(
        weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation,
        groups: groups
      ).squeezed(axis: 0)
    }
    let operation = "conv2d of input \(shape) with weight \(weight.shape)"
    precondition(rank == 4 && weight.rank == 4, "\(operation): needs 4-D input and weight")
    let (strideHeight, strideWidth) = stride.pair("stride", of: operation)
    let (dilationHeight, dilationWidth) = dilation.pair("dilation", of: operation)
    let kernel = [weight.shape[2], weight.shape[3]]
    guard
      let (before, after) = padding.amounts(
        kernelSize: kernel, dilation: [dilationHeight, dilationWidth])
    else { preconditionFailure("\(operation): padding \(padding) needs 1 or 2 values") }
    if padding == .same {
      precondition(
        strideHeight == 1 && strideWidth == 1,
        "\(operation): padding .same needs stride 1, not \(stride)")
    }
    return convolution2d(
      weight: weight, bias: bias, stride: (strideHeight, strideWidth),
      padBefore: (before[0], before[1]), padAfter: (after[0], after[1]),
      dilation: (dilationHeight, dilationWidth), groups: groups, operation: operation)
  }

  /// The 1-D convolution of this `[batch, inChannels, length]` input (or `[inChannels, length]`)
  /// with `weight` `[outChannels, inChannels / groups, kernelSize]`, plus `bias`
  /// `[outChannels]`, like `torch.nn.functional.conv1d` (a 2-D convolution of height 1).
  ///
  /// - Precondition: the shapes agree and the padded input holds at least one window.
  public func conv1d(
    weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: ConvolutionPadding = 0,
    dilation: Int = 1, groups: Int = 1
  ) -> Tensor {
    if rank == 2 {
      return unsqueezed(at: 0).conv1d(
        weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation,
        groups: groups
      ).squeezed(axis: 0)
    }
    let operation = "conv1d of input \(shape) with weight \(weight.shape)"
    precondition(rank == 3 && weight.rank == 3, "\(operation): needs 3-D input and weight")
    guard
      let (before, after) = padding.amounts(kernelSize: [weight.shape[2]], dilation: [dilation])
    else { preconditionFailure("\(operation): padding \(padding) needs 1 value") }
    if padding == .same {
      precondition(stride == 1, "\(operation): padding .same needs stride 1, not \(stride)")
    }
    let input = reshaped([shape[0], shape[1], 1, shape[2]])
    let kernel = weight.reshaped([weight.shape[0], weight.shape[1], 1, weight.shape[2]])
    let out = input.convolution2d(
      weight: kernel, bias: bias, stride: (1, stride), padBefore: (0, before[0]),
      padAfter: (0, after[0]), dilation: (1, dilation), groups: groups, operation: operation)
    return out.reshaped([out.shape[0], out.shape[1], out.shape[3]])
  }

  /// The convolution of a 4-D input with zeros `padBefore` and `padAfter` (top/left and
  /// bottom/right).
  func convolution2d(
    weight: Tensor, bias: Tensor?, stride: (Int, Int), padBefore: (Int, Int),
    padAfter: (Int, Int), dilation: (Int, Int), groups: Int, operation: String
  ) -> Tensor {
    let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
    let (outChannels, kernelHeight, kernelWidth) = (
      weight.shape[0], weight.shape[2], weight.shape[3]
    )
    precondition(
      groups > 0 && stride.0 > 0 && stride.1 > 0 && dilation.0 > 0 && dilation.1 > 0
        && padBefore.0 >= 0 && padBefore.1 >= 0 && padAfter.0 >= 0 && padAfter.1 >= 0,
      "\(operation): stride \(stride), dilation \(dilation) and groups \(groups) must be positive"
        + " and padding \(padBefore) \(padAfter) not negative")
    precondition(
      outChannels % groups == 0 && weight.shape[1] * groups == channels,
      "\(operation): \(channels) input channels and \(outChannels) output channels in \(groups)"
        + " groups need a weight of shape [\(outChannels), \(channels / groups), kh, kw]")
    if let bias {
      precondition(bias.shape == [outChannels], "\(operation): bias of shape \(bias.shape)")
    }
    let extentHeight = height + padBefore.0 + padAfter.0 - dilation.0 * (kernelHeight - 1) - 1
    let extentWidth = width + padBefore.1 + padAfter.1 - dilation.1 * (kernelWidth - 1) - 1
    precondition(
      extentHeight >= 0 && extentWidth >= 0 && kernelHeight > 0 && kernelWidth > 0,
      "\(operation): the padded input is smaller than the (dilated) kernel")
    let g = ConvolutionGeometry(
      batch: batch, channels: channels, height: height, width: width, outChannels: outChannels,
      groups: groups, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
      strideHeight: stride.0, strideWidth: stride.1, padTop: padBefore.0, padLeft: padBefore.1,
      paddedHeight: height + padBefore.0 + padAfter.0,
      paddedWidth: width + padBefore.1 + padAfter.1,
      dilationHeight: dilation.0, dilationWidth: dilation.1,
      outHeight: extentHeight / stride.0 + 1, outWidth: extentWidth / stride.1 + 1)
    let input = convolutionOperand()
    let kernel = weight.convolutionOperand()
    let shift = bias?.convolutionOperand()
    let plan = ConvolutionPlan(g)
    // The columns stay for the weight's gradient unless they would take too much memory (the
    // backward pass then unfolds the input again).
    let weightNeedsGrad = weight.requiresGrad && GradMode.isEnabled
    let keep =
      weightNeedsGrad && g.rows * g.batch * g.positions <= ConvolutionPlan.keptColumnsLimit
    let (value, columns) = Tensor.convolutionForward(
      input, kernel, shift, g, plan, keepColumns: keep)
    let savedInput = weightNeedsGrad && columns == nil ? input : nil
    let hasBias = bias != nil
    let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
    return Tensor.record(value, inputs: inputs) { grad, needs in
      let (inputGrad, weightGrad, biasGrad) = Tensor.convolutionBackward(
        grad.convolutionOperand(), input: savedInput, columns: columns, weight: kernel, g, plan,
        needs: (needs[0], needs[1], hasBias && needs[2]))
      return hasBias ? [inputGrad, weightGrad, biasGrad] : [inputGrad, weightGrad]
    }
  }

  /// Unfolds samples `first..<first + count` of `input` into `columns` (rows `rowStride`
  /// apart), through the zero-padded copy `padded` of their planes when the convolution pads.
  static func convolutionUnfoldChunk(
    _ input: UnsafePointer<Scalar>, _ g: ConvolutionGeometry, _ plan: ConvolutionPlan,
    first: Int, count: Int, padded: UnsafeMutablePointer<Scalar>?,
    into columns: UnsafeMutablePointer<Scalar>, rowStride: Int
  ) {
    let source: UnsafePointer<Scalar>
    if let padded {
      plan.split(items: count * g.channels, itemLength: g.paddedPlane) { planes in
        Kernels.convolutionPad(input, g, first: first, planes: planes, into: padded)
      }
      source = UnsafePointer(padded)
    } else {
      source = input + first * g.channels * g.plane
    }
    plan.split(items: g.rows * count, itemLength: g.positions) { segments in
      Kernels.convolutionUnfold(
        source, g, count: count, segments: segments, into: columns, rowStride: rowStride)
    }
  }

  /// The convolution's value, and the columns of the whole batch when `keepColumns` (in the
  /// plan's ranges: range `r` a `[rows, width(r)]` matrix with rows `rowStride(r)` apart, at
  /// `rows * offset(r)`).
  static func convolutionForward(
    _ input: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: ConvolutionGeometry,
    _ plan: ConvolutionPlan, keepColumns: Bool
  ) -> (Tensor, Tensor?) {
    let (outChannels, positions, rows) = (g.outChannels, g.positions, g.rows)
    let (groupRows, groupOut) = (g.rowsPerGroup, g.outChannelsPerGroup)
    let chunk = plan.chunk
    let out = Tensor(uninitializedShape: [g.batch, outChannels, g.outHeight, g.outWidth])
    let slotStride = plan.slotStride
    let columns = Tensor(
      uninitializedShape: [keepColumns ? rows * plan.keptColumns : plan.slots * rows * slotStride])
    let product =
      chunk > 1 ? Tensor(uninitializedShape: [plan.slots * outChannels * slotStride]) : nil
    let paddedSize = chunk * g.channels * g.paddedPlane
    let padded = g.isPadded ? Tensor(uninitializedShape: [plan.slots * paddedSize]) : nil
    withExtendedLifetime(
      (input.storage, weight.storage, bias?.storage, columns, product, padded)
    ) {
      let x = UnsafePointer(input.storage.base + input.offset)
      let w = UnsafePointer(weight.storage.base + weight.offset)
      let b = bias.map { UnsafePointer($0.storage.base + $0.offset) }
      let y = out.storage.base
      plan.run { index, slot in
        let first = index * chunk
        let count = Swift.min(chunk, g.batch - first)
        let width = count * positions
        // The chunk's columns: its part of its range of the kept columns, or a scratch slot.
        let cols: UnsafeMutablePointer<Scalar>
        let stride: Int
        if keepColumns {
          let range = plan.range(ofChunk: index)
          stride = plan.rowStride(range)
          cols =
            columns.storage.base + rows * plan.offset(range) + first * positions
            - plan.firstColumn(range)
        } else {
          stride = slotStride
          cols = columns.storage.base + slot * rows * slotStride
        }
        convolutionUnfoldChunk(
          x, g, plan, first: first, count: count,
          padded: padded.map { $0.storage.base + slot * paddedSize }, into: cols,
          rowStride: stride)
        // One sample's product goes straight into the output, on top of the bias; several go to
        // a channel-major scratch and then into place with the bias added.
        let (target, targetStride) =
          count == 1
          ? (y + first * outChannels * positions, positions)
          : (product!.storage.base + slot * outChannels * slotStride, slotStride)
        if count == 1 {
          Kernels.convolutionFillBias(
            target, bias: b, channels: outChannels, length: positions, blocks: 0..<outChannels)
        }
        for group in 0..<g.groups {
          plan.gemm(
            transposeA: false, transposeB: false, m: groupOut, n: width, k: groupRows,
            a: w + group * groupOut * groupRows, lda: groupRows,
            b: UnsafePointer(cols + group * groupRows * stride), ldb: stride,
            beta: count == 1 ? 1 : 0, c: target + group * groupOut * targetStride,
            ldc: targetStride, alongRows: false)
        }
        if count > 1 {
          plan.split(items: count * outChannels, itemLength: positions) { blocks in
            Kernels.convolutionScatterOutput(
              target, rowStride: slotStride, into: y + first * outChannels * positions,
              channels: outChannels, length: positions, bias: b, blocks: blocks)
          }
        }
      }
    }
    return (out, keepColumns ? columns : nil)
  }

  /// The gradients of a convolution for output gradient `grad` (contiguous), those `needs` asks
  /// for: of the input (from the weight), the weight (from the kept `columns`, or the columns
  /// unfolded again from `input`) and the bias.
  static func convolutionBackward(
    _ grad: Tensor, input: Tensor?, columns saved: Tensor?, weight: Tensor,
    _ g: ConvolutionGeometry, _ plan: ConvolutionPlan,
    needs: (input: Bool, weight: Bool, bias: Bool)
  ) -> (Tensor?, Tensor?, Tensor?) {
    let (outChannels, positions, rows) = (g.outChannels, g.positions, g.rows)
    let (groupRows, groupOut) = (g.rowsPerGroup, g.outChannelsPerGroup)
    let chunk = plan.chunk
    let inputGrad =
      needs.input ? Tensor(uninitializedShape: [g.batch, g.channels, g.height, g.width]) : nil
    let weightShape = [outChannels, g.channels / g.groups, g.kernelHeight, g.kernelWidth]
    let weightGrad =
      needs.weight
      ? (g.batch == 0 ? Tensor(zeros: weightShape) : Tensor(uninitializedShape: weightShape)) : nil
    let biasGrad = needs.bias ? Tensor(uninitializedShape: [outChannels]) : nil
    let dy = UnsafePointer(grad.storage.base + grad.offset)
    if let biasGrad {
      withExtendedLifetime(grad.storage) {
        Kernels.convolutionSplit(items: outChannels, itemLength: g.batch * positions) { channels in
          Kernels.convolutionBiasGradient(
            dy, samples: g.batch, channels: outChannels, length: positions,
            outputs: channels, into: biasGrad.storage.base)
        }
      }
    }
    guard g.batch > 0, needs.input || needs.weight else { return (inputGrad, weightGrad, biasGrad) }
    // The output gradient channel-major within each range: range `r` an
    // `[outChannels, width(r)]` matrix at `outChannels * firstColumn(r)`.
    let regrouped = Tensor(uninitializedShape: [outChannels * plan.keptColumns])
    withExtendedLifetime((grad.storage, regrouped)) {
      Kernels.convolutionSplit(items: g.batch * outChannels, itemLength: positions) { blocks in
        Kernels.convolutionGatherGradient(
          dy, samples: g.batch, channels: outChannels, length: positions,
          samplesPerRange: plan.chunk * plan.chunksPerRange, skew: ConvolutionPlan.skew,
          blocks: blocks, into: regrouped.storage.base)
      }
    }
    // The weight gradient, transposed ([kernel rows, output channels] per group: that product
    // runs faster in OpenBLAS), in partial sums over the ranges of the kept columns or over the
    // chunks, added in order afterwards (the same numbers for any number of threads).
    let partialCount = saved != nil ? plan.rangeCount : plan.chunkCount
    let weightSize = outChannels * groupRows
    let partials = needs.weight ? Tensor(uninitializedShape: [partialCount * weightSize]) : nil
    if let partials, let saved {
      withExtendedLifetime((regrouped, saved, partials)) {
        WorkerPool.shared.run(taskCount: plan.rangeCount) { range in
          let (start, width, stride) = (
            plan.offset(range), plan.width(range), plan.rowStride(range)
          )
          let cols = UnsafePointer(saved.storage.base + rows * start)
          let gradRows = UnsafePointer(regrouped.storage.base + outChannels * start)
          let partial = partials.storage.base + range * weightSize
          for group in 0..<g.groups {
            Kernels.convolutionWeightGradient(
              cols + group * groupRows * stride, gradRows: gradRows + group * groupOut * stride,
              columnStride: stride, gradStride: stride, rows: groupRows, outChannels: groupOut,
              width: width, into: partial + group * groupRows * groupOut)
          }
        }
      }
    }
    let slotStride = plan.slotStride
    let slotSize = rows * slotStride
    let unfolded =
      needs.weight && saved == nil ? Tensor(uninitializedShape: [plan.slots * slotSize]) : nil
    let columnGrad = needs.input ? Tensor(uninitializedShape: [plan.slots * slotSize]) : nil
    // Padded planes: the input's, to unfold again, and the input gradient's, to fold into.
    let paddedSize = chunk * g.channels * g.paddedPlane
    let padded =
      g.isPadded && (unfolded != nil || needs.input)
      ? Tensor(uninitializedShape: [plan.slots * paddedSize]) : nil
    if unfolded != nil || needs.input {
      withExtendedLifetime(
        (input?.storage, weight.storage, regrouped, unfolded, columnGrad, padded, partials)
      ) {
        let w = UnsafePointer(weight.storage.base + weight.offset)
        plan.run { index, slot in
          let first = index * chunk
          let count = Swift.min(chunk, g.batch - first)
          let width = count * positions
          // The chunk's output gradient: its columns of its range's matrix.
          let range = plan.range(ofChunk: index)
          let gradStride = plan.rowStride(range)
          let chunkGrad = UnsafePointer(
            regrouped.storage.base + outChannels * plan.offset(range) + first * positions
              - plan.firstColumn(range))
          if let unfolded, let partials {
            let target = unfolded.storage.base + slot * slotSize
            convolutionUnfoldChunk(
              UnsafePointer(input!.storage.base + input!.offset), g, plan, first: first,
              count: count, padded: padded.map { $0.storage.base + slot * paddedSize },
              into: target, rowStride: slotStride)
            let partial = partials.storage.base + index * weightSize
            for group in 0..<g.groups {
              Kernels.convolutionWeightGradient(
                UnsafePointer(target + group * groupRows * slotStride),
                gradRows: chunkGrad + group * groupOut * gradStride, columnStride: slotStride,
                gradStride: gradStride, rows: groupRows, outChannels: groupOut, width: width,
                into: partial + group * groupRows * groupOut)
            }
          }
          if let inputGrad {
            let target = columnGrad!.storage.base + slot * slotSize
            for group in 0..<g.groups {
              plan.gemm(
                transposeA: true, transposeB: false, m: groupRows, n: width, k: groupOut,
                a: w + group * groupOut * groupRows, lda: groupRows,
                b: chunkGrad + group * groupOut * gradStride, ldb: gradStride, beta: 0,
                c: target + group * groupRows * slotStride, ldc: slotStride, alongRows: false)
            }
            let dx = inputGrad.storage.base
            let scratch = padded.map { $0.storage.base + slot * paddedSize } ?? dx
            plan.split(items: count * g.channels, itemLength: rows / g.channels * positions) {
              planes in
              Kernels.convolutionFold(
                UnsafePointer(target), rowStride: slotStride, g, first: first, planes: planes,
                scratch: scratch, into: dx)
            }
          }
        }
      }
    }
    if let partials, let weightGrad {
      Kernels.convolutionSumPartials(
        partials.storage.base, count: partialCount, groups: g.groups, rows: groupRows,
        columns: groupOut, into: weightGrad.storage.base)
    }
    return (inputGrad, weightGrad, biasGrad)
  }
}

/// The next chunk to claim, shared by the tasks of one ``ConvolutionPlan/run(_:)``.
final class ChunkCounter: Sendable {
  private let next = Atomic<Int>(0)

  /// The next unclaimed chunk index (counting past the last one).
  func claim() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// How a convolution walks its batch: `chunk` samples per im2col pass and BLAS product, few
/// enough that the unfolded columns stay in cache and each product stays small (measured on
/// OpenBLAS: products of up to about a million multiply-adds, which it runs in its small-matrix
/// kernels, beat one large product over the batch several times over).
///
/// When one sample's product is that small and there are several chunks, the chunks are spread
/// over the ``WorkerPool``'s threads (each task claims the next chunk until none is left, and
/// works in its own scratch slot), and each BLAS call is cut into pieces of at most 2^18
/// multiply-adds, below which OpenBLAS computes on the calling thread instead of waking its own
/// (which would compete with the pool's). Otherwise the chunks run in turn, BLAS threads each
/// whole product itself, and the element loops are split over the pool instead. A chunk's
/// numbers are the same whichever thread computes it, and partial sums are added in a fixed
/// order, so results do not depend on the thread count.
struct ConvolutionPlan {
  /// Samples per chunk.
  let chunk: Int
  /// The number of chunks.
  let chunkCount: Int
  /// The number of tasks the chunks are dealt to (1 when they run in turn).
  let tasks: Int
  /// Whether chunks run as parallel tasks.
  var parallel: Bool { tasks > 1 }
  /// Scratch slots: one per task.
  var slots: Int { tasks }

  /// The most elements of unfolded columns kept from the forward to the backward pass.
  static let keptColumnsLimit = 1 << 23
  /// Chunks per range: the kept columns and the regrouped output gradient are laid out in
  /// ranges of consecutive chunks, about 512 columns each (the fastest width measured for the
  /// weight gradient's products), each range a matrix of its own.
  let chunksPerRange: Int
  /// The number of ranges.
  var rangeCount: Int { (chunkCount + chunksPerRange - 1) / chunksPerRange }
  /// Output positions per sample.
  let positions: Int
  /// The batch size.
  let batch: Int

  /// Elements added to the end of every row of the column matrices, so that rows are not a
  /// power of two apart (which maps them onto a few cache sets).
  static let skew = 16
  /// The row stride of a chunk's scratch matrices.
  var slotStride: Int { chunk * positions + Self.skew }
  /// The columns the kept matrices take, the skews included.
  var keptColumns: Int { batch * positions + rangeCount * Self.skew }
  /// The row stride of `range`'s matrices.
  func rowStride(_ range: Int) -> Int { width(range) + Self.skew }
  /// Where `range`'s matrices start, in columns (times the matrix's rows).
  func offset(_ range: Int) -> Int { firstColumn(range) + range * Self.skew }

  /// The range chunk `index` belongs to.
  func range(ofChunk index: Int) -> Int { index / chunksPerRange }
  /// The first column (sample times positions) of `range`.
  func firstColumn(_ range: Int) -> Int { range * chunksPerRange * chunk * positions }
  /// The number of columns of `range`.
  func width(_ range: Int) -> Int {
    Swift.min(batch * positions - firstColumn(range), chunksPerRange * chunk * positions)
  }

  /// The multiply-adds up to which OpenBLAS's small-matrix kernels take a product.
  static let smallProduct = 1_000_000
  /// The most multiply-adds of one BLAS call inside a parallel task (OpenBLAS's own threads
  /// start above 65536 x 4).
  static let callLimit = 1 << 18

  /// The plan for `g`.
  init(_ g: ConvolutionGeometry) {
    let perColumn = Swift.max(g.outChannelsPerGroup * g.rowsPerGroup, 1)
    let positions = Swift.max(g.positions, 1)
    // At most 512 columns and a million multiply-adds per product, an even number of chunks
    // (for two threads' balance).
    let most = Swift.max(1, Swift.min(512, Self.smallProduct / perColumn) / positions)
    var count = Swift.max(1, (g.batch + most - 1) / most)
    count = Swift.min(count + count % 2, Swift.max(g.batch, 1))
    chunk = Swift.max(1, (g.batch + count - 1) / count)
    chunkCount = (g.batch + chunk - 1) / chunk
    chunksPerRange = Swift.max(1, 512 / (chunk * positions))
    self.positions = positions
    batch = g.batch
    // Parallel chunks when each sample's product is small and the whole is worth waking the
    // pool for (2^21 multiply-adds take a thread some 20 to 40 microseconds here).
    let small = perColumn * positions <= Self.smallProduct
    let worthIt = perColumn * positions * g.batch >= 1 << 21
    tasks =
      small && worthIt ? Swift.max(1, Swift.min(chunkCount, WorkerPool.shared.threadCount)) : 1
  }

  /// Runs `body(chunk, slot)` for every chunk: when parallel, each task on the worker pool
  /// claims the next unclaimed chunk until none is left, working in its own slot (so a thread
  /// that starts late takes fewer chunks); else in order in slot 0.
  @inline(__always)
  func run(_ body: (Int, Int) -> Void) {
    if parallel {
      let chunkCount = self.chunkCount
      let next = ChunkCounter()
      WorkerPool.shared.run(taskCount: tasks) { task in
        while true {
          let index = next.claim()
          guard index < chunkCount else { return }
          body(index, task)
        }
      }
    } else {
      for index in 0..<chunkCount { body(index, 0) }
    }
  }

  /// An element loop inside a chunk: whole when the chunks run in parallel, else split over the
  /// worker pool like ``Kernels/convolutionSplit(items:itemLength:_:)``.
  @inline(__always)
  func split(items: Int, itemLength: Int, _ body: (Range<Int>) -> Void) {
    if parallel {
      body(0..<items)
    } else {
      Kernels.convolutionSplit(items: items, itemLength: itemLength, body)
    }
  }

  /// `c = op(a) x op(b) + beta * c` (row-major, `op(a)` `m x k`, `op(b)` `k x n`), in pieces
  /// of at most ``callLimit`` multiply-adds when parallel: along the rows of `c` when
  /// `alongRows`, else along its columns.
  @inline(__always)
  func gemm<S: TensorScalar>(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<S>, lda: Int,
    b: UnsafePointer<S>, ldb: Int, beta: S, c: UnsafeMutablePointer<S>, ldc: Int,
    alongRows: Bool
  ) {
    let total = alongRows ? m : n
    let step =
      parallel
      ? Swift.max(1, Self.callLimit / Swift.max(k * (alongRows ? n : m), 1)) : total
    var start = 0
    while start < total {
      let extent = Swift.min(step, total - start)
      if alongRows {
        S.gemm(
          transposeA: transposeA, transposeB: transposeB, m: extent, n: n, k: k, alpha: 1,
          a: a + (transposeA ? start : start * lda), lda: lda, b: b, ldb: ldb, beta: beta,
          c: c + start * ldc, ldc: ldc)
      } else {
        S.gemm(
          transposeA: transposeA, transposeB: transposeB, m: m, n: extent, k: k, alpha: 1,
          a: a, lda: lda, b: b + (transposeB ? start * ldb : start), ldb: ldb, beta: beta,
          c: c + start, ldc: ldc)
      }
      start += extent
    }
  }
}
