import DescentTensor

/// Adamax's hyperparameters, with PyTorch's defaults.
public struct AdamaxHyperparameters: BetasHyperparameters {
  /// The learning rate (default 0.002).
  public var lr = 0.002
  /// The decay rates of the first moment and the infinity norm (default (0.9, 0.999)).
  public var betas = (0.9, 0.999)
  /// Added to the absolute gradient (default 1e-8).
  public var eps = 1e-8
  /// The L2 penalty (default 0).
  public var weightDecay = 0.0
  /// Whether to maximize the objective (default false).
  public var maximize = false

  /// PyTorch's defaults.
  public init() {}
}

extension AdamaxHyperparameters: DeclaredHyperparameters {
  /// `"Adamax"`.
  public static var optimizerName: String { "Adamax" }

  /// lr, eps and weight decay `>= 0`, betas in [0, 1).
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative), .pair("betas", \.betas, each: .unitInterval),
      .number("eps", \.eps, .nonNegative), .number("weightDecay", \.weightDecay, .nonNegative),
      .flag("maximize", \.maximize),
    ]
  }
}

/// Adamax, as `torch.optim.Adamax`: `m = lerp(m, g, 1 - beta1)`;
/// `u = max(beta2 u, |g| + eps)`; `p -= lr / (1 - beta1^t) * m / u`.
public struct AdamaxUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"Adamax"`.
  public static var name: String { "Adamax" }

  /// `exp_avg` and `exp_inf`, zeros.
  public static func initialState(
    for parameter: Parameter<Scalar>, _ settings: AdamaxHyperparameters
  ) -> ParameterState<Scalar> {
    ParameterState(count: parameter.count, buffers: [("exp_avg", 0), ("exp_inf", 0)])
  }

  let preparation: GradientPreparation<Scalar>
  let firstWeight: Scalar
  let beta2: Scalar
  let eps: Scalar
  let negativeClr: Scalar

  /// The step's constants.
  public init(_ settings: AdamaxHyperparameters, state: inout ParameterState<Scalar>) {
    preparation = GradientPreparation(
      maximize: settings.maximize, weightDecay: settings.weightDecay)
    firstWeight = Scalar(1 - settings.betas.0)
    beta2 = Scalar(settings.betas.1)
    eps = Scalar(settings.eps)
    let correction = 1 - pythonPower(settings.betas.0, Double(state.step))
    negativeClr = Scalar(-(settings.lr / correction))
  }

  /// The update of one lane.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    let g = preparation.gradient(&slots)
    slots.buffer0 = slots.buffer0.lerp(to: g, weight: firstWeight)
    slots.buffer1 = L.maximum(
      slots.buffer1 * L(repeating: beta2), g.absoluteValue + L(repeating: eps))
    slots.param = slots.param.adding(negativeClr, times: slots.buffer0, over: slots.buffer1)
  }
}

/// `torch.optim.Adamax`.
/// An argument left out takes its default from ``AdamaxHyperparameters``.
public final class Adamax<Scalar: LaneScalar>: Optimizer<AdamaxUpdate<Scalar>> {
  /// Adamax over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    eps: Double? = nil, weightDecay: Double? = nil, maximize: Bool? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
      maximize: maximize)
  }

  /// Adamax over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    eps: Double? = nil, weightDecay: Double? = nil, maximize: Bool? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given([
        "lr": .of(lr), "betas": .of(betas), "eps": .of(eps), "weightDecay": .of(weightDecay),
        "maximize": .of(maximize),
      ]))
  }
}
