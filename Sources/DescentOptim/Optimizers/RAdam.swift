import DescentTensor

/// RAdam's hyperparameters, with PyTorch's defaults.
public struct RAdamHyperparameters: BetasHyperparameters {
  /// The learning rate (default 0.001).
  public var lr = 0.001
  /// The decay rates of the first and second moments (default (0.9, 0.999)).
  public var betas = (0.9, 0.999)
  /// Added to the denominator, outside the square root (default 1e-8).
  public var eps = 1e-8
  /// The weight decay (default 0).
  public var weightDecay = 0.0
  /// Whether weight decay multiplies the parameter rather than adding to the gradient.
  public var decoupledWeightDecay = false
  /// Whether to maximize the objective (default false).
  public var maximize = false

  /// PyTorch's defaults.
  public init() {}
}

extension RAdamHyperparameters: DeclaredHyperparameters {
  /// `"RAdam"`.
  public static var optimizerName: String { "RAdam" }

  /// lr, eps and weight decay `>= 0`, betas in [0, 1).
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative), .pair("betas", \.betas, each: .unitInterval),
      .number("eps", \.eps, .nonNegative), .number("weightDecay", \.weightDecay, .nonNegative),
      .flag("decoupledWeightDecay", \.decoupledWeightDecay), .flag("maximize", \.maximize),
    ]
  }
}

/// RAdam, as `torch.optim.RAdam`: Adam's moments; with `rho_t` the length of the approximated
/// SMA, `p -= lr m / bc1 * sqrt(bc2) / (sqrt(v) + eps) * r_t` when `rho_t > 5`, else
/// `p -= lr m / bc1`.
public struct RAdamUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"RAdam"`.
  public static var name: String { "RAdam" }

  /// `exp_avg` and `exp_avg_sq`, zeros.
  public static func initialState(
    for parameter: Parameter<Scalar>, _ settings: RAdamHyperparameters
  )
    -> ParameterState<Scalar>
  {
    ParameterState(count: parameter.count, buffers: [("exp_avg", 0), ("exp_avg_sq", 0)])
  }

  let preparation: GradientPreparation<Scalar>
  let moments: AdamMoments<Scalar>
  let correction1: Scalar
  let lr: Scalar
  let correction2Root: Scalar
  let eps: Scalar
  /// The rectification term, or `nil` while the variance is intractable (`rho_t <= 5`).
  let rectification: Scalar?

  /// The step's constants.
  public init(_ settings: RAdamHyperparameters, state: inout ParameterState<Scalar>) {
    preparation = GradientPreparation(
      maximize: settings.maximize, weightDecay: settings.weightDecay,
      decoupled: settings.decoupledWeightDecay, lr: settings.lr)
    moments = AdamMoments(betas: settings.betas)
    let (beta1, beta2, step) = (settings.betas.0, settings.betas.1, Double(state.step))
    let bc2 = 1 - pythonPower(beta2, step)
    correction1 = Scalar(1 - pythonPower(beta1, step))
    lr = Scalar(settings.lr)
    correction2Root = Scalar(pythonPower(bc2, 0.5))
    eps = Scalar(settings.eps)
    let rhoInf = 2 / (1 - beta2) - 1
    let rhoT = rhoInf - 2 * step * pythonPower(beta2, step) / bc2
    rectification =
      rhoT > 5
      ? Scalar(
        pythonPower(
          (rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT), 0.5))
      : nil
  }

  /// The update of one lane.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    let g = preparation.gradient(&slots)
    moments.update(&slots.buffer0, &slots.buffer1, gradient: g)
    var change = slots.buffer0 / L(repeating: correction1) * L(repeating: lr)
    if let rectification {
      let adaptive =
        L(repeating: correction2Root) / (slots.buffer1.squareRoot() + L(repeating: eps))
      change = change * adaptive * L(repeating: rectification)
    }
    slots.param = slots.param + L(repeating: -1) * change
  }
}

/// `torch.optim.RAdam`.
/// An argument left out takes its default from ``RAdamHyperparameters``.
public final class RAdam<Scalar: LaneScalar>: Optimizer<RAdamUpdate<Scalar>> {
  /// RAdam over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    eps: Double? = nil, weightDecay: Double? = nil, decoupledWeightDecay: Bool? = nil,
    maximize: Bool? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
      decoupledWeightDecay: decoupledWeightDecay, maximize: maximize)
  }

  /// RAdam over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    eps: Double? = nil, weightDecay: Double? = nil, decoupledWeightDecay: Bool? = nil,
    maximize: Bool? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given([
        "lr": .of(lr), "betas": .of(betas), "eps": .of(eps), "weightDecay": .of(weightDecay),
        "decoupledWeightDecay": .of(decoupledWeightDecay), "maximize": .of(maximize),
      ]))
  }
}
