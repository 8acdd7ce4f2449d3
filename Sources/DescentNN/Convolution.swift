/// The settings every convolution layer checks and prints the same way, for `axes` spatial axes.
struct ConvolutionSettings {
  let layer: String
  let inChannels: Int
  let outChannels: Int
  let kernelSize: [Int]
  let stride: [Int]
  let padding: ConvolutionPadding
  let dilation: [Int]
  let groups: Int

  /// The settings, checked: positive channels, sizes and groups, channels divisible by groups,
  /// padding not negative, `.same` only with stride 1.
  init(
    layer: String, axes: Int, inChannels: Int, outChannels: Int, kernelSize: IntOrTuple,
    stride: IntOrTuple, padding: ConvolutionPadding, dilation: IntOrTuple, groups: Int
  ) {
    func resolved(_ value: IntOrTuple, _ argument: String) -> [Int] {
      guard let values = value.values(count: axes) else {
        preconditionFailure(
          "\(layer): \(argument) \(value) needs \(axes == 1 ? "1 value" : "1 or \(axes) values")")
      }
      precondition(
        values.allSatisfy { $0 > 0 }, "\(layer): \(argument) must be positive, not \(value)")
      return values
    }
    precondition(inChannels > 0, "\(layer): inChannels must be positive, not \(inChannels)")
    precondition(outChannels > 0, "\(layer): outChannels must be positive, not \(outChannels)")
    precondition(groups > 0, "\(layer): groups must be positive, not \(groups)")
    precondition(
      inChannels % groups == 0,
      "\(layer): inChannels (\(inChannels)) must be divisible by groups (\(groups))")
    precondition(
      outChannels % groups == 0,
      "\(layer): outChannels (\(outChannels)) must be divisible by groups (\(groups))")
    self.layer = layer
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.kernelSize = resolved(kernelSize, "kernelSize")
    self.stride = resolved(stride, "stride")
    self.dilation = resolved(dilation, "dilation")
    self.groups = groups
    switch padding {
    case .explicit(let amounts):
      guard let values = amounts.values(count: axes) else {
        preconditionFailure(
          "\(layer): padding \(amounts) needs \(axes == 1 ? "1 value" : "1 or \(axes) values")")
      }
      precondition(
        values.allSatisfy { $0 >= 0 }, "\(layer): padding must not be negative, not \(amounts)")
      self.padding = .explicit(IntOrTuple(values))
    case .same:
      precondition(
        self.stride.allSatisfy { $0 == 1 },
        "\(layer): padding .same is not supported for strided convolutions (stride \(stride))")
      self.padding = padding
    case .valid:
      self.padding = padding
    }
  }

  /// A convolution's members: `weight`, then `bias` when there is one.
  func members<Scalar: TensorScalar>(weight: Parameter<Scalar>, bias: Parameter<Scalar>?)
    -> [(name: String, member: ModuleMember<Scalar>)]
  {
    var members: [(name: String, member: ModuleMember<Scalar>)] = [("weight", .parameter(weight))]
    if let bias { members.append(("bias", .parameter(bias))) }
    return members
  }

  /// The weight's shape, `[outChannels, inChannels / groups, kernel...]`.
  var weightShape: [Int] { [outChannels, inChannels / groups] + kernelSize }

  /// Draws the weight, then the bias, uniform in `±1/sqrt(fan_in)` (PyTorch's default,
  /// Kaiming-uniform with `a = sqrt(5)`), with `fan_in = inChannels / groups * kernel area`.
  func initialParameters<Scalar: TensorScalar>(bias: Bool, generator: inout SeededGenerator)
    -> (Parameter<Scalar>, Parameter<Scalar>?)
  {
    let fanIn = weightShape.dropFirst().reduce(1, *)
    let bound = 1 / Scalar(fanIn).squareRoot()
    let weight = Parameter(
      Tensor<Scalar>(uniform: weightShape, low: -bound, high: bound, generator: &generator))
    let bias =
      bias
      ? Parameter(
        Tensor<Scalar>(uniform: [outChannels], low: -bound, high: bound, generator: &generator))
      : nil
    return (weight, bias)
  }

