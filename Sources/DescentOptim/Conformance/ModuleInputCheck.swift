import DescentNN

/// Checks, before a fixture's input reaches a module, that the module accepts it, and computes
/// the shape it gives back: a layer stops at a precondition on an input that does not fit (as
/// PyTorch raises), and one bad fixture must not stop `descent conformance`.
///
/// The modules the layer catalog builds are known (`Sequential` of them, `TinyTransformer`);
/// any other module is refused rather than called unchecked.
struct ModuleInputCheck {
  /// The fixture field the input comes from (`inputs[0]`, `batches[2].input`), named in errors.
  let field: String
  /// Whether the module runs in training mode (batch normalization needs more than one value
  /// per channel then).
  let training: Bool

  /// The largest whole number a layer argument of a fixture may be (4096): a fixture's layers
  /// are small, and a typo must not allocate gigabytes.
  static let maximumArgument = 4096
  /// The largest product of a layer's whole-number arguments (2^24), and of their sum over a
  /// model's layers: a bound on the parameters they imply.
  static let maximumArgumentProduct = 1 << 24

  /// Checks a layer's arguments before the layer is built: every whole number above 1 is at
  /// most ``maximumArgument``, and their product (a single `kernel_size` counted once per axis
  /// of a 2-D layer) at most ``maximumArgumentProduct``, which it returns.
  ///
  /// - Throws: ``ConformanceError/invalidField(_:_:)`` naming `field` and the argument.
  @discardableResult
  static func checkSizes(of kwargs: [String: JSONValue], field: String) throws -> Int {
    var product = 1
    for (name, value) in kwargs.sorted(by: { $0.key < $1.key }) {
      for number in value.number.map({ [$0] }) ?? value.numbers ?? []
      where number == number.rounded() && abs(number) > 1 {
        guard abs(number) <= Double(maximumArgument) else {
          throw ConformanceError.invalidField(
            "\(field).\(name)", "\(number) is above \(maximumArgument), the most a fixture allows")
        }
        product *= Int(abs(number))
        if name == "kernel_size", value.number != nil { product *= Int(abs(number)) }
        guard product <= maximumArgumentProduct else {
          throw ConformanceError.invalidField(
            field,
            "the sizes multiply to more than \(maximumArgumentProduct), the most a fixture allows")
        }
      }
    }
    return product
  }

  /// The shape `module` returns for `input`.
  ///
  /// - Throws: ``ConformanceError/invalidField(_:_:)`` naming ``field``, the input's shape and
  ///   the layer it does not fit.
  func outputShape(of module: any Module<Double>, for input: Tensor<Double>) throws -> [Int] {
    guard input.count > 0 else {
      throw ConformanceError.invalidField(field, "shape \(input.shape) holds no values")
    }
    return try outputShape(of: module, shape: input.shape, values: input)
  }

