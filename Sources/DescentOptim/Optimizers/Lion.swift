import DescentTensor

/// Lion's hyperparameters, with lion-pytorch's defaults.
public struct LionHyperparameters: BetasHyperparameters {
  /// The learning rate (default 1e-4).
  public var lr = 1e-4
  /// `betas.0` weighs the momentum in the update's sign, `betas.1` decays the momentum
  /// (default (0.9, 0.99)).
  public var betas = (0.9, 0.99)
  /// The decoupled weight decay: the parameter is multiplied by `1 - lr * weightDecay`
  /// (default 0).
  public var weightDecay = 0.0

  /// lion-pytorch's defaults.
  public init() {}
}

extension LionHyperparameters: DeclaredHyperparameters {
  /// `"Lion"`.
  public static var optimizerName: String { "Lion" }

  /// lr `> 0`, betas in [0, 1], weight decay `>= 0`.
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .positive), .pair("betas", \.betas, each: .closedUnitInterval),
      .number("weightDecay", \.weightDecay, .nonNegative),
    ]
  }
}

/// Lion (EvoLved Sign Momentum), as lion-pytorch 0.2.5: `p *= 1 - lr * weightDecay`;
/// `p -= lr * sign(beta1 * m + (1 - beta1) * g)`; then `m = beta2 * m + (1 - beta2) * g`.
public struct LionUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"Lion"`.
  public static var name: String { "Lion" }

  /// `exp_avg`, zeros.
  public static func initialState(for parameter: Parameter<Scalar>, _: LionHyperparameters)
    -> ParameterState<Scalar>
  {
    ParameterState(count: parameter.count, buffers: [("exp_avg", 0)])
  }

  let decayFactor: Scalar
  let beta1: Scalar
  let updateWeight: Scalar
  let beta2: Scalar
  let momentumWeight: Scalar
  let negativeLR: Scalar

  /// The step's constants.
  public init(_ settings: LionHyperparameters, state _: inout ParameterState<Scalar>) {
    decayFactor = Scalar(1 - settings.lr * settings.weightDecay)
    beta1 = Scalar(settings.betas.0)
    updateWeight = Scalar(1 - settings.betas.0)
    beta2 = Scalar(settings.betas.1)
    momentumWeight = Scalar(1 - settings.betas.1)
    negativeLR = Scalar(-settings.lr)
  }

  /// The update of one lane.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    let g = slots.grad
    slots.param = slots.param * L(repeating: decayFactor)
    let direction = (slots.buffer0 * L(repeating: beta1) + L(repeating: updateWeight) * g).torchSign
    slots.param = slots.param + L(repeating: negativeLR) * direction
    slots.buffer0 = slots.buffer0 * L(repeating: beta2) + L(repeating: momentumWeight) * g
  }
}

/// An optimizer with Lion's hyperparameters (``Lion``, ``Lion8bit``); an argument left out takes
/// its default from ``LionHyperparameters``.
public class LionOptimizer<Algorithm: ElementwiseAlgorithm>: Optimizer<Algorithm>
where Algorithm.Settings == LionHyperparameters {
  /// The optimizer over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    weightDecay: Double? = nil
  ) throws {
    try self.init([ParameterGroup(parameters)], lr: lr, betas: betas, weightDecay: weightDecay)
  }

  /// The optimizer over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    weightDecay: Double? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given(["lr": .of(lr), "betas": .of(betas), "weightDecay": .of(weightDecay)]))
  }
}

/// Lion (Chen et al., 2023), as lion-pytorch 0.2.5: `Lion(net.parameters(), lr: 1e-4)`.
/// Its steps are all the same size (`lr` per element), so it wants a learning rate 3 to 10
/// times smaller than AdamW's.
public final class Lion<Scalar: LaneScalar>: LionOptimizer<LionUpdate<Scalar>> {}