  /// Checks that `shape` is a batch `[N, inChannels, spatial...]` or one sample
  /// `[inChannels, spatial...]` whose padded extents hold the (dilated) kernel.
  func checkInput(_ shape: [Int]) {
    let axes = kernelSize.count
    let spatial = axes == 1 ? "length" : "height, width"
    let batched = shape.count == axes + 2
    precondition(
      (batched || shape.count == axes + 1) && shape[shape.count - axes - 1] == inChannels,
      "\(layer): expected input of shape [batch, \(inChannels), \(spatial)] or [\(inChannels),"
        + " \(spatial)], got \(shape)")
    guard let (before, after) = padding.amounts(kernelSize: kernelSize, dilation: dilation) else {
      return
    }
    let extents = Array(shape.suffix(axes))
    for axis in 0..<axes {
      let padded = extents[axis] + before[axis] + after[axis]
      let window = dilation[axis] * (kernelSize[axis] - 1) + 1
      precondition(
        padded >= window,
        "\(layer): input of shape \(shape) padded to \(padded) along spatial axis \(axis) is"
          + " smaller than the kernel's extent \(window)")
    }
  }

  /// PyTorch's `extra_repr` of a convolution: sizes as tuples, padding, dilation and groups only
  /// when not the defaults, `bias=False` without a bias.
  func description(hasBias: Bool) -> String {
    var text =
      "\(inChannels), \(outChannels), kernel_size=\(IntOrTuple.tupleDescription(kernelSize)),"
      + " stride=\(IntOrTuple.tupleDescription(stride))"
    switch padding {
    case .explicit(let amounts):
      if amounts.elements.contains(where: { $0 != 0 }) {
        text += ", padding=\(IntOrTuple.tupleDescription(amounts.elements))"
      }
    case .valid: text += ", padding=valid"
    case .same: text += ", padding=same"
    }
    if dilation.contains(where: { $0 != 1 }) {
      text += ", dilation=\(IntOrTuple.tupleDescription(dilation))"
    }
    if groups != 1 { text += ", groups=\(groups)" }
    if !hasBias { text += ", bias=False" }
    return text
  }
}

/// A 2-D convolution layer, like `torch.nn.Conv2d`: input `[batch, inChannels, height, width]`
/// (or one sample `[inChannels, height, width]`) to `[batch, outChannels, outHeight, outWidth]`.
///
/// The weight has shape `[outChannels, inChannels / groups, kernelHeight, kernelWidth]` and the
/// bias `[outChannels]`; both start uniform in `±1/sqrt(fan_in)` with
/// `fan_in = inChannels / groups * kernelHeight * kernelWidth`, PyTorch's default.
/// ```swift
/// let conv = Conv2d<Float>(inChannels: 1, outChannels: 8, kernelSize: 3, padding: 1)
/// let wide = Conv2d<Float>(
///   inChannels: 4, outChannels: 4, kernelSize: [2, 3], dilation: 2, groups: 2)
/// ```
public final class Conv2d<Scalar: TensorScalar>: Module {
  /// The checked settings.
  let settings: ConvolutionSettings
  /// The weight, `[outChannels, inChannels / groups, kernelHeight, kernelWidth]`.
  public let weight: Parameter<Scalar>
  /// The bias, `[outChannels]`, or `nil` when built with `bias: false`.
  public let bias: Parameter<Scalar>?

  /// The number of input channels.
  public var inChannels: Int { settings.inChannels }
  /// The number of output channels.
  public var outChannels: Int { settings.outChannels }
  /// The kernel's height and width.
  public var kernelSize: [Int] { settings.kernelSize }
  /// The window's step along height and width.
  public var stride: [Int] { settings.stride }
  /// The zero padding.
  public var padding: ConvolutionPadding { settings.padding }
  /// The spacing between kernel taps along height and width.
  public var dilation: [Int] { settings.dilation }
  /// The number of channel groups.
  public var groups: Int { settings.groups }

  /// A layer initialised from `generator`.
  ///
  /// - Precondition: positive channels, sizes and groups; channels divisible by `groups`;
  ///   padding not negative; `.same` padding only with stride 1.
  public init(
    inChannels: Int, outChannels: Int, kernelSize: IntOrTuple, stride: IntOrTuple = 1,
    padding: ConvolutionPadding = 0, dilation: IntOrTuple = 1, groups: Int = 1,
    bias: Bool = true, generator: inout SeededGenerator
  ) {
    settings = ConvolutionSettings(
      layer: "Conv2d", axes: 2, inChannels: inChannels, outChannels: outChannels,
      kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
      groups: groups)
    (weight, self.bias) = settings.initialParameters(bias: bias, generator: &generator)
  }

  /// A layer initialised from the global generator (see ``GlobalGenerator/manualSeed(_:)``).
  public convenience init(
    inChannels: Int, outChannels: Int, kernelSize: IntOrTuple, stride: IntOrTuple = 1,
    padding: ConvolutionPadding = 0, dilation: IntOrTuple = 1, groups: Int = 1,
    bias: Bool = true
  ) {
    var generator = GlobalGenerator.state
    self.init(
      inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride,
      padding: padding, dilation: dilation, groups: groups, bias: bias, generator: &generator)
    GlobalGenerator.state = generator
  }

