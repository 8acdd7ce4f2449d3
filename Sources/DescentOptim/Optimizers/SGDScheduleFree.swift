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

  /// Validated hyperparameters.
  ///
  /// - Throws: ``OptimizerError/invalidHyperparameter(optimizer:name:value:requirement:)`` for a
  ///   negative lr or weight decay, a momentum outside (0, 1), a warmup that is not a whole
  ///   number of steps, or non-finite `r` or `weightLrPower`.
  public init(
    lr: Double = 1, momentum: Double = 0.9, weightDecay: Double = 0, warmupSteps: Int = 0,
    r: Double = 0, weightLrPower: Double = 2
  ) throws {
    try self.init(
      lr: lr, momentum: momentum, weightDecay: weightDecay, warmupSteps: Double(warmupSteps),
      r: r, weightLrPower: weightLrPower, k: 0, weightSum: 0, lrMax: -1,
      scheduledLr: 0, trainMode: false)
  }

  private init(
    lr: Double, momentum: Double, weightDecay: Double, warmupSteps: Double, r: Double,
    weightLrPower: Double, k: Double, weightSum: Double, lrMax: Double,
    scheduledLr: Double, trainMode: Bool
  ) throws {
    let check = HyperparameterCheck("SGDScheduleFree")
    try check.nonNegative(lr, "lr")
    try check.require(momentum > 0 && momentum < 1, "momentum", momentum, "in (0, 1)")
    try check.nonNegative(weightDecay, "weightDecay")
    try check.require(r.isFinite, "r", r, "finite")
    try check.require(weightLrPower.isFinite, "weightLrPower", weightLrPower, "finite")
    try Self.checkBookkeeping(check, k: k, weightSum: weightSum, warmupSteps: warmupSteps)
    (self.lr, self.momentum, self.weightDecay) = (lr, momentum, weightDecay)
    (self.warmupSteps, self.r, self.weightLrPower) = (Int(warmupSteps), r, weightLrPower)
    (self.k, self.weightSum, self.lrMax, self.scheduledLr, self.trainMode) =
      (Int(k), weightSum, lrMax, scheduledLr, trainMode)
  }

  /// Reads and validates every entry.
  public init(entries: [String: HyperparameterValue]) throws {
    let read = try HyperparameterReader(entries, for: Self.self, optimizer: "SGDScheduleFree")
    try self.init(
      lr: read.number("lr"), momentum: read.number("momentum"),
      weightDecay: read.number("weightDecay"), warmupSteps: read.number("warmupSteps"),
      r: read.number("r"), weightLrPower: read.number("weightLrPower"),
      k: read.number("k"), weightSum: read.number("weightSum"),
      lrMax: read.number("lrMax"), scheduledLr: read.number("scheduledLr"),
      trainMode: read.flag("trainMode"))
  }

  /// Every hyperparameter and bookkeeping value by name.
  public var entries: [String: HyperparameterValue] {
    [
      "lr": .number(lr), "momentum": .number(momentum), "weightDecay": .number(weightDecay),
      "warmupSteps": .number(Double(warmupSteps)), "r": .number(r),
      "weightLrPower": .number(weightLrPower),
      "k": .number(Double(k)), "weightSum": .number(weightSum), "lrMax": .number(lrMax),
      "scheduledLr": .number(scheduledLr), "trainMode": .flag(trainMode),
    ]
  }

  /// `momentum`.
  public var interpolation: Double { momentum }
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
public final class SGDScheduleFree<Scalar: LaneScalar>:
  ScheduleFreeOptimizer<SGDScheduleFreeUpdate<Scalar>>
{
  /// Schedule-free SGD over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double = 1, momentum: Double = 0.9,
    weightDecay: Double = 0, warmupSteps: Int = 0, r: Double = 0, weightLrPower: Double = 2
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, momentum: momentum, weightDecay: weightDecay,
      warmupSteps: warmupSteps, r: r, weightLrPower: weightLrPower)
  }

  /// Schedule-free SGD over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double = 1, momentum: Double = 0.9,
    weightDecay: Double = 0, warmupSteps: Int = 0, r: Double = 0, weightLrPower: Double = 2
  ) throws {
    try super.init(
      groups: groups,
      defaults: SGDScheduleFreeHyperparameters(
        lr: lr, momentum: momentum, weightDecay: weightDecay, warmupSteps: warmupSteps, r: r,
        weightLrPower: weightLrPower),
      name: SGDScheduleFreeUpdate<Scalar>.name)
  }
}
