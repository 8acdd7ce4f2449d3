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

  /// Validated hyperparameters.
  ///
  /// - Throws: ``OptimizerError/invalidHyperparameter(optimizer:name:value:requirement:)`` for a
  ///   negative lr, eps or weight decay, or a beta outside [0, 1).
  public init(
    lr: Double = 0.002, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
    weightDecay: Double = 0, maximize: Bool = false
  ) throws {
    let check = HyperparameterCheck("Adamax")
    try check.nonNegative(lr, "lr")
    try check.nonNegative(eps, "eps")
    try check.betas(betas)
    try check.nonNegative(weightDecay, "weightDecay")
    (self.lr, self.betas, self.eps, self.weightDecay, self.maximize) =
      (lr, betas, eps, weightDecay, maximize)
  }

  /// Reads and validates every entry.
  public init(entries: [String: HyperparameterValue]) throws {
    let read = try HyperparameterReader(entries, for: Self.self, optimizer: "Adamax")
    try self.init(
      lr: read.number("lr"), betas: read.pair("betas"), eps: read.number("eps"),
      weightDecay: read.number("weightDecay"), maximize: read.flag("maximize"))
  }

  /// Every hyperparameter by name.
  public var entries: [String: HyperparameterValue] {
    [
      "lr": .number(lr), "betas": .pair(betas.0, betas.1), "eps": .number(eps),
      "weightDecay": .number(weightDecay), "maximize": .flag(maximize),
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
public final class Adamax<Scalar: LaneScalar>: Optimizer<AdamaxUpdate<Scalar>> {
  /// Adamax over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double = 0.002,
    betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8, weightDecay: Double = 0,
    maximize: Bool = false
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
      maximize: maximize)
  }

  /// Adamax over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double = 0.002,
    betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8, weightDecay: Double = 0,
    maximize: Bool = false
  ) throws {
    try super.init(
      groups: groups,
      defaults: AdamaxHyperparameters(
        lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, maximize: maximize))
  }
}
