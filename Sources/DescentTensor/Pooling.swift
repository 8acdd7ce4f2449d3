/// The extents of a 2-D pooling over `planes` independent planes (batch times channels): input,
/// window, steps and output.
struct PoolingGeometry {
  let planes: Int
  let height: Int
  let width: Int
  let kernelHeight: Int
  let kernelWidth: Int
  let strideHeight: Int
  let strideWidth: Int
  let padTop: Int
  let padLeft: Int
  let dilationHeight: Int
  let dilationWidth: Int
  let outHeight: Int
  let outWidth: Int

  /// Elements of one input plane.
  var plane: Int { height * width }
  /// Elements of one output plane.
  var outPlane: Int { outHeight * outWidth }

  /// The output extent along an axis of `size` elements, as PyTorch's `pooling_output_shape`:
  /// with `ceilMode` rounded up, but without a window that starts in the padding at the end.
  static func outputExtent(
    _ size: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, ceilMode: Bool
  ) -> Int {
    let numerator = size + 2 * padding - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)
    // Floor division (the numerator may be negative for an input smaller than the window).
    var extent = (numerator >= 0 ? numerator / stride : -((-numerator + stride - 1) / stride)) + 1
    if ceilMode && (extent - 1) * stride >= size + padding { extent -= 1 }
    return extent
  }
}