  /// The convolution of `input` with the weight, plus the bias:
  /// ``Tensor/conv2d(weight:bias:stride:padding:dilation:groups:)``.
  ///
  /// - Precondition: `input` is `[batch, inChannels, height, width]` or
  ///   `[inChannels, height, width]`, and its padded extents hold the dilated kernel.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    settings.checkInput(input.shape)
    return input.conv2d(
      weight: weight.value, bias: bias?.value, stride: IntOrTuple(stride), padding: padding,
      dilation: IntOrTuple(dilation), groups: groups)
  }

  /// `in, out, kernel_size=(…), stride=(…)` and the settings that differ from the defaults, as
  /// PyTorch prints them.
  public var extraDescription: String { settings.description(hasBias: bias != nil) }

  /// `weight` and `bias`, named as PyTorch names them (without reflection, which a training step
  /// would pay for on every `parameters()`).
  public func namedMembers() -> [(name: String, member: ModuleMember<Scalar>)] {
    settings.members(weight: weight, bias: bias)
  }
}

/// A 1-D convolution layer, like `torch.nn.Conv1d`: input `[batch, inChannels, length]` (or one
/// sample `[inChannels, length]`) to `[batch, outChannels, outLength]`.
///
/// The weight has shape `[outChannels, inChannels / groups, kernelSize]` and the bias
/// `[outChannels]`; both start uniform in `±1/sqrt(fan_in)` with
/// `fan_in = inChannels / groups * kernelSize`, PyTorch's default.
public final class Conv1d<Scalar: TensorScalar>: Module {
  /// The checked settings.
  let settings: ConvolutionSettings
  /// The weight, `[outChannels, inChannels / groups, kernelSize]`.
  public let weight: Parameter<Scalar>
  /// The bias, `[outChannels]`, or `nil` when built with `bias: false`.
  public let bias: Parameter<Scalar>?

  /// The number of input channels.
  public var inChannels: Int { settings.inChannels }
  /// The number of output channels.
  public var outChannels: Int { settings.outChannels }
  /// The kernel's length.
  public var kernelSize: Int { settings.kernelSize[0] }
  /// The window's step.
  public var stride: Int { settings.stride[0] }
  /// The zero padding.
  public var padding: ConvolutionPadding { settings.padding }
  /// The spacing between kernel taps.
  public var dilation: Int { settings.dilation[0] }
  /// The number of channel groups.
  public var groups: Int { settings.groups }

  /// A layer initialised from `generator`.
  ///
  /// - Precondition: positive channels, sizes and groups; channels divisible by `groups`;
  ///   padding not negative; `.same` padding only with stride 1.
  public init(
    inChannels: Int, outChannels: Int, kernelSize: IntOrTuple, stride: IntOrTuple = 1,
    padding: ConvolutionPadding = 0, dilation: IntOrTuple = 1, groups: Int = 1,
    bias: Bool = true, generator: inout SeededGenerator
  ) {
    settings = ConvolutionSettings(
      layer: "Conv1d", axes: 1, inChannels: inChannels, outChannels: outChannels,
      kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
      groups: groups)
    (weight, self.bias) = settings.initialParameters(bias: bias, generator: &generator)
  }

  /// A layer initialised from the global generator (see ``GlobalGenerator/manualSeed(_:)``).
  public convenience init(
    inChannels: Int, outChannels: Int, kernelSize: IntOrTuple, stride: IntOrTuple = 1,
    padding: ConvolutionPadding = 0, dilation: IntOrTuple = 1, groups: Int = 1,
    bias: Bool = true
  ) {
    var generator = GlobalGenerator.state
    self.init(
      inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride,
      padding: padding, dilation: dilation, groups: groups, bias: bias, generator: &generator)
    GlobalGenerator.state = generator
  }

  /// The convolution of `input` with the weight, plus the bias:
  /// ``Tensor/conv1d(weight:bias:stride:padding:dilation:groups:)``.
  ///
  /// - Precondition: `input` is `[batch, inChannels, length]` or `[inChannels, length]`, and
  ///   its padded length holds the dilated kernel.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    settings.checkInput(input.shape)
    return input.conv1d(
      weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
      dilation: dilation, groups: groups)
  }

  /// `in, out, kernel_size=(…,), stride=(…,)` and the settings that differ from the defaults,
  /// as PyTorch prints them.
  public var extraDescription: String { settings.description(hasBias: bias != nil) }

  /// `weight` and `bias`, named as PyTorch names them (without reflection, which a training step
  /// would pay for on every `parameters()`).
  public func namedMembers() -> [(name: String, member: ModuleMember<Scalar>)] {
    settings.members(weight: weight, bias: bias)
  }
}
