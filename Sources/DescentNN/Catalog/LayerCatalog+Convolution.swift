extension LayerCatalog {
  /// The convolution and pooling layers (and `Flatten`) by torch.nn class name, or `nil` for
  /// another name. Every argument is checked here, so that a bad value from a command line is a
  /// thrown error rather than a failed precondition in the layer.
  static func convolutionLayer<Scalar: TensorScalar>(_ name: String, _ arguments: LayerArguments)
    throws -> (any Module<Scalar>)?
  {
    switch name {
    case "Conv1d", "Conv2d":
      let axes = name == "Conv1d" ? 1 : 2
      let inChannels = try arguments.positiveInteger("in_channels")
      let outChannels = try arguments.positiveInteger("out_channels")
      let kernelSize = try arguments.intOrTuple("kernel_size", axes: axes, minimum: 1)
      let stride = try arguments.intOrTuple("stride", axes: axes, minimum: 1, default: 1)
      let dilation = try arguments.intOrTuple("dilation", axes: axes, minimum: 1, default: 1)
      let groups = try arguments.positiveInteger("groups", default: 1)
      let padding = try arguments.convolutionPadding(axes: axes)
      let bias = try arguments.boolean("bias", default: true)
      guard inChannels % groups == 0 else {
        throw LayerCatalogError.invalidArgument(
          "in_channels", "\(inChannels) is not divisible by groups (\(groups))")
      }
      guard outChannels % groups == 0 else {
        throw LayerCatalogError.invalidArgument(
          "out_channels", "\(outChannels) is not divisible by groups (\(groups))")
      }
      if padding == .same, stride.elements.contains(where: { $0 != 1 }) {
        throw LayerCatalogError.invalidArgument(
          "padding", "'same' is not supported for strided convolutions")
      }
      let paddingMode = try arguments.text("padding_mode", default: "zeros")
      guard paddingMode == "zeros" else {
        throw LayerCatalogError.invalidArgument(
          "padding_mode", "'\(paddingMode)' is not supported (only 'zeros')")
      }
      if axes == 1 {
        return Conv1d<Scalar>(
          inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize,
          stride: stride, padding: padding, dilation: dilation, groups: groups, bias: bias)
      }
      return Conv2d<Scalar>(
        inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride,
        padding: padding, dilation: dilation, groups: groups, bias: bias)
    case "MaxPool2d":
      let kernelSize = try arguments.intOrTuple("kernel_size", axes: 2, minimum: 1)
      let stride = try arguments.optionalIntOrTuple("stride", axes: 2, minimum: 1)
      let padding = try arguments.intOrTuple("padding", axes: 2, minimum: 0, default: 0)
      try LayerArguments.checkPoolingPadding(padding, kernelSize: kernelSize)
      let dilation = try arguments.intOrTuple("dilation", axes: 2, minimum: 1, default: 1)
      guard try !arguments.boolean("return_indices", default: false) else {
        throw LayerCatalogError.invalidArgument("return_indices", "True is not supported")
      }
      return MaxPool2d<Scalar>(
        kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
        ceilMode: try arguments.boolean("ceil_mode", default: false))
    case "AvgPool2d":
      let kernelSize = try arguments.intOrTuple("kernel_size", axes: 2, minimum: 1)
      let stride = try arguments.optionalIntOrTuple("stride", axes: 2, minimum: 1)
      let padding = try arguments.intOrTuple("padding", axes: 2, minimum: 0, default: 0)
      try LayerArguments.checkPoolingPadding(padding, kernelSize: kernelSize)
      var divisorOverride: Int?
      if case .some(let value) = arguments.values["divisor_override"], value != .none {
        divisorOverride = try arguments.integer("divisor_override")
        guard divisorOverride != 0 else {
          throw LayerCatalogError.invalidArgument("divisor_override", "must not be 0")
        }
      }
      return AvgPool2d<Scalar>(
        kernelSize: kernelSize, stride: stride, padding: padding,
        ceilMode: try arguments.boolean("ceil_mode", default: false),
        countIncludePad: try arguments.boolean("count_include_pad", default: true),
        divisorOverride: divisorOverride)
    case "AdaptiveAvgPool2d":
      return AdaptiveAvgPool2d<Scalar>(
        outputSize: try arguments.intOrTuple("output_size", axes: 2, minimum: 1))
    case "Flatten":
      return Flatten<Scalar>(
        startDim: try arguments.integer("start_dim", default: 1),
        endDim: try arguments.integer("end_dim", default: -1))
    default: return nil
    }
  }
}

extension LayerArguments {
  /// An int-or-tuple argument of `axes` values, each at least `minimum`, as given (an integer or
  /// a tuple), or `fallback` when absent.
  fileprivate func intOrTuple(
    _ name: String, axes: Int, minimum: Int, default fallback: Int? = nil
  ) throws -> IntOrTuple {
    guard let value = try optionalIntOrTuple(name, axes: axes, minimum: minimum) else {
      guard let fallback else { throw LayerCatalogError.missingArgument(name) }
      return IntOrTuple(fallback)
    }
    return value
  }

  /// An int-or-tuple argument of `axes` values, each at least `minimum`, or `nil` when absent or
  /// `None`.
  fileprivate func optionalIntOrTuple(_ name: String, axes: Int, minimum: Int) throws
    -> IntOrTuple?
  {
    let result: IntOrTuple
    switch values[name] {
    case nil, .some(.none): return nil
    case .integers(let list):
      guard list.count == axes else {
        throw LayerCatalogError.invalidArgument(
          name, axes == 1 ? "needs 1 integer" : "needs 1 or \(axes) integers, got \(list.count)")
      }
      result = IntOrTuple(list)
    default: result = IntOrTuple(try integer(name))
    }
    guard result.elements.allSatisfy({ $0 >= minimum }) else {
      throw LayerCatalogError.invalidArgument(
        name,
        minimum == 1 ? "must be positive, got \(result)" : "must not be negative, got \(result)")
    }
    return result
  }

  /// A convolution's `padding`: `'valid'`, `'same'`, or non-negative integers (0 when absent).
  fileprivate func convolutionPadding(axes: Int) throws -> ConvolutionPadding {
    if case .text(let text) = values["padding"] {
      switch text {
      case "valid": return .valid
      case "same": return .same
      default:
        throw LayerCatalogError.invalidArgument(
          "padding", "'\(text)' is neither 'valid', 'same' nor a number of zeros")
      }
    }
    return .explicit(try intOrTuple("padding", axes: axes, minimum: 0, default: 0))
  }

  /// Checks that a pooling layer's padding is at most half of its kernel size, as PyTorch does.
  fileprivate static func checkPoolingPadding(_ padding: IntOrTuple, kernelSize: IntOrTuple)
    throws
  {
    let (pad, kernel) = (padding.values(count: 2)!, kernelSize.values(count: 2)!)
    guard pad[0] <= kernel[0] / 2 && pad[1] <= kernel[1] / 2 else {
      throw LayerCatalogError.invalidArgument(
        "padding", "\(padding) must be at most half of kernel_size \(kernelSize)")
    }
  }
}
