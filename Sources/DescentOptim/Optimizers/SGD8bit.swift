import DescentTensor

/// The hyperparameters of bitsandbytes' `SGD8bit`: SGD with momentum, which it requires.
public struct SGD8bitHyperparameters: MomentumHyperparameters, DeclaredHyperparameters {
  /// The learning rate (bitsandbytes requires one; default here 0.001, as `torch.optim.SGD`).
  public var lr = 0.001
  /// The momentum factor, > 0 (default 0.9: bitsandbytes refuses SGD without momentum).
  public var momentum = 0.9
  /// The L2 penalty added to the gradient (default 0).
  public var weightDecay = 0.0

  /// The defaults.
  public init() {}

  /// `"SGD8bit"`.
  public static var optimizerName: String { "SGD8bit" }

  /// lr and weight decay `>= 0`, momentum in (0, 1).
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative), .number("momentum", \.momentum, .openUnitInterval),
      .number("weightDecay", \.weightDecay, .nonNegative),
    ]
  }
}

/// SGD with 8-bit blockwise momentum, as bitsandbytes 0.50's CPU path (float32 momentum below
/// 4096 elements; no dampening or Nesterov, which bitsandbytes ignores): `g += weightDecay p`;
/// `b = g` at the first step, then `b = momentum b + g`; `p -= lr b`.
public struct SGD8bitUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"SGD8bit"`.
  public static var name: String { "SGD8bit" }

  /// `state1` (the momentum buffer), zeros: 8-bit from 4096 elements on.
  public static func initialState(for parameter: Parameter<Scalar>, _: SGD8bitHyperparameters)
    -> ParameterState<Scalar>
  {
    .blockwise8bit(count: parameter.count, buffers: [("state1", signed: true)])
  }

  let decays: Bool
  let weightDecay: Scalar
  let momentum: Scalar
  let first: Bool
  let negativeLR: Scalar

  /// The step's constants (the 8-bit path adds the weight decay term even when it is 0, as
  /// bitsandbytes does).
  public init(_ settings: SGD8bitHyperparameters, state: inout ParameterState<Scalar>) {
    decays = settings.weightDecay > 0 || state.encoding != .plain
    weightDecay = Scalar(settings.weightDecay)
    momentum = Scalar(settings.momentum)
    first = state.step == 1
    negativeLR = Scalar(-settings.lr)
  }

  /// The update of one lane.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    var g = slots.grad
    if decays { g = g + L(repeating: weightDecay) * slots.param }
    slots.buffer0 = first ? g : slots.buffer0 * L(repeating: momentum) + g
    slots.param = slots.param + L(repeating: negativeLR) * slots.buffer0
  }
}

/// bitsandbytes' `SGD8bit`: SGD whose momentum buffer takes 1 byte per parameter (see
/// ``SGD8bitUpdate``); an argument left out takes its default from ``SGD8bitHyperparameters``.
public final class SGD8bit<Scalar: LaneScalar>: Optimizer<SGD8bitUpdate<Scalar>> {
  /// `SGD8bit` over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, momentum: Double? = nil,
    weightDecay: Double? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, momentum: momentum, weightDecay: weightDecay)
  }

  /// `SGD8bit` over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, momentum: Double? = nil,
    weightDecay: Double? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given(
        ["lr": .of(lr), "momentum": .of(momentum), "weightDecay": .of(weightDecay)]))
  }
}
