import DescentTensor

/// ASGD's hyperparameters, with PyTorch's defaults.
public struct ASGDHyperparameters: Hyperparameters {
  /// The learning rate (default 0.01).
  public var lr = 0.01
  /// The decay term (default 1e-4).
  public var lambd = 1e-4
  /// The power of the step-size decay (default 0.75).
  public var alpha = 0.75
  /// The step after which averaging starts (default 1e6).
  public var t0 = 1e6
  /// The L2 penalty (default 0).
  public var weightDecay = 0.0
  /// Whether to maximize the objective (default false).
  public var maximize = false

  /// PyTorch's defaults.
  public init() {}
}

extension ASGDHyperparameters: DeclaredHyperparameters {
  /// `"ASGD"`.
  public static var optimizerName: String { "ASGD" }

  /// lr and weight decay `>= 0`; every number finite.
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative), .number("lambd", \.lambd), .number("alpha", \.alpha),
      .number("t0", \.t0), .number("weightDecay", \.weightDecay, .nonNegative),
      .flag("maximize", \.maximize),
    ]
  }
}

/// Averaged SGD, as `torch.optim.ASGD` (single-tensor path):
/// `p = p (1 - lambd eta) - eta g`; `ax += mu (p - ax)` (or `ax = p` while `mu == 1`); then
/// `eta = lr / (1 + lambd lr t)^alpha` and `mu = 1 / max(1, t - t0)`, kept as float32 scalars.
public struct ASGDUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"ASGD"`.
  public static var name: String { "ASGD" }

  /// `ax` zeros, `eta` the learning rate, `mu` 1.
  public static func initialState(for parameter: Parameter<Scalar>, _ settings: ASGDHyperparameters)
    -> ParameterState<Scalar>
  {
    ParameterState(
      count: parameter.count, buffers: [("ax", 0)],
      scalars: ["eta": float32Rounded(settings.lr), "mu": 1])
  }

  let preparation: GradientPreparation<Scalar>
  let decay: Scalar
  let negativeEta: Scalar
  let mu: Scalar
  let averages: Bool

  /// The step's constants from the current `eta` and `mu`, which it then advances.
  public init(_ settings: ASGDHyperparameters, state: inout ParameterState<Scalar>) {
    preparation = GradientPreparation(
      maximize: settings.maximize, weightDecay: settings.weightDecay)
    let eta = state[scalar: "eta"] ?? settings.lr
    let mu = state[scalar: "mu"] ?? 1
    decay = Scalar(1 - settings.lambd * eta)
    negativeEta = Scalar(-eta)
    self.mu = Scalar(mu)
    averages = mu != 1
    let (lr, step) = (settings.lr, Double(state.step))
    state[scalar: "eta"] = float32Rounded(
      lr / pythonPower(1 + settings.lambd * lr * step, settings.alpha))
    state[scalar: "mu"] = float32Rounded(1 / max(1, step - settings.t0))
  }

  /// The update of one lane.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    let g = preparation.gradient(&slots)
    slots.param = slots.param * L(repeating: decay)
    slots.param = slots.param + L(repeating: negativeEta) * g
    if averages {
      slots.buffer0 = slots.buffer0 + (slots.param - slots.buffer0) * L(repeating: mu)
    } else {
      slots.buffer0 = slots.param
    }
  }
}

/// `torch.optim.ASGD`.
/// An argument left out takes its default from ``ASGDHyperparameters``.
public final class ASGD<Scalar: LaneScalar>: Optimizer<ASGDUpdate<Scalar>> {
  /// ASGD over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, lambd: Double? = nil,
    alpha: Double? = nil, t0: Double? = nil, weightDecay: Double? = nil, maximize: Bool? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, lambd: lambd, alpha: alpha, t0: t0,
      weightDecay: weightDecay, maximize: maximize)
  }

  /// ASGD over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, lambd: Double? = nil,
    alpha: Double? = nil, t0: Double? = nil, weightDecay: Double? = nil, maximize: Bool? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given([
        "lr": .of(lr), "lambd": .of(lambd), "alpha": .of(alpha), "t0": .of(t0),
        "weightDecay": .of(weightDecay), "maximize": .of(maximize),
      ]))
  }
}
