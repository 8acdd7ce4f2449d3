/// Checks a pooling layer's int-or-tuple argument: one value or two, each satisfying `valid`.
private func checkedPair(
  _ value: IntOrTuple, layer: String, argument: String, requirement: String,
  _ valid: (Int) -> Bool
) {
  guard let values = value.values(count: 2) else {
    preconditionFailure("\(layer): \(argument) \(value) needs 1 or 2 values")
  }
  precondition(
    values.allSatisfy(valid), "\(layer): \(argument) must be \(requirement), not \(value)")
}

/// Checks that a pooling layer's padding is at most half of its kernel size along each axis.
private func checkPadding(_ padding: IntOrTuple, kernelSize: IntOrTuple, layer: String) {
  checkedPair(padding, layer: layer, argument: "padding", requirement: "non-negative") { $0 >= 0 }
  let (pad, kernel) = (padding.values(count: 2)!, kernelSize.values(count: 2)!)
  precondition(
    pad[0] <= kernel[0] / 2 && pad[1] <= kernel[1] / 2,
    "\(layer): padding \(padding) must be at most half of kernelSize \(kernelSize)")
}

/// Checks that `shape` is `[batch, channels, height, width]` or `[channels, height, width]`.
private func checkPoolingInput(_ shape: [Int], layer: String) {
  precondition(
    shape.count == 3 || shape.count == 4,
    "\(layer): expected input of shape [batch, channels, height, width] or [channels, height,"
      + " width], got \(shape)")
}

/// PyTorch's spelling of a boolean in a printed module.
private func pythonBoolean(_ value: Bool) -> String { value ? "True" : "False" }

/// 2-D max pooling, like `torch.nn.MaxPool2d`: the largest element of each `kernelSize` window of
/// each channel, windows `stride` apart (by default `kernelSize`), over the input padded with
/// `padding` on both sides (padding never wins), taps `dilation` apart.
/// ```swift
/// let pool = MaxPool2d<Float>(kernelSize: 2)
/// ```
public final class MaxPool2d<Scalar: TensorScalar>: Module {
  /// The window's extent, as given.
  public let kernelSize: IntOrTuple
  /// The step between windows, as given (`kernelSize` by default).
  public let stride: IntOrTuple
  /// The implicit padding on both sides, as given.
  public let padding: IntOrTuple
  /// The spacing between window taps, as given.
  public let dilation: IntOrTuple
  /// Whether the output extent is rounded up rather than down.
  public let ceilMode: Bool

  /// A max-pooling layer.
  ///
  /// - Precondition: positive `kernelSize`, `stride` and `dilation`; `padding` between 0 and half
  ///   of `kernelSize`; one or two values each.
  public init(
    kernelSize: IntOrTuple, stride: IntOrTuple? = nil, padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1, ceilMode: Bool = false
  ) {
    let layer = "MaxPool2d"
    checkedPair(kernelSize, layer: layer, argument: "kernelSize", requirement: "positive") {
      $0 > 0
    }
    checkedPair(stride ?? kernelSize, layer: layer, argument: "stride", requirement: "positive") {
      $0 > 0
    }
    checkedPair(dilation, layer: layer, argument: "dilation", requirement: "positive") { $0 > 0 }
    checkPadding(padding, kernelSize: kernelSize, layer: layer)
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
    self.dilation = dilation
    self.ceilMode = ceilMode
  }

  /// ``Tensor/maxPool2d(kernelSize:stride:padding:dilation:ceilMode:)`` of `input`.
  ///
  /// - Precondition: `input` is `[batch, channels, height, width]` or
  ///   `[channels, height, width]`, with room for a window.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    checkPoolingInput(input.shape, layer: "MaxPool2d")
    return input.maxPool2d(
      kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
      ceilMode: ceilMode)
  }

  /// `kernel_size=…, stride=…, padding=…, dilation=…, ceil_mode=…`, as PyTorch prints it.
  public var extraDescription: String {
    "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding), dilation=\(dilation),"
      + " ceil_mode=\(pythonBoolean(ceilMode))"
  }

  /// None: the layer has no parameters or buffers (listed without reflection).
  public func namedMembers() -> [(name: String, member: ModuleMember<Scalar>)] { [] }
}

/// 2-D average pooling, like `torch.nn.AvgPool2d`: the mean of each `kernelSize` window of each
/// channel, windows `stride` apart (by default `kernelSize`), over the input padded with
/// `padding` zeros on both sides. The padding counts in the divisor when `countIncludePad` (the
/// default); `divisorOverride` replaces the divisor.
public final class AvgPool2d<Scalar: TensorScalar>: Module {
  /// The window's extent, as given.
  public let kernelSize: IntOrTuple
  /// The step between windows, as given (`kernelSize` by default).
  public let stride: IntOrTuple
  /// The zero padding on both sides, as given.
  public let padding: IntOrTuple
  /// Whether the output extent is rounded up rather than down.
  public let ceilMode: Bool
  /// Whether padding elements count in the divisor.
  public let countIncludePad: Bool
  /// The divisor of every window, when set.
  public let divisorOverride: Int?