extension Kernels {
  /// Max pooling of the planes in `planes`: each output is the largest element of its window
  /// (NaN wins; the first of equal maxima), and `indices` receives its position in the plane, as
  /// PyTorch's CPU kernel chooses it.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func maxPool2dForward<S: TensorScalar>(
    _ input: UnsafePointer<S>, _ g: PoolingGeometry, planes: Range<Int>,
    into output: UnsafeMutablePointer<S>, indices: UnsafeMutablePointer<Int32>
  ) {
    let (height, width) = (g.height, g.width)
    let (dh, dw) = (g.dilationHeight, g.dilationWidth)
    // The common MaxPool2d(2): 2x2 windows inside the input, unrolled.
    let pairs =
      g.kernelHeight == 2 && g.kernelWidth == 2 && dh == 1 && dw == 1 && g.padTop == 0
      && g.padLeft == 0 && (g.outHeight - 1) * g.strideHeight + 2 <= height
      && (g.outWidth - 1) * g.strideWidth + 2 <= width
    for plane in planes {
      let x = input + plane * g.plane
      let (y, positions) = (output + plane * g.outPlane, indices + plane * g.outPlane)
      for oh in 0..<g.outHeight {
        var top = oh * g.strideHeight - g.padTop
        let bottom = Swift.min(top + (g.kernelHeight - 1) * dh + 1, height)
        while top < 0 { top += dh }
        for ow in 0..<g.outWidth {
          var left = ow * g.strideWidth - g.padLeft
          let right = Swift.min(left + (g.kernelWidth - 1) * dw + 1, width)
          while left < 0 { left += dw }
          var best = top &* width &+ left
          var largest = -S.infinity
          var sawNaN = false
          // Selects, not branches: which element wins is data, and a mispredicted branch per
          // element costs more than the selects. NaN is rare and handled below.
          @inline(__always) func consider(_ index: Int) {
            let value = x[index]
            let wins = value > largest
            largest = wins ? value : largest
            best = wins ? index : best
            if value.isNaN { sawNaN = true }
          }
          if pairs {
            let corner = best
            consider(corner)
            consider(corner &+ 1)
            consider(corner &+ width)
            consider(corner &+ width &+ 1)
          } else {
            var ih = top
            while ih < bottom {
              var iw = left
              while iw < right {
                consider(ih &* width &+ iw)
                iw += dw
              }
              ih += dh
            }
          }
          if sawNaN {
            // PyTorch's rule, `value > largest || value.isNaN`: the last NaN wins.
            var ih = top
            while ih < bottom {
              var iw = left
              while iw < right {
                let index = ih &* width &+ iw
                if x[index].isNaN {
                  largest = x[index]
                  best = index
                }
                iw += dw
              }
              ih += dh
            }
          }
          y[oh * g.outWidth + ow] = largest
          positions[oh * g.outWidth + ow] = Int32(truncatingIfNeeded: best)
        }
      }
    }
  }

  /// Max pooling's backward pass over the planes in `planes`: each output's gradient is added to
  /// the input element its window chose.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func maxPool2dBackward<S: TensorScalar>(
    _ grad: UnsafePointer<S>, indices: UnsafePointer<Int32>, _ g: PoolingGeometry,
    planes: Range<Int>, into input: UnsafeMutablePointer<S>
  ) {
    for plane in planes {
      let target = input + plane * g.plane
      target.update(repeating: 0, count: g.plane)
      let (dy, positions) = (grad + plane * g.outPlane, indices + plane * g.outPlane)
      for o in 0..<g.outPlane { target[Int(positions[o])] += dy[o] }
    }
  }

  /// The window of output `(oh, ow)` of an average pooling clipped to the input, and the divisor
  /// PyTorch uses for it (0 for a window wholly in the padding).
  @inline(__always)
  static func averageWindow(
    _ g: PoolingGeometry, _ oh: Int, _ ow: Int, countIncludePad: Bool, divisorOverride: Int
  ) -> (rows: Range<Int>, columns: Range<Int>, divisor: Int) {
    let top = oh * g.strideHeight - g.padTop
    let left = ow * g.strideWidth - g.padLeft
    let bottom = Swift.min(top + g.kernelHeight, g.height + g.padTop)
    let right = Swift.min(left + g.kernelWidth, g.width + g.padLeft)
    let padded = (bottom - top) * (right - left)
    let (rowStart, rowEnd) = (Swift.max(top, 0), Swift.min(bottom, g.height))
    let (columnStart, columnEnd) = (Swift.max(left, 0), Swift.min(right, g.width))
    guard rowStart < rowEnd && columnStart < columnEnd else { return (0..<0, 0..<0, 0) }
    let divisor =
      divisorOverride != 0
      ? divisorOverride
      : (countIncludePad ? padded : (rowEnd - rowStart) * (columnEnd - columnStart))
    return (rowStart..<rowEnd, columnStart..<columnEnd, divisor)
  }

  /// Average pooling of the planes in `planes` (`divisorOverride` 0 for none).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func avgPool2dForward<S: TensorScalar>(
    _ input: UnsafePointer<S>, _ g: PoolingGeometry, countIncludePad: Bool,
    divisorOverride: Int, planes: Range<Int>, into output: UnsafeMutablePointer<S>
  ) {
    for plane in planes {
      let (x, y) = (input + plane * g.plane, output + plane * g.outPlane)
      for oh in 0..<g.outHeight {
        for ow in 0..<g.outWidth {
          let (rows, columns, divisor) = averageWindow(
            g, oh, ow, countIncludePad: countIncludePad, divisorOverride: divisorOverride)
          guard divisor != 0 else {
            y[oh * g.outWidth + ow] = 0
            continue
          }
          var sum: S = 0
          for ih in rows {
            for iw in columns { sum += x[ih * g.width + iw] }
          }
          y[oh * g.outWidth + ow] = sum / S(divisor)
        }
      }
    }
  }

  /// Average pooling's backward pass over the planes in `planes`: each output's gradient, divided
  /// as in the forward pass, is added to every input element of its window.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func avgPool2dBackward<S: TensorScalar>(
    _ grad: UnsafePointer<S>, _ g: PoolingGeometry, countIncludePad: Bool,
    divisorOverride: Int, planes: Range<Int>, into input: UnsafeMutablePointer<S>
  ) {
    for plane in planes {
      let (dy, target) = (grad + plane * g.outPlane, input + plane * g.plane)
      target.update(repeating: 0, count: g.plane)
      for oh in 0..<g.outHeight {
        for ow in 0..<g.outWidth {
          let (rows, columns, divisor) = averageWindow(
            g, oh, ow, countIncludePad: countIncludePad, divisorOverride: divisorOverride)
          guard divisor != 0 else { continue }
          let share = dy[oh * g.outWidth + ow] / S(divisor)
          for ih in rows {
            for iw in columns { target[ih * g.width + iw] += share }
          }
        }
      }
    }
  }

  /// The input range of adaptive pooling's output `index` of `outputs` over `size` inputs:
  /// from `floor(index * size / outputs)` to `ceil((index + 1) * size / outputs)`.
  @inline(__always)
  static func adaptiveRange(_ index: Int, outputs: Int, size: Int) -> Range<Int> {
    (index * size / outputs)..<(((index + 1) * size + outputs - 1) / outputs)
  }

  /// Adaptive average pooling of the planes in `planes` (PyTorch's CPU kernel: the window's sum
  /// divided by its height, then by its width).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func adaptiveAvgPool2dForward<S: TensorScalar>(
    _ input: UnsafePointer<S>, _ g: PoolingGeometry, planes: Range<Int>,
    into output: UnsafeMutablePointer<S>
  ) {
    for plane in planes {
      let (x, y) = (input + plane * g.plane, output + plane * g.outPlane)
      for oh in 0..<g.outHeight {
        let rows = adaptiveRange(oh, outputs: g.outHeight, size: g.height)
        for ow in 0..<g.outWidth {
          let columns = adaptiveRange(ow, outputs: g.outWidth, size: g.width)
          var sum: S = 0
          if columns.count == g.width {
            // Whole rows: one contiguous run, summed in SIMD lanes.
            sum = horizontalSum(x + rows.lowerBound * g.width, rows.count * g.width, 1)
          } else {
            for ih in rows {
              for iw in columns { sum += x[ih * g.width + iw] }
            }
          }
          y[oh * g.outWidth + ow] = sum / S(rows.count) / S(columns.count)
        }
      }
    }
  }

  /// Adaptive average pooling's backward pass over the planes in `planes`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func adaptiveAvgPool2dBackward<S: TensorScalar>(
    _ grad: UnsafePointer<S>, _ g: PoolingGeometry, planes: Range<Int>,
    into input: UnsafeMutablePointer<S>
  ) {
    for plane in planes {
      let (dy, target) = (grad + plane * g.outPlane, input + plane * g.plane)
      target.update(repeating: 0, count: g.plane)
      for oh in 0..<g.outHeight {
        let rows = adaptiveRange(oh, outputs: g.outHeight, size: g.height)
        for ow in 0..<g.outWidth {
          let columns = adaptiveRange(ow, outputs: g.outWidth, size: g.width)
          let share = dy[oh * g.outWidth + ow] / S(rows.count) / S(columns.count)
          for ih in rows {
            for iw in columns { target[ih * g.width + iw] += share }
          }
        }
      }
    }
  }
}