  /// The shape `module` returns for an input of `shape`; `values` is the input itself when it
  /// reaches `module` unchanged (embeddings check their indices), else `nil`.
  private func outputShape(
    of module: any Module<Double>, shape: [Int], values: Tensor<Double>?
  ) throws -> [Int] {
    func refuse(_ reason: String) -> ConformanceError {
      let name = String(String(describing: type(of: module)).prefix { $0 != "<" })
      return .invalidField(
        field,
        "an input of shape \(shape) does not fit \(name)(\(module.extraDescription)): \(reason)")
    }
    switch module {
    case let sequential as Sequential<Double>:
      var current = shape
      for (index, layer) in sequential.layers.enumerated() {
        current = try outputShape(of: layer, shape: current, values: index == 0 ? values : nil)
      }
      return current
    case is ReLU<Double>, is Tanh<Double>, is Sigmoid<Double>, is GELU<Double>, is SiLU<Double>,
      is LeakyReLU<Double>, is Dropout<Double>:
      return shape
    case let linear as Linear<Double>:
      guard shape.last == linear.inFeatures else {
        throw refuse("the last axis must be \(linear.inFeatures)")
      }
      return shape.dropLast() + [linear.outFeatures]
    case let softmax as Softmax<Double>:
      try checkSoftmaxAxis(softmax.dim, shape: shape, refuse)
      return shape
    case let logSoftmax as LogSoftmax<Double>:
      try checkSoftmaxAxis(logSoftmax.dim, shape: shape, refuse)
      return shape
    case let flatten as Flatten<Double>:
      return try flattened(shape, start: flatten.startDim, end: flatten.endDim, refuse)
    case let unflatten as Unflatten<Double>:
      let axis = unflatten.dim < 0 ? unflatten.dim + shape.count : unflatten.dim
      guard shape.indices.contains(axis), shape[axis] == unflatten.sizes.reduce(1, *) else {
        throw refuse("axis \(unflatten.dim) must hold \(unflatten.sizes.reduce(1, *)) values")
      }
      return Array(shape[..<axis]) + unflatten.sizes + Array(shape[(axis + 1)...])
    case let conv as Conv2d<Double>:
      return try convolved(
        shape, channels: conv.inChannels, outChannels: conv.outChannels, kernel: conv.kernelSize,
        stride: conv.stride, padding: conv.padding, dilation: conv.dilation, refuse)
    case let conv as Conv1d<Double>:
      return try convolved(
        shape, channels: conv.inChannels, outChannels: conv.outChannels,
        kernel: [conv.kernelSize], stride: [conv.stride], padding: conv.padding,
        dilation: [conv.dilation], refuse)
    case let pool as MaxPool2d<Double>:
      return try pooled(
        shape, kernel: pool.kernelSize, stride: pool.stride, padding: pool.padding,
        dilation: pool.dilation, ceilMode: pool.ceilMode, refuse)
    case let pool as AvgPool2d<Double>:
      return try pooled(
        shape, kernel: pool.kernelSize, stride: pool.stride, padding: pool.padding, dilation: 1,
        ceilMode: pool.ceilMode, refuse)
    case let pool as AdaptiveAvgPool2d<Double>:
      guard shape.count == 3 || shape.count == 4, shape.suffix(2).allSatisfy({ $0 > 0 }),
        let size = pool.outputSize.values(count: 2)
      else {
        throw refuse("expected [batch, channels, height, width] or [channels, height, width]")
      }
      return shape.dropLast(2) + size
    case let norm as BatchNorm<Double>:
      let ranks = norm is BatchNorm2d<Double> ? [4] : norm is BatchNorm1d<Double> ? [2, 3] : []
      guard ranks.contains(shape.count), shape[1] == norm.numFeatures else {
        throw refuse(
          "expected \(ranks.map { "\($0) axes" }.joined(separator: " or ")) with "
            + "\(norm.numFeatures) channels on axis 1")
      }
      let statistics = training || norm.runningMean == nil
      guard !statistics || shape.reduce(1, *) / norm.numFeatures > 1 else {
        throw refuse("batch statistics need more than one value per channel")
      }
      return shape
    case let norm as LayerNorm<Double>:
      guard shape.suffix(norm.normalizedShape.count) == norm.normalizedShape[...] else {
        throw refuse("the trailing axes must be \(norm.normalizedShape)")
      }
      return shape
    case let embedding as Embedding<Double>:
      try checkIndices(values, of: embedding, refuse)
      return shape + [embedding.embeddingDim]
    case let model as TinyTransformer<Double>:
      let length = model.position.shape[0]
      guard shape.count == 2, (1...length).contains(shape[1]) else {
        throw refuse("expected tokens [batch, 1...\(length)]")
      }
      try checkIndices(values, of: model.embedding, refuse)
      let vocab = model.head.outFeatures
      return model.lastPositionOnly ? [shape[0], vocab] : shape + [vocab]
    default:
      throw refuse("Descent cannot check the input of this module before calling it")
    }
  }

