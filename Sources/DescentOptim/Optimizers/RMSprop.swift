import DescentTensor

/// RMSprop's hyperparameters, with PyTorch's defaults.
public struct RMSpropHyperparameters: MomentumHyperparameters {
  /// The learning rate (default 0.01).
  public var lr = 0.01
  /// The smoothing constant of the squared-gradient average (default 0.99).
  public var alpha = 0.99
  /// Added to the denominator, outside the square root (default 1e-8).
  public var eps = 1e-8
  /// The L2 penalty (default 0).
  public var weightDecay = 0.0
  /// The momentum factor (default 0: no momentum buffer).
  public var momentum = 0.0
  /// Whether to divide by the estimated variance rather than the second moment (default false).
  public var centered = false
  /// Whether to maximize the objective (default false).
  public var maximize = false

  /// PyTorch's defaults.
  public init() {}
}

extension RMSpropHyperparameters: DeclaredHyperparameters {
  /// `"RMSprop"`.
  public static var optimizerName: String { "RMSprop" }

  /// Every number `>= 0`.
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative), .number("alpha", \.alpha, .nonNegative),
      .number("eps", \.eps, .nonNegative), .number("weightDecay", \.weightDecay, .nonNegative),
      .number("momentum", \.momentum, .nonNegative), .flag("centered", \.centered),
      .flag("maximize", \.maximize),
    ]
  }
}

/// RMSprop, as `torch.optim.RMSprop`: `v = alpha v + (1 - alpha) g^2`; with `centered`,
/// `a = lerp(a, g, 1 - alpha)` and `v - a^2` replaces `v`; `d = sqrt(v) + eps`; with momentum
/// `b = momentum b + g / d`, `p -= lr b`, else `p -= lr g / d`.
public struct RMSpropUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"RMSprop"`.
  public static var name: String { "RMSprop" }

  /// `square_avg`, then `momentum_buffer` (with momentum) and `grad_avg` (when centered), zeros.
  public static func initialState(
    for parameter: Parameter<Scalar>, _ settings: RMSpropHyperparameters
  ) -> ParameterState<Scalar> {
    var buffers: [(name: String, fill: Scalar)] = [("square_avg", 0)]
    if settings.momentum > 0 { buffers.append(("momentum_buffer", 0)) }
    if settings.centered { buffers.append(("grad_avg", 0)) }
    return ParameterState(count: parameter.count, buffers: buffers)
  }

  let preparation: GradientPreparation<Scalar>
  let alpha: Scalar
  let squareWeight: Scalar
  let eps: Scalar
  let momentum: Scalar
  let negativeLR: Scalar
  let momentumIndex: Int?
  let gradAverageIndex: Int?

  /// The step's constants.
  public init(_ settings: RMSpropHyperparameters, state: inout ParameterState<Scalar>) {
    preparation = GradientPreparation(
      maximize: settings.maximize, weightDecay: settings.weightDecay)
    alpha = Scalar(settings.alpha)
    squareWeight = Scalar(1 - settings.alpha)
    eps = Scalar(settings.eps)
    momentum = Scalar(settings.momentum)
    negativeLR = Scalar(-settings.lr)
    momentumIndex =
      settings.momentum > 0 ? state.bufferNames.firstIndex(of: "momentum_buffer") : nil
    gradAverageIndex = settings.centered ? state.bufferNames.firstIndex(of: "grad_avg") : nil
  }

  /// The update of one lane.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    let g = preparation.gradient(&slots)
    slots.buffer0 = slots.buffer0.decayed(by: alpha, adding: squareWeight, times: g, g)
    var average: L
    if let gradAverageIndex {
      let gradAverage = slots[buffer: gradAverageIndex].lerp(to: g, weight: squareWeight)
      slots[buffer: gradAverageIndex] = gradAverage
      average = (slots.buffer0 + L(repeating: -1) * gradAverage * gradAverage).squareRoot()
    } else {
      average = slots.buffer0.squareRoot()
    }
    average = average + L(repeating: eps)
    if let momentumIndex {
      let buffer = (slots[buffer: momentumIndex] * L(repeating: momentum)).adding(
        1, times: g, over: average)
      slots[buffer: momentumIndex] = buffer
      slots.param = slots.param + L(repeating: negativeLR) * buffer
    } else {
      slots.param = slots.param.adding(negativeLR, times: g, over: average)
    }
  }
}

/// `torch.optim.RMSprop`: `RMSprop(net.parameters(), lr: 0.01, alpha: 0.99, momentum: 0.9)`.
/// An argument left out takes its default from ``RMSpropHyperparameters``.
public final class RMSprop<Scalar: LaneScalar>: Optimizer<RMSpropUpdate<Scalar>> {
  /// RMSprop over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, alpha: Double? = nil, eps: Double? = nil,
    weightDecay: Double? = nil, momentum: Double? = nil, centered: Bool? = nil,
    maximize: Bool? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay,
      momentum: momentum, centered: centered, maximize: maximize)
  }

  /// RMSprop over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, alpha: Double? = nil, eps: Double? = nil,
    weightDecay: Double? = nil, momentum: Double? = nil, centered: Bool? = nil,
    maximize: Bool? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given([
        "lr": .of(lr), "alpha": .of(alpha), "eps": .of(eps), "weightDecay": .of(weightDecay),
        "momentum": .of(momentum), "centered": .of(centered), "maximize": .of(maximize),
      ]))
  }
}