/// The pooling kind a ``Tensor`` pooling method runs, with what its kernels need.
private enum PoolingKind {
  case max
  case average(countIncludePad: Bool, divisorOverride: Int)
  case adaptiveAverage
}

extension Tensor {
  /// The 2-D max pooling of this `[batch, channels, height, width]` (or
  /// `[channels, height, width]`) input, like `torch.nn.functional.max_pool2d`: the largest
  /// element of each `kernelSize` window, windows `stride` apart (by default `kernelSize`) over
  /// the input padded with `padding` (as -infinity) on both sides, taps `dilation` apart.
  /// The gradient goes to the chosen element of each window (the first of equal maxima).
  ///
  /// - Precondition: positive sizes, `padding` at most half of `kernelSize`, and room for at
  ///   least one window.
  public func maxPool2d(
    kernelSize: IntOrTuple, stride: IntOrTuple? = nil, padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1, ceilMode: Bool = false
  ) -> Tensor {
    pooled(
      .max, operation: "maxPool2d", kernelSize: kernelSize, stride: stride, padding: padding,
      dilation: dilation, ceilMode: ceilMode)
  }

  /// The 2-D average pooling of this `[batch, channels, height, width]` (or
  /// `[channels, height, width]`) input, like `torch.nn.functional.avg_pool2d`: the mean of each
  /// `kernelSize` window, windows `stride` apart (by default `kernelSize`) over the input padded
  /// with `padding` zeros on both sides. The padding counts in the divisor when
  /// `countIncludePad`; `divisorOverride` replaces the divisor.
  ///
  /// - Precondition: positive sizes, `padding` at most half of `kernelSize`, a non-zero
  ///   `divisorOverride`, and room for at least one window.
  public func avgPool2d(
    kernelSize: IntOrTuple, stride: IntOrTuple? = nil, padding: IntOrTuple = 0,
    ceilMode: Bool = false, countIncludePad: Bool = true, divisorOverride: Int? = nil
  ) -> Tensor {
    precondition(divisorOverride != 0, "avgPool2d: divisorOverride must not be 0")
    return pooled(
      .average(countIncludePad: countIncludePad, divisorOverride: divisorOverride ?? 0),
      operation: "avgPool2d", kernelSize: kernelSize, stride: stride, padding: padding,
      dilation: 1, ceilMode: ceilMode)
  }