  /// An average-pooling layer.
  ///
  /// - Precondition: positive `kernelSize` and `stride`; `padding` between 0 and half of
  ///   `kernelSize`; one or two values each; `divisorOverride` not 0.
  public init(
    kernelSize: IntOrTuple, stride: IntOrTuple? = nil, padding: IntOrTuple = 0,
    ceilMode: Bool = false, countIncludePad: Bool = true, divisorOverride: Int? = nil
  ) {
    let layer = "AvgPool2d"
    checkedPair(kernelSize, layer: layer, argument: "kernelSize", requirement: "positive") {
      $0 > 0
    }
    checkedPair(stride ?? kernelSize, layer: layer, argument: "stride", requirement: "positive") {
      $0 > 0
    }
    checkPadding(padding, kernelSize: kernelSize, layer: layer)
    precondition(divisorOverride != 0, "\(layer): divisorOverride must not be 0")
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
    self.ceilMode = ceilMode
    self.countIncludePad = countIncludePad
    self.divisorOverride = divisorOverride
  }

  /// ``Tensor/avgPool2d(kernelSize:stride:padding:ceilMode:countIncludePad:divisorOverride:)``
  /// of `input`.
  ///
  /// - Precondition: `input` is `[batch, channels, height, width]` or
  ///   `[channels, height, width]`, with room for a window.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    checkPoolingInput(input.shape, layer: "AvgPool2d")
    return input.avgPool2d(
      kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
      countIncludePad: countIncludePad, divisorOverride: divisorOverride)
  }

  /// `kernel_size=…, stride=…, padding=…`, as PyTorch prints it.
  public var extraDescription: String {
    "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding)"
  }

  /// None: the layer has no parameters or buffers (listed without reflection).
  public func namedMembers() -> [(name: String, member: ModuleMember<Scalar>)] { [] }
}

/// 2-D adaptive average pooling, like `torch.nn.AdaptiveAvgPool2d`: each channel averaged down to
/// `outputSize` (height, width), output `(i, j)` being the mean of input rows
/// `floor(i * H / outH)..<ceil((i + 1) * H / outH)` and the columns alike.
public final class AdaptiveAvgPool2d<Scalar: TensorScalar>: Module {
  /// The output's height and width, as given.
  public let outputSize: IntOrTuple

  /// An adaptive average-pooling layer.
  ///
  /// - Precondition: `outputSize` is one or two positive values.
  public init(outputSize: IntOrTuple) {
    checkedPair(
      outputSize, layer: "AdaptiveAvgPool2d", argument: "outputSize", requirement: "positive"
    ) { $0 > 0 }
    self.outputSize = outputSize
  }

  /// ``Tensor/adaptiveAvgPool2d(outputSize:)`` of `input`.
  ///
  /// - Precondition: `input` is `[batch, channels, height, width]` or
  ///   `[channels, height, width]`, with non-empty planes.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    checkPoolingInput(input.shape, layer: "AdaptiveAvgPool2d")
    return input.adaptiveAvgPool2d(outputSize: outputSize)
  }

  /// `output_size=…`, as PyTorch prints it.
  public var extraDescription: String { "output_size=\(outputSize)" }

  /// None: the layer has no parameters or buffers (listed without reflection).
  public func namedMembers() -> [(name: String, member: ModuleMember<Scalar>)] { [] }
}

/// Flattens axes `startDim...endDim` into one, like `torch.nn.Flatten` (by default every axis
/// but the batch); negative axes count from the end.
public final class Flatten<Scalar: TensorScalar>: Module {
  /// The first axis flattened.
  public let startDim: Int
  /// The last axis flattened.
  public let endDim: Int

  /// A flattening layer.
  public init(startDim: Int = 1, endDim: Int = -1) {
    self.startDim = startDim
    self.endDim = endDim
  }

  /// `input` with axes `startDim...endDim` merged (a view when `input` is contiguous).
  ///
  /// - Precondition: both axes lie in `input`, and `startDim` is not after `endDim`.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    let shape = input.shape
    let rank = Swift.max(shape.count, 1)
    let start = startDim < 0 ? startDim + rank : startDim
    let end = endDim < 0 ? endDim + rank : endDim
    precondition(
      start >= 0 && start < rank && end >= 0 && end < rank && start <= end,
      "Flatten(start_dim=\(startDim), end_dim=\(endDim)): input of shape \(shape)")
    guard shape.count > 0, start < end else { return shape.isEmpty ? input.reshaped([1]) : input }
    let merged = shape[start...end].reduce(1, *)
    return input.reshaped(Array(shape[..<start]) + [merged] + Array(shape[(end + 1)...]))
  }

  /// `start_dim=…, end_dim=…`, as PyTorch prints it.
  public var extraDescription: String { "start_dim=\(startDim), end_dim=\(endDim)" }

  /// None: the layer has no parameters or buffers (listed without reflection).
  public func namedMembers() -> [(name: String, member: ModuleMember<Scalar>)] { [] }
}
