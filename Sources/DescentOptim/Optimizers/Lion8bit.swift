import DescentTensor

/// Lion with 8-bit blockwise momentum, as bitsandbytes 0.50's CPU path (float32 momentum below
/// 4096 elements): `p *= 1 - lr * weightDecay` (when positive);
/// `p -= lr * sign(beta1 m + (1 - beta1) g)`; then `m = beta2 m + (1 - beta2) g`.
/// Its hyperparameters are Lion's (bitsandbytes' `Lion8bit` has the same, with the same
/// defaults).
public struct Lion8bitUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"Lion8bit"`.
  public static var name: String { "Lion8bit" }

  /// `state1` (the momentum), zeros: 8-bit from 4096 elements on.
  public static func initialState(for parameter: Parameter<Scalar>, _: LionHyperparameters)
    -> ParameterState<Scalar>
  {
    .blockwise8bit(count: parameter.count, buffers: [("state1", signed: true)])
  }

  /// Lion's rule: the same arithmetic (bitsandbytes skips the decay when it is 0, which Lion's
  /// multiplication by exactly 1 leaves as it is).
  let lion: LionUpdate<Scalar>

  /// The step's constants.
  public init(_ settings: LionHyperparameters, state: inout ParameterState<Scalar>) {
    lion = LionUpdate(settings, state: &state)
  }

  /// The update of one lane.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    lion.update(&slots)
  }
}

/// bitsandbytes' `Lion8bit`: Lion whose momentum takes 1 byte per parameter (see
/// ``Lion8bitUpdate``).
public final class Lion8bit<Scalar: LaneScalar>: LionOptimizer<Lion8bitUpdate<Scalar>> {}
