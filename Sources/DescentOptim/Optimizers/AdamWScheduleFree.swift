import DescentTensor

/// Schedule-free AdamW's hyperparameters, with schedulefree 1.4.1's defaults, and the group's
/// step bookkeeping (see ``ScheduleFreeHyperparameters``).
public struct AdamWScheduleFreeHyperparameters: BetasHyperparameters, ScheduleFreeHyperparameters {
  /// The learning rate (default 0.0025).
  public var lr = 0.0025
  /// `betas.0` places `y` between `z` and the average `x`; `betas.1` decays the second moment
  /// (default (0.9, 0.999)).
  public var betas = (0.9, 0.999)
  /// Added to the denominator, outside the square root (default 1e-8).
  public var eps = 1e-8
  /// The weight decay, added to the normalized gradient at `y` (default 0).
  public var weightDecay = 0.0
  /// The number of linear warmup steps of the learning rate (default 0).
  public var warmupSteps = 0
  /// The exponent of the step number in the averaging weight (default 0).
  public var r = 0.0
  /// The exponent of the largest learning rate in the averaging weight (default 2).
  public var weightLrPower = 2.0
  /// The number of steps taken (bookkeeping, default 0).
  public var k = 0
  /// The sum of the averaging weights (bookkeeping, default 0).
  public var weightSum = 0.0
  /// The largest scheduled learning rate so far (bookkeeping, default -1).
  public var lrMax = -1.0
  /// The last step's scheduled learning rate (bookkeeping, default 0).
  public var scheduledLr = 0.0
  /// Whether the parameters hold `y` (bookkeeping, default false).
  public var trainMode = false

  /// schedulefree's defaults.
  public init() {}

  /// `betas.0`: where `y` sits between `z` and the average `x`.
  public var interpolation: Double { betas.0 }
}

extension AdamWScheduleFreeHyperparameters: DeclaredHyperparameters {
  /// `"AdamWScheduleFree"`.
  public static var optimizerName: String { "AdamWScheduleFree" }

  /// lr, eps and weight decay `>= 0`, `betas.0` in (0, 1), `betas.1` in [0, 1), then the warmup, exponents and bookkeeping.
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative),
      .pair("betas", \.betas, each: .openUnitInterval, second: .unitInterval),
      .number("eps", \.eps, .nonNegative), .number("weightDecay", \.weightDecay, .nonNegative),
    ] + scheduleFreeFields
  }
}

/// Schedule-free AdamW, as schedulefree 1.4.1's `AdamWScheduleFree` (single-tensor path). With
/// `c` the weight of this step in the average and `lr` the warmed-up rate, per element:
/// `v = beta2 v + (1 - beta2) g^2`; `u = g / (sqrt(v / (1 - beta2^(k+1))) + eps) + wd y`;
/// `y = lerp(y, z, c) + lr (beta1 (1 - c) - 1) u`; `z -= lr u`.
public struct AdamWScheduleFreeUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"AdamWScheduleFree"`.
  public static var name: String { "AdamWScheduleFree" }

  /// `z`, a copy of the parameter, and `exp_avg_sq`, zeros.
  public static func initialState(
    for parameter: Parameter<Scalar>, _: AdamWScheduleFreeHyperparameters
  ) -> ParameterState<Scalar> {
    .startingAt(parameter, zeroBuffers: ["exp_avg_sq"])
  }

  let beta2: Scalar
  let secondWeight: Scalar
  let correction2: Scalar
  let eps: Scalar
  let weightDecay: Scalar
  let decays: Bool
  let averageWeight: Scalar
  let yStep: Scalar
  let negativeLR: Scalar

  /// The step's constants, from the group's bookkeeping as advanced for this step.
  public init(_ settings: AdamWScheduleFreeHyperparameters, state _: inout ParameterState<Scalar>) {
    let (beta1, beta2) = settings.betas
    let average = settings.averageWeight
    let lr = settings.scheduledLr
    self.beta2 = Scalar(beta2)
    secondWeight = Scalar(1 - beta2)
    correction2 = Scalar(1 - pythonPower(beta2, Double(settings.k + 1)))
    eps = Scalar(settings.eps)
    weightDecay = Scalar(settings.weightDecay)
    decays = settings.weightDecay != 0
    averageWeight = Scalar(average)
    yStep = Scalar(lr * (beta1 * (1 - average) - 1))
    negativeLR = Scalar(-lr)
  }

  /// The update of one lane: `buffer0` is `z`, `buffer1` `exp_avg_sq`.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    let g = slots.grad
    slots.buffer1 = slots.buffer1.decayed(by: beta2, adding: secondWeight, times: g, g)
    let denominator = (slots.buffer1 / L(repeating: correction2)).squareRoot() + L(repeating: eps)
    var normalized = g / denominator
    if decays { normalized = normalized + L(repeating: weightDecay) * slots.param }
    slots.param = slots.param.lerp(to: slots.buffer0, weight: averageWeight)
    slots.param = slots.param + L(repeating: yStep) * normalized
    slots.buffer0 = slots.buffer0 + L(repeating: negativeLR) * normalized
  }
}

/// Schedule-free AdamW (schedulefree 1.4.1): `AdamWScheduleFree(net.parameters(), lr: 0.0025)`.
/// No learning-rate schedule is needed; call ``ScheduleFreeOptimizer/eval()`` before evaluating
/// and ``ScheduleFreeOptimizer/train()`` before training again.
/// An argument left out takes its default from ``AdamWScheduleFreeHyperparameters``.
public final class AdamWScheduleFree<Scalar: LaneScalar>:
  ScheduleFreeOptimizer<AdamWScheduleFreeUpdate<Scalar>>
{
  /// Schedule-free AdamW over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    eps: Double? = nil, weightDecay: Double? = nil, warmupSteps: Int? = nil, r: Double? = nil,
    weightLrPower: Double? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
      warmupSteps: warmupSteps, r: r, weightLrPower: weightLrPower)
  }

  /// Schedule-free AdamW over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    eps: Double? = nil, weightDecay: Double? = nil, warmupSteps: Int? = nil, r: Double? = nil,
    weightLrPower: Double? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given([
        "lr": .of(lr), "betas": .of(betas), "eps": .of(eps), "weightDecay": .of(weightDecay),
        "warmupSteps": .of(warmupSteps), "r": .of(r), "weightLrPower": .of(weightLrPower),
      ]), name: AdamWScheduleFreeUpdate<Scalar>.name)
  }
}
