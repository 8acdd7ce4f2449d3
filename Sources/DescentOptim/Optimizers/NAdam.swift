import DescentTensor

/// NAdam's hyperparameters, with PyTorch's defaults.
public struct NAdamHyperparameters: BetasHyperparameters {
  /// The learning rate (default 0.002).
  public var lr = 0.002
  /// The decay rates of the first and second moments (default (0.9, 0.999)).
  public var betas = (0.9, 0.999)
  /// Added to the denominator, outside the square root (default 1e-8).
  public var eps = 1e-8
  /// The weight decay (default 0).
  public var weightDecay = 0.0
  /// The momentum schedule's decay `psi` in `mu_t = beta1 (1 - 0.5 * 0.96^(t psi))` (default 0.004).
  public var momentumDecay = 0.004
  /// Whether weight decay multiplies the parameter rather than adding to the gradient.
  public var decoupledWeightDecay = false
  /// Whether to maximize the objective (default false).
  public var maximize = false

  /// PyTorch's defaults.
  public init() {}
}

extension NAdamHyperparameters: DeclaredHyperparameters {
  /// `"NAdam"`.
  public static var optimizerName: String { "NAdam" }

  /// lr, eps, weight decay and momentum decay `>= 0`, betas in [0, 1).
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative), .pair("betas", \.betas, each: .unitInterval),
      .number("eps", \.eps, .nonNegative), .number("weightDecay", \.weightDecay, .nonNegative),
      .number("momentumDecay", \.momentumDecay, .nonNegative),
      .flag("decoupledWeightDecay", \.decoupledWeightDecay), .flag("maximize", \.maximize),
    ]
  }
}

/// NAdam, as `torch.optim.NAdam`: Adam's moments with the momentum schedule `mu_t`, its running
/// product `mu_product` (a float32 scalar, as PyTorch keeps it) and
/// `p -= lr (1 - mu_t) / (1 - prod_t) g / d + lr mu_{t+1} / (1 - prod_{t+1}) m / d`,
/// `d = sqrt(v / (1 - beta2^t)) + eps`.
public struct NAdamUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"NAdam"`.
  public static var name: String { "NAdam" }

  /// `exp_avg` and `exp_avg_sq` zeros, `mu_product` 1.
  public static func initialState(
    for parameter: Parameter<Scalar>, _ settings: NAdamHyperparameters
  )
    -> ParameterState<Scalar>
  {
    ParameterState(
      count: parameter.count, buffers: [("exp_avg", 0), ("exp_avg_sq", 0)],
      scalars: ["mu_product": 1])
  }

  let preparation: GradientPreparation<Scalar>
  let moments: AdamMoments<Scalar>
  let correction2: Scalar
  let eps: Scalar
  let gradientFactor: Scalar
  let averageFactor: Scalar

  /// The step's constants; advances `mu_product`.
  public init(_ settings: NAdamHyperparameters, state: inout ParameterState<Scalar>) {
    preparation = GradientPreparation(
      maximize: settings.maximize, weightDecay: settings.weightDecay,
      decoupled: settings.decoupledWeightDecay, lr: settings.lr)
    moments = AdamMoments(betas: settings.betas)
    let (lr, beta1, step) = (settings.lr, settings.betas.0, Double(state.step))
    correction2 = Scalar(1 - pythonPower(settings.betas.1, step))
    eps = Scalar(settings.eps)
    let mu = beta1 * (1 - 0.5 * pythonPower(0.96, step * settings.momentumDecay))
    let muNext = beta1 * (1 - 0.5 * pythonPower(0.96, (step + 1) * settings.momentumDecay))
    let product = Double(Float(state[scalar: "mu_product"] ?? 1) * Float(mu))
    state[scalar: "mu_product"] = product
    gradientFactor = Scalar(-lr * (1 - mu) / (1 - product))
    averageFactor = Scalar((-lr * muNext) / (1 - product * muNext))
  }

  /// The update of one lane.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    let g = preparation.gradient(&slots)
    moments.update(&slots.buffer0, &slots.buffer1, gradient: g)
    let denominator = (slots.buffer1 / L(repeating: correction2)).squareRoot() + L(repeating: eps)
    slots.param = slots.param.adding(gradientFactor, times: g, over: denominator)
    slots.param = slots.param.adding(averageFactor, times: slots.buffer0, over: denominator)
  }
}

/// `torch.optim.NAdam`.
/// An argument left out takes its default from ``NAdamHyperparameters``.
public final class NAdam<Scalar: LaneScalar>: Optimizer<NAdamUpdate<Scalar>> {
  /// NAdam over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    eps: Double? = nil, weightDecay: Double? = nil, momentumDecay: Double? = nil,
    decoupledWeightDecay: Bool? = nil, maximize: Bool? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
      momentumDecay: momentumDecay, decoupledWeightDecay: decoupledWeightDecay, maximize: maximize)
  }

  /// NAdam over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    eps: Double? = nil, weightDecay: Double? = nil, momentumDecay: Double? = nil,
    decoupledWeightDecay: Bool? = nil, maximize: Bool? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given([
        "lr": .of(lr), "betas": .of(betas), "eps": .of(eps), "weightDecay": .of(weightDecay),
        "momentumDecay": .of(momentumDecay), "decoupledWeightDecay": .of(decoupledWeightDecay),
        "maximize": .of(maximize),
      ]))
  }
}
