import DescentTensor

/// Adam's (and AdamW's) hyperparameters, with PyTorch's Adam defaults.
public struct AdamHyperparameters: BetasHyperparameters {
  /// The learning rate (default 0.001).
  public var lr = 0.001
  /// The decay rates of the first and second moments (default (0.9, 0.999)).
  public var betas = (0.9, 0.999)
  /// Added to the denominator, outside the square root (default 1e-8).
  public var eps = 1e-8
  /// The weight decay (default 0; AdamW's default is 0.01).
  public var weightDecay = 0.0
  /// Whether to divide by the running maximum of the second moment (default false).
  public var amsgrad = false
  /// Whether weight decay multiplies the parameter (AdamW) rather than adding to the gradient.
  public var decoupledWeightDecay = false
  /// Whether to maximize the objective (default false).
  public var maximize = false

  /// How the moments are stored: float32 as PyTorch, or bfloat16 (float32 arithmetic, each
  /// moment rounded to the nearest bfloat16 after every step: half the memory) (default
  /// float32; Descent's own option, printed only when not the default).
  public var stateDType = StateDType.float32

  /// PyTorch's Adam defaults.
  public init() {}

  /// AdamW's defaults: weight decay 0.01, decoupled.
  public static var adamW: AdamHyperparameters {
    var settings = AdamHyperparameters()
    settings.weightDecay = 0.01
    settings.decoupledWeightDecay = true
    return settings
  }
}

extension AdamHyperparameters: DeclaredHyperparameters {
  /// `"Adam"`.
  public static var optimizerName: String { "Adam" }

  /// lr, eps and weight decay `>= 0`, betas in [0, 1).
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative), .pair("betas", \.betas, each: .unitInterval),
      .number("eps", \.eps, .nonNegative), .number("weightDecay", \.weightDecay, .nonNegative),
      .flag("amsgrad", \.amsgrad), .flag("decoupledWeightDecay", \.decoupledWeightDecay),
      .flag("maximize", \.maximize), .stateDType(\.stateDType),
    ]
  }
}

/// Adam, as `torch.optim.Adam` (single-tensor path): moments `m`, `v`; with AMSGrad
/// `vmax = max(vmax, v)` (uncorrected); `p -= (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps)`.
public struct AdamUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"Adam"`.
  public static var name: String { "Adam" }

  /// `exp_avg`, `exp_avg_sq` and, with AMSGrad, `max_exp_avg_sq`, all zeros, in bfloat16 when
  /// `stateDType` says so.
  public static func initialState(for parameter: Parameter<Scalar>, _ settings: AdamHyperparameters)
    -> ParameterState<Scalar>
  {
    var buffers: [(name: String, fill: Scalar)] = [("exp_avg", 0), ("exp_avg_sq", 0)]
    if settings.amsgrad { buffers.append(("max_exp_avg_sq", 0)) }
    return ParameterState(
      count: parameter.count, buffers: buffers,
      encoding: settings.stateDType == .bfloat16 ? .bfloat16 : .plain)
  }

  let preparation: GradientPreparation<Scalar>
  let moments: AdamMoments<Scalar>
  let negativeStepSize: Scalar
  let correction2Root: Scalar
  let eps: Scalar
  let amsgrad: Bool

  /// The step's constants: the bias corrections of step `state.step`.
  public init(_ settings: AdamHyperparameters, state: inout ParameterState<Scalar>) {
    preparation = GradientPreparation(
      maximize: settings.maximize, weightDecay: settings.weightDecay,
      decoupled: settings.decoupledWeightDecay, lr: settings.lr)
    moments = AdamMoments(betas: settings.betas)
    let step = Double(state.step)
    let correction1 = 1 - pythonPower(settings.betas.0, step)
    let correction2 = 1 - pythonPower(settings.betas.1, step)
    negativeStepSize = Scalar(-(settings.lr / correction1))
    correction2Root = Scalar(pythonPower(correction2, 0.5))
    eps = Scalar(settings.eps)
    amsgrad = settings.amsgrad && state.bufferNames.count > 2
  }

  /// The update of one lane.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    let g = preparation.gradient(&slots)
    moments.update(&slots.buffer0, &slots.buffer1, gradient: g)
    var second = slots.buffer1
    if amsgrad {
      slots.buffer2 = L.maximum(slots.buffer2, slots.buffer1)
      second = slots.buffer2
    }
    let denominator = second.squareRoot() / L(repeating: correction2Root) + L(repeating: eps)
    slots.param = slots.param.adding(negativeStepSize, times: slots.buffer0, over: denominator)
  }
}

/// `torch.optim.Adam`: `Adam(net.parameters(), lr: 0.01, betas: (0.9, 0.999), eps: 1e-8)`; an
/// argument left out takes its default from ``AdamHyperparameters``.
public final class Adam<Scalar: LaneScalar>: Optimizer<AdamUpdate<Scalar>> {
  /// Adam over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    eps: Double? = nil, weightDecay: Double? = nil, amsgrad: Bool? = nil,
    decoupledWeightDecay: Bool? = nil, maximize: Bool? = nil, stateDType: StateDType? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
      amsgrad: amsgrad, decoupledWeightDecay: decoupledWeightDecay, maximize: maximize,
      stateDType: stateDType)
  }

  /// Adam over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    eps: Double? = nil, weightDecay: Double? = nil, amsgrad: Bool? = nil,
    decoupledWeightDecay: Bool? = nil, maximize: Bool? = nil, stateDType: StateDType? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given([
        "lr": .of(lr), "betas": .of(betas), "eps": .of(eps), "weightDecay": .of(weightDecay),
        "amsgrad": .of(amsgrad), "decoupledWeightDecay": .of(decoupledWeightDecay),
        "maximize": .of(maximize), "stateDType": .of(stateDType),
      ]))
  }
}

/// `torch.optim.AdamW`: Adam with decoupled weight decay (default 0.01); an argument left out
/// takes its default from ``AdamHyperparameters/adamW``.
public final class AdamW<Scalar: LaneScalar>: Optimizer<AdamUpdate<Scalar>> {
  /// AdamW over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    eps: Double? = nil, weightDecay: Double? = nil, amsgrad: Bool? = nil, maximize: Bool? = nil,
    stateDType: StateDType? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
      amsgrad: amsgrad, maximize: maximize, stateDType: stateDType)
  }

  /// AdamW over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    eps: Double? = nil, weightDecay: Double? = nil, amsgrad: Bool? = nil, maximize: Bool? = nil,
    stateDType: StateDType? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given(
        [
          "lr": .of(lr), "betas": .of(betas), "eps": .of(eps), "weightDecay": .of(weightDecay),
          "amsgrad": .of(amsgrad), "maximize": .of(maximize), "stateDType": .of(stateDType),
        ], base: .adamW),
      name: "AdamW")
  }
}
