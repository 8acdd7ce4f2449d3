import DescentTensor

/// Adadelta's hyperparameters, with PyTorch's defaults.
public struct AdadeltaHyperparameters: Hyperparameters {
  /// The factor applied to the update (default 1.0).
  public var lr = 1.0
  /// The decay of the running averages (default 0.9).
  public var rho = 0.9
  /// Added inside both square roots (default 1e-6).
  public var eps = 1e-6
  /// The L2 penalty (default 0).
  public var weightDecay = 0.0
  /// Whether to maximize the objective (default false).
  public var maximize = false

  /// PyTorch's defaults.
  public init() {}
}

extension AdadeltaHyperparameters: DeclaredHyperparameters {
  /// `"Adadelta"`.
  public static var optimizerName: String { "Adadelta" }

  /// lr, eps and weight decay `>= 0`, rho in [0, 1].
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative), .number("rho", \.rho, .closedUnitInterval),
      .number("eps", \.eps, .nonNegative), .number("weightDecay", \.weightDecay, .nonNegative),
      .flag("maximize", \.maximize),
    ]
  }
}

/// Adadelta, as `torch.optim.Adadelta`: `v = rho v + (1 - rho) g^2`;
/// `d = sqrt(u + eps) / sqrt(v + eps) * g`; `u = rho u + (1 - rho) d^2`; `p -= lr d`.
public struct AdadeltaUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"Adadelta"`.
  public static var name: String { "Adadelta" }

  /// `square_avg` and `acc_delta`, zeros.
  public static func initialState(
    for parameter: Parameter<Scalar>, _ settings: AdadeltaHyperparameters
  ) -> ParameterState<Scalar> {
    ParameterState(count: parameter.count, buffers: [("square_avg", 0), ("acc_delta", 0)])
  }

  let preparation: GradientPreparation<Scalar>
  let rho: Scalar
  let weight: Scalar
  let eps: Scalar
  let negativeLR: Scalar

  /// The step's constants.
  public init(_ settings: AdadeltaHyperparameters, state: inout ParameterState<Scalar>) {
    preparation = GradientPreparation(
      maximize: settings.maximize, weightDecay: settings.weightDecay)
    rho = Scalar(settings.rho)
    weight = Scalar(1 - settings.rho)
    eps = Scalar(settings.eps)
    negativeLR = Scalar(-settings.lr)
  }

  /// The update of one lane.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    let g = preparation.gradient(&slots)
    slots.buffer0 = slots.buffer0.decayed(by: rho, adding: weight, times: g, g)
    let std = (slots.buffer0 + L(repeating: eps)).squareRoot()
    let delta = (slots.buffer1 + L(repeating: eps)).squareRoot() / std * g
    slots.buffer1 = slots.buffer1.decayed(by: rho, adding: weight, times: delta, delta)
    slots.param = slots.param + L(repeating: negativeLR) * delta
  }
}

/// `torch.optim.Adadelta`.
/// An argument left out takes its default from ``AdadeltaHyperparameters``.
public final class Adadelta<Scalar: LaneScalar>: Optimizer<AdadeltaUpdate<Scalar>> {
  /// Adadelta over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, rho: Double? = nil, eps: Double? = nil,
    weightDecay: Double? = nil, maximize: Bool? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, rho: rho, eps: eps, weightDecay: weightDecay,
      maximize: maximize)
  }

  /// Adadelta over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, rho: Double? = nil, eps: Double? = nil,
    weightDecay: Double? = nil, maximize: Bool? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given([
        "lr": .of(lr), "rho": .of(rho), "eps": .of(eps), "weightDecay": .of(weightDecay),
        "maximize": .of(maximize),
      ]))
  }
}
