import DescentTensor

/// Schedule-free SGD's hyperparameters, with schedulefree 1.4.1's defaults, and the group's
/// step bookkeeping (see ``ScheduleFreeHyperparameters``).
public struct SGDScheduleFreeHyperparameters: MomentumHyperparameters, ScheduleFreeHyperparameters {
  /// The learning rate (default 1).
  public var lr = 1.0
  /// Places `y` between `z` and the average `x` (default 0.9).
  public var momentum = 0.9
  /// The L2 penalty, added to the gradient at `y` (default 0).
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

  /// The momentum: where `y` sits between `z` and the average `x`.
  public var interpolation: Double { momentum }
}

extension SGDScheduleFreeHyperparameters: DeclaredHyperparameters {
  /// `"SGDScheduleFree"`.
  public static var optimizerName: String { "SGDScheduleFree" }

  /// lr and weight decay `>= 0`, momentum in (0, 1), then the warmup, exponents and bookkeeping.
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative), .number("momentum", \.momentum, .openUnitInterval),
      .number("weightDecay", \.weightDecay, .nonNegative),
    ] + scheduleFreeFields
  }
}

/// Schedule-free SGD, as schedulefree 1.4.1's `SGDScheduleFree` (single-tensor path). With `c`
/// the weight of this step in the average and `lr` the warmed-up rate, per element:
/// `u = g + wd y`; `y = lerp(y, z, c) + lr (momentum (1 - c) - 1) u`; `z -= lr u`.
public struct SGDScheduleFreeUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"SGDScheduleFree"`.
  public static var name: String { "SGDScheduleFree" }

  /// `z`, a copy of the parameter.
  public static func initialState(
    for parameter: Parameter<Scalar>, _: SGDScheduleFreeHyperparameters
  ) -> ParameterState<Scalar> {
    .startingAt(parameter, zeroBuffers: [])
  }

  let weightDecay: Scalar
  let decays: Bool
  let averageWeight: Scalar
  let yStep: Scalar
  let negativeLR: Scalar

  /// The step's constants, from the group's bookkeeping as advanced for this step.
  public init(_ settings: SGDScheduleFreeHyperparameters, state _: inout ParameterState<Scalar>) {
    let average = settings.averageWeight
    let lr = settings.scheduledLr
    weightDecay = Scalar(settings.weightDecay)
    decays = settings.weightDecay != 0
    averageWeight = Scalar(average)
    yStep = Scalar(lr * (settings.momentum * (1 - average) - 1))
    negativeLR = Scalar(-lr)
  }

  /// The update of one lane: `buffer0` is `z`.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    var g = slots.grad
    if decays { g = g + L(repeating: weightDecay) * slots.param }
    slots.param = slots.param.lerp(to: slots.buffer0, weight: averageWeight)
    slots.param = slots.param + L(repeating: yStep) * g
    slots.buffer0 = slots.buffer0 + L(repeating: negativeLR) * g
  }
}

/// Schedule-free SGD (schedulefree 1.4.1): `SGDScheduleFree(net.parameters(), lr: 1)`.
/// No learning-rate schedule is needed; call ``ScheduleFreeOptimizer/eval()`` before evaluating
/// and ``ScheduleFreeOptimizer/train()`` before training again.
/// An argument left out takes its default from ``SGDScheduleFreeHyperparameters``.
public final class SGDScheduleFree<Scalar: LaneScalar>:
  ScheduleFreeOptimizer<SGDScheduleFreeUpdate<Scalar>>
{
  /// Schedule-free SGD over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, momentum: Double? = nil,
    weightDecay: Double? = nil, warmupSteps: Int? = nil, r: Double? = nil,
    weightLrPower: Double? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, momentum: momentum, weightDecay: weightDecay,
      warmupSteps: warmupSteps, r: r, weightLrPower: weightLrPower)
  }

  /// Schedule-free SGD over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, momentum: Double? = nil,
    weightDecay: Double? = nil, warmupSteps: Int? = nil, r: Double? = nil,
    weightLrPower: Double? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given([
        "lr": .of(lr), "momentum": .of(momentum), "weightDecay": .of(weightDecay),
        "warmupSteps": .of(warmupSteps), "r": .of(r), "weightLrPower": .of(weightLrPower),
      ]), name: SGDScheduleFreeUpdate<Scalar>.name)
  }
}