  /// Checks that `dim` (PyTorch's legacy choice when `nil`) is an axis of `shape`.
  private func checkSoftmaxAxis(
    _ dim: Int?, shape: [Int], _ refuse: (String) -> ConformanceError
  ) throws {
    let rank = Swift.max(shape.count, 1)
    let axis = dim ?? ([0, 1, 3].contains(shape.count) ? 0 : 1)
    guard (-rank..<rank).contains(axis) else { throw refuse("it has no axis \(axis)") }
  }

  /// `shape` with axes `start...end` merged, as `Flatten` does.
  private func flattened(
    _ shape: [Int], start: Int, end: Int, _ refuse: (String) -> ConformanceError
  ) throws -> [Int] {
    let rank = Swift.max(shape.count, 1)
    let (first, last) = (start < 0 ? start + rank : start, end < 0 ? end + rank : end)
    guard (0..<rank).contains(first), (0..<rank).contains(last), first <= last else {
      throw refuse("axes \(start)...\(end) are not axes of the input")
    }
    guard shape.count > 0, first < last else { return shape.isEmpty ? [1] : shape }
    return Array(shape[..<first]) + [shape[first...last].reduce(1, *)]
      + Array(shape[(last + 1)...])
  }

  /// The output shape of a convolution of `kernel.count` spatial axes.
  private func convolved(
    _ shape: [Int], channels: Int, outChannels: Int, kernel: [Int], stride: [Int],
    padding: ConvolutionPadding, dilation: [Int], _ refuse: (String) -> ConformanceError
  ) throws -> [Int] {
    let axes = kernel.count
    guard shape.count == axes + 1 || shape.count == axes + 2,
      shape[shape.count - axes - 1] == channels
    else { throw refuse("expected [batch, \(channels), spatial...] or [\(channels), spatial...]") }
    var output = Array(shape.dropLast(axes + 1)) + [outChannels]
    for (axis, extent) in shape.suffix(axes).enumerated() {
      let window = dilation[axis] * (kernel[axis] - 1) + 1
      let padded: Int
      switch padding {
      case .same: padded = extent + window - 1
      case .valid: padded = extent
      case .explicit(let amounts):
        padded = extent + 2 * (amounts.values(count: axes)?[axis] ?? 0)
      }
      guard padded >= window else {
        throw refuse(
          "spatial axis \(axis) padded to \(padded) is smaller than the kernel's \(window)")
      }
      output.append((padded - window) / stride[axis] + 1)
    }
    return output
  }

  /// The output shape of a 2-D pooling, as PyTorch's `pooling_output_shape` computes it.
  private func pooled(
    _ shape: [Int], kernel: IntOrTuple, stride: IntOrTuple, padding: IntOrTuple,
    dilation: IntOrTuple, ceilMode: Bool, _ refuse: (String) -> ConformanceError
  ) throws -> [Int] {
    guard shape.count == 3 || shape.count == 4,
      let kernels = kernel.values(count: 2), let strides = stride.values(count: 2),
      let pads = padding.values(count: 2), let spacings = dilation.values(count: 2)
    else { throw refuse("expected [batch, channels, height, width] or [channels, height, width]") }
    var output = Array(shape.dropLast(2))
    for (axis, size) in shape.suffix(2).enumerated() {
      let step = strides[axis]
      let numerator =
        size + 2 * pads[axis] - spacings[axis] * (kernels[axis] - 1) - 1
        + (ceilMode ? step - 1 : 0)
      var extent = (numerator >= 0 ? numerator / step : -((-numerator + step - 1) / step)) + 1
      if ceilMode && (extent - 1) * step >= size + pads[axis] { extent -= 1 }
      guard extent > 0 else { throw refuse("the window does not fit along spatial axis \(axis)") }
      output.append(extent)
    }
    return output
  }

  /// Checks that `values` (the fixture's own input) are whole numbers in `embedding`'s range.
  private func checkIndices(
    _ values: Tensor<Double>?, of embedding: Embedding<Double>,
    _ refuse: (String) -> ConformanceError
  ) throws {
    guard let values else { throw refuse("indices must come straight from the fixture's input") }
    do {
      _ = try embedding.indices(of: values)
    } catch {
      throw refuse("\(error)")
    }
  }
}
