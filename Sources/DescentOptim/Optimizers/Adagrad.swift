import DescentTensor

/// Adagrad's hyperparameters, with PyTorch's defaults.
public struct AdagradHyperparameters: Hyperparameters {
  /// The learning rate (default 0.01).
  public var lr = 0.01
  /// The learning-rate decay per step: `lr / (1 + (step - 1) * lrDecay)` (default 0).
  public var lrDecay = 0.0
  /// The L2 penalty (default 0).
  public var weightDecay = 0.0
  /// The starting value of the sum of squared gradients (default 0).
  public var initialAccumulatorValue = 0.0
  /// Added to the denominator, outside the square root (default 1e-10).
  public var eps = 1e-10
  /// Whether to maximize the objective (default false).
  public var maximize = false

  /// PyTorch's defaults.
  public init() {}
}

extension AdagradHyperparameters: DeclaredHyperparameters {
  /// `"Adagrad"`.
  public static var optimizerName: String { "Adagrad" }

  /// Every number `>= 0`.
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative), .number("lrDecay", \.lrDecay, .nonNegative),
      .number("weightDecay", \.weightDecay, .nonNegative),
      .number("initialAccumulatorValue", \.initialAccumulatorValue, .nonNegative),
      .number("eps", \.eps, .nonNegative), .flag("maximize", \.maximize),
    ]
  }
}

/// Adagrad, as `torch.optim.Adagrad`: `G += g^2`; `p -= clr * g / (sqrt(G) + eps)` with
/// `clr = lr / (1 + (step - 1) * lrDecay)`. State is created for every parameter at construction.
public struct AdagradUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"Adagrad"`.
  public static var name: String { "Adagrad" }
  /// State is created at construction, as PyTorch does.
  public static var createsStateEagerly: Bool { true }

  /// `sum` filled with the initial accumulator value.
  public static func initialState(
    for parameter: Parameter<Scalar>, _ settings: AdagradHyperparameters
  ) -> ParameterState<Scalar> {
    ParameterState(
      count: parameter.count, buffers: [("sum", Scalar(settings.initialAccumulatorValue))])
  }

  let preparation: GradientPreparation<Scalar>
  let negativeClr: Scalar
  let eps: Scalar

  /// The step's constants.
  public init(_ settings: AdagradHyperparameters, state: inout ParameterState<Scalar>) {
    preparation = GradientPreparation(
      maximize: settings.maximize, weightDecay: settings.weightDecay)
    let clr = settings.lr / (1 + Double(state.step - 1) * settings.lrDecay)
    negativeClr = Scalar(-clr)
    eps = Scalar(settings.eps)
  }

  /// The update of one lane.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    let g = preparation.gradient(&slots)
    slots.buffer0 = slots.buffer0 + g * g
    let std = slots.buffer0.squareRoot() + L(repeating: eps)
    slots.param = slots.param.adding(negativeClr, times: g, over: std)
  }
}

/// `torch.optim.Adagrad`: `Adagrad(net.parameters(), lr: 0.01)`.
/// An argument left out takes its default from ``AdagradHyperparameters``.
public final class Adagrad<Scalar: LaneScalar>: Optimizer<AdagradUpdate<Scalar>> {
  /// Adagrad over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, lrDecay: Double? = nil,
    weightDecay: Double? = nil, initialAccumulatorValue: Double? = nil, eps: Double? = nil,
    maximize: Bool? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, lrDecay: lrDecay, weightDecay: weightDecay,
      initialAccumulatorValue: initialAccumulatorValue, eps: eps, maximize: maximize)
  }

  /// Adagrad over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, lrDecay: Double? = nil,
    weightDecay: Double? = nil, initialAccumulatorValue: Double? = nil, eps: Double? = nil,
    maximize: Bool? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given([
        "lr": .of(lr), "lrDecay": .of(lrDecay), "weightDecay": .of(weightDecay),
        "initialAccumulatorValue": .of(initialAccumulatorValue), "eps": .of(eps),
        "maximize": .of(maximize),
      ]))
  }
}
