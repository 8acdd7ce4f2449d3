import DescentTensor

/// The hyperparameters of bitsandbytes' `Adam8bit` and `AdamW8bit`, with its defaults (`Adam8bit`;
/// ``adamW`` gives `AdamW8bit`'s weight decay of 0.01).
public struct Adam8bitHyperparameters: BetasHyperparameters, DeclaredHyperparameters {
  /// The learning rate (default 0.001).
  public var lr = 0.001
  /// The decay rates of the first and second moments (default (0.9, 0.999)).
  public var betas = (0.9, 0.999)
  /// Added to the denominator (default 1e-8).
  public var eps = 1e-8
  /// The decoupled weight decay: the parameter is multiplied by `1 - lr * weightDecay`, in
  /// `Adam8bit` as in `AdamW8bit` (default 0).
  public var weightDecay = 0.0

  /// bitsandbytes' `Adam8bit` defaults.
  public init() {}

  /// `AdamW8bit`'s defaults: weight decay 0.01.
  public static var adamW: Self {
    var settings = Self()
    settings.weightDecay = 0.01
    return settings
  }

  /// `"Adam8bit"`.
  public static var optimizerName: String { "Adam8bit" }

  /// lr, eps and weight decay `>= 0`, betas in [0, 1).
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative), .pair("betas", \.betas, each: .unitInterval),
      .number("eps", \.eps, .nonNegative), .number("weightDecay", \.weightDecay, .nonNegative),
    ]
  }
}

/// Adam with 8-bit blockwise state, as bitsandbytes 0.50's CPU path: a parameter of 4096
/// elements or more keeps `m` and `v` as codes into the signed and unsigned dynamic maps (see
/// ``BlockwiseQuantization``), smaller ones keep them in float32; either way
/// `m = beta1 m + (1 - beta1) g`, `v = beta2 v + (1 - beta2) g^2` and, with weight decay,
/// `p *= 1 - lr * weightDecay`. Then, 8-bit: `p -= (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps)`;
/// float32: `p -= (lr sqrt(bc2) / bc1) m / (sqrt(v) + eps sqrt(bc2))`.
public struct Adam8bitUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"Adam8bit"`.
  public static var name: String { "Adam8bit" }

  /// `state1` (`m`) and `state2` (`v`), zeros: 8-bit from 4096 elements on.
  public static func initialState(
    for parameter: Parameter<Scalar>, _: Adam8bitHyperparameters
  ) -> ParameterState<Scalar> {
    .blockwise8bit(
      count: parameter.count, buffers: [("state1", signed: true), ("state2", signed: false)])
  }

  let beta1: Scalar
  let firstWeight: Scalar
  let beta2: Scalar
  let secondWeight: Scalar
  let decayFactor: Scalar
  let decays: Bool
  let quantized: Bool
  let correction2Root: Scalar
  let eps: Scalar
  let stepSize: Scalar

  /// The step's constants; the two paths' step sizes differ as bitsandbytes' do.
  public init(_ settings: Adam8bitHyperparameters, state: inout ParameterState<Scalar>) {
    let (b1, b2) = settings.betas
    (beta1, firstWeight, beta2, secondWeight) =
      (Scalar(b1), Scalar(1 - b1), Scalar(b2), Scalar(1 - b2))
    decays = settings.weightDecay > 0
    decayFactor = Scalar(1 - settings.lr * settings.weightDecay)
    quantized = state.encoding != .plain
    let step = Double(state.step)
    let correction1 = 1 - pythonPower(b1, step)
    let correction2 = pythonPower(1 - pythonPower(b2, step), 0.5)
    correction2Root = Scalar(correction2)
    if quantized {
      eps = Scalar(settings.eps)
      stepSize = Scalar(-settings.lr / correction1)
    } else {
      eps = Scalar(settings.eps * correction2)
      stepSize = Scalar(-settings.lr * correction2 / correction1)
    }
  }

  /// The update of one lane.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    let g = slots.grad
    slots.buffer0 = slots.buffer0 * L(repeating: beta1) + L(repeating: firstWeight) * g
    slots.buffer1 = slots.buffer1 * L(repeating: beta2) + L(repeating: secondWeight) * g * g
    if decays { slots.param = slots.param * L(repeating: decayFactor) }
    if quantized {
      let denominator =
        slots.buffer1.squareRoot() / L(repeating: correction2Root) + L(repeating: eps)
      slots.param = slots.param.adding(stepSize, times: slots.buffer0, over: denominator)
    } else {
      let update = slots.buffer0 / (slots.buffer1.squareRoot() + L(repeating: eps))
      slots.param = slots.param + L(repeating: stepSize) * update
    }
  }
}

/// bitsandbytes' `Adam8bit`: Adam whose moments take 2 bytes per parameter (see
/// ``Adam8bitUpdate``); an argument left out takes its default from ``Adam8bitHyperparameters``.
public class Adam8bit<Scalar: LaneScalar>: Optimizer<Adam8bitUpdate<Scalar>> {
  /// The class name printed, `"Adam8bit"`.
  class var className: String { "Adam8bit" }
  /// The defaults the arguments replace.
  class var baseDefaults: Adam8bitHyperparameters { Adam8bitHyperparameters() }

  /// The optimizer over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    eps: Double? = nil, weightDecay: Double? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay)
  }

  /// The optimizer over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, betas: (Double, Double)? = nil,
    eps: Double? = nil, weightDecay: Double? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given(
        ["lr": .of(lr), "betas": .of(betas), "eps": .of(eps), "weightDecay": .of(weightDecay)],
        base: Self.baseDefaults),
      name: Self.className)
  }
}

/// bitsandbytes' `AdamW8bit`: ``Adam8bit`` with weight decay 0.01 by default; an argument left
/// out takes its default from ``Adam8bitHyperparameters/adamW``.
public final class AdamW8bit<Scalar: LaneScalar>: Adam8bit<Scalar> {
  /// `"AdamW8bit"`.
  override class var className: String { "AdamW8bit" }
  /// ``Adam8bitHyperparameters/adamW``.
  override class var baseDefaults: Adam8bitHyperparameters { .adamW }
}
