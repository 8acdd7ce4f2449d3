import DescentTensor

/// SGD's hyperparameters, with PyTorch's defaults.
public struct SGDHyperparameters: MomentumHyperparameters {
  /// The learning rate (default 0.001).
  public var lr = 0.001
  /// The momentum factor (default 0: no momentum buffer).
  public var momentum = 0.0
  /// The dampening of the gradient added to the momentum buffer (default 0).
  public var dampening = 0.0
  /// The L2 penalty (default 0).
  public var weightDecay = 0.0
  /// Whether to use Nesterov momentum (default false).
  public var nesterov = false
  /// Whether to maximize the objective (default false).
  public var maximize = false

  /// PyTorch's defaults.
  public init() {}
}

extension SGDHyperparameters: DeclaredHyperparameters {
  /// `"SGD"`.
  public static var optimizerName: String { "SGD" }

  /// lr, momentum and weight decay `>= 0`; Nesterov needs momentum and no dampening.
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative), .number("momentum", \.momentum, .nonNegative),
      .number("dampening", \.dampening), .number("weightDecay", \.weightDecay, .nonNegative),
      .flag("nesterov", \.nesterov), .flag("maximize", \.maximize),
    ]
  }

  /// Nesterov momentum needs momentum and no dampening.
  public func checkCombination(_ check: HyperparameterCheck) throws {
    try check.require(
      !nesterov || (momentum > 0 && dampening == 0), "nesterov", nesterov,
      "false unless momentum > 0 and dampening == 0")
  }
}

/// Stochastic gradient descent with optional (Nesterov) momentum, as `torch.optim.SGD`:
/// `b = g` at the first step, then `b = momentum * b + (1 - dampening) * g`;
/// `p -= lr * (nesterov ? g + momentum * b : b)`.
public struct SGDUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"SGD"`.
  public static var name: String { "SGD" }

  /// No buffers until the first step with momentum (PyTorch's `momentum_buffer` is `None`).
  public static func initialState(for parameter: Parameter<Scalar>, _ settings: SGDHyperparameters)
    -> ParameterState<Scalar>
  {
    ParameterState(count: parameter.count)
  }

  let preparation: GradientPreparation<Scalar>
  let momentum: Scalar
  let gradientWeight: Scalar
  let negativeLR: Scalar
  let usesMomentum: Bool
  let startsBuffer: Bool
  let nesterov: Bool

  /// The step's constants; creates the momentum buffer when momentum is first used.
  public init(_ settings: SGDHyperparameters, state: inout ParameterState<Scalar>) {
    preparation = GradientPreparation(
      maximize: settings.maximize, weightDecay: settings.weightDecay)
    usesMomentum = settings.momentum != 0
    startsBuffer = usesMomentum && !state.hasBuffer("momentum_buffer")
    if usesMomentum { state.addBuffer("momentum_buffer", fill: 0) }
    momentum = Scalar(settings.momentum)
    gradientWeight = Scalar(1 - settings.dampening)
    negativeLR = Scalar(-settings.lr)
    nesterov = settings.nesterov
  }

  /// The update of one lane.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    var g = preparation.gradient(&slots)
    if usesMomentum {
      let buffer =
        startsBuffer
        ? g : slots.buffer0 * L(repeating: momentum) + L(repeating: gradientWeight) * g
      slots.buffer0 = buffer
      g = nesterov ? g + L(repeating: momentum) * buffer : buffer
    }
    slots.param = slots.param + L(repeating: negativeLR) * g
  }
}

/// `torch.optim.SGD`: `SGD(model.parameters(), lr: 0.001, momentum: 0.9)`.
/// An argument left out takes its default from ``SGDHyperparameters``.
public final class SGD<Scalar: LaneScalar>: Optimizer<SGDUpdate<Scalar>> {
  /// SGD over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, momentum: Double? = nil,
    dampening: Double? = nil, weightDecay: Double? = nil, nesterov: Bool? = nil,
    maximize: Bool? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, momentum: momentum, dampening: dampening,
      weightDecay: weightDecay, nesterov: nesterov, maximize: maximize)
  }

  /// SGD over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, momentum: Double? = nil,
    dampening: Double? = nil, weightDecay: Double? = nil, nesterov: Bool? = nil,
    maximize: Bool? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given([
        "lr": .of(lr), "momentum": .of(momentum), "dampening": .of(dampening),
        "weightDecay": .of(weightDecay), "nesterov": .of(nesterov), "maximize": .of(maximize),
      ]))
  }
}