  /// The 2-D adaptive average pooling of this `[batch, channels, height, width]` (or
  /// `[channels, height, width]`) input to `outputSize`, like
  /// `torch.nn.functional.adaptive_avg_pool2d`: output `(i, j)` is the mean of input rows
  /// `floor(i * H / outH)..<ceil((i + 1) * H / outH)` and the columns alike.
  ///
  /// - Precondition: a positive `outputSize` and a non-empty input plane.
  public func adaptiveAvgPool2d(outputSize: IntOrTuple) -> Tensor {
    let operation = "adaptiveAvgPool2d of shape \(shape)"
    let (outHeight, outWidth) = outputSize.pair("outputSize", of: operation)
    precondition(outHeight > 0 && outWidth > 0, "\(operation): outputSize \(outputSize)")
    return pooled(
      .adaptiveAverage, operation: "adaptiveAvgPool2d", kernelSize: [outHeight, outWidth],
      stride: nil, padding: 0, dilation: 1, ceilMode: false)
  }

  /// The values of a contiguous tensor with the same elements (this one when it already is).
  private func poolingOperand() -> Tensor {
    isContiguous ? detached : copiedValues()
  }

  /// A pooling of this 3-D or 4-D input; for adaptive pooling `kernelSize` is the output size.
  private func pooled(
    _ kind: PoolingKind, operation name: String, kernelSize: IntOrTuple, stride: IntOrTuple?,
    padding: IntOrTuple, dilation: IntOrTuple, ceilMode: Bool
  ) -> Tensor {
    if rank == 3 {
      return unsqueezed(at: 0).pooled(
        kind, operation: name, kernelSize: kernelSize, stride: stride, padding: padding,
        dilation: dilation, ceilMode: ceilMode
      ).squeezed(axis: 0)
    }
    let operation = "\(name) of shape \(shape)"
    precondition(
      rank == 4, "\(operation): needs [batch, channels, height, width] or [channels, height, width]"
    )
    let (height, width) = (shape[2], shape[3])
    let g: PoolingGeometry
    if case .adaptiveAverage = kind {
      let (outHeight, outWidth) = kernelSize.pair("outputSize", of: operation)
      precondition(height > 0 && width > 0, "\(operation): an empty plane")
      g = PoolingGeometry(
        planes: shape[0] * shape[1], height: height, width: width, kernelHeight: 0,
        kernelWidth: 0, strideHeight: 1, strideWidth: 1, padTop: 0, padLeft: 0,
        dilationHeight: 1, dilationWidth: 1, outHeight: outHeight, outWidth: outWidth)
    } else {
      let kernel = kernelSize.pair("kernelSize", of: operation)
      let step = (stride ?? kernelSize).pair("stride", of: operation)
      let pad = padding.pair("padding", of: operation)
      let spacing = dilation.pair("dilation", of: operation)
      precondition(
        kernel.0 > 0 && kernel.1 > 0 && step.0 > 0 && step.1 > 0 && spacing.0 > 0
          && spacing.1 > 0,
        "\(operation): kernelSize \(kernelSize), stride \(stride ?? kernelSize) and dilation"
          + " \(dilation) must be positive")
      precondition(
        pad.0 >= 0 && pad.1 >= 0 && pad.0 <= kernel.0 / 2 && pad.1 <= kernel.1 / 2,
        "\(operation): padding \(padding) must be between 0 and half of kernelSize \(kernelSize)")
      let outHeight = PoolingGeometry.outputExtent(
        height, kernel: kernel.0, stride: step.0, padding: pad.0, dilation: spacing.0,
        ceilMode: ceilMode)
      let outWidth = PoolingGeometry.outputExtent(
        width, kernel: kernel.1, stride: step.1, padding: pad.1, dilation: spacing.1,
        ceilMode: ceilMode)
      precondition(
        outHeight > 0 && outWidth > 0,
        "\(operation): the output would be \(outHeight)x\(outWidth) for kernelSize \(kernelSize)")
      precondition(height * width <= Int(Int32.max), "\(operation): planes too large")
      g = PoolingGeometry(
        planes: shape[0] * shape[1], height: height, width: width, kernelHeight: kernel.0,
        kernelWidth: kernel.1, strideHeight: step.0, strideWidth: step.1, padTop: pad.0,
        padLeft: pad.1, dilationHeight: spacing.0, dilationWidth: spacing.1,
        outHeight: outHeight, outWidth: outWidth)
    }
    let input = poolingOperand()
    let out = Tensor(uninitializedShape: [shape[0], shape[1], g.outHeight, g.outWidth])
    let inputShape = shape
    let window = Swift.max(g.kernelHeight * g.kernelWidth, 1)
    let x = UnsafePointer(input.storage.base + input.offset)
    let y = out.storage.base
    switch kind {
    case .max:
      let indices = [Int32](unsafeUninitializedCapacity: g.planes * g.outPlane) { buffer, filled in
        let positions = buffer.baseAddress!
        withExtendedLifetime(input.storage) {
          Kernels.convolutionSplit(items: g.planes, itemLength: g.outPlane * window) { planes in
            Kernels.maxPool2dForward(x, g, planes: planes, into: y, indices: positions)
          }
        }
        filled = g.planes * g.outPlane
      }
      return Tensor.record(out, self) { grad, _ in
        let dy = grad.poolingOperand()
        let dx = Tensor(uninitializedShape: inputShape)
        withExtendedLifetime(dy.storage) {
          indices.withUnsafeBufferPointer { positions in
            Kernels.convolutionSplit(items: g.planes, itemLength: g.outPlane * 2) { planes in
              Kernels.maxPool2dBackward(
                dy.storage.base + dy.offset, indices: positions.baseAddress!, g, planes: planes,
                into: dx.storage.base)
            }
          }
        }
        return [dx]
      }
    case .average(let countIncludePad, let divisorOverride):
      withExtendedLifetime(input.storage) {
        Kernels.convolutionSplit(items: g.planes, itemLength: g.outPlane * window) { planes in
          Kernels.avgPool2dForward(
            x, g, countIncludePad: countIncludePad, divisorOverride: divisorOverride,
            planes: planes, into: y)
        }
      }
      return Tensor.record(out, self) { grad, _ in
        let dy = grad.poolingOperand()
        let dx = Tensor(uninitializedShape: inputShape)
        withExtendedLifetime(dy.storage) {
          Kernels.convolutionSplit(items: g.planes, itemLength: g.outPlane * window) { planes in
            Kernels.avgPool2dBackward(
              dy.storage.base + dy.offset, g, countIncludePad: countIncludePad,
              divisorOverride: divisorOverride, planes: planes, into: dx.storage.base)
          }
        }
        return [dx]
      }
    case .adaptiveAverage:
      withExtendedLifetime(input.storage) {
        Kernels.convolutionSplit(items: g.planes, itemLength: g.plane) { planes in
          Kernels.adaptiveAvgPool2dForward(x, g, planes: planes, into: y)
        }
      }
      return Tensor.record(out, self) { grad, _ in
        let dy = grad.poolingOperand()
        let dx = Tensor(uninitializedShape: inputShape)
        withExtendedLifetime(dy.storage) {
          Kernels.convolutionSplit(items: g.planes, itemLength: g.plane) { planes in
            Kernels.adaptiveAvgPool2dBackward(
              dy.storage.base + dy.offset, g, planes: planes, into: dx.storage.base)
          }
        }
        return [dx]
      }
    }
  }
}
