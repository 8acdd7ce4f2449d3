import DescentTensor

/// How ``AveragedModel`` folds the current weights into the average, PyTorch's `avg_fn`:
/// the running mean of stochastic weight averaging (the default), an exponential moving average,
/// or a function of your own.
public struct AveragingRule<Scalar: TensorScalar>: CustomStringConvertible {
  /// PyTorch's `avg_fn(averaged, current, num_averaged)`: the new average from the current one,
  /// the model's current weights and how many times it was averaged before this update (>= 1).
  public typealias Function = (
    _ averaged: Tensor<Scalar>, _ current: Tensor<Scalar>, _ nAveraged: Int
  )
    -> Tensor<Scalar>

  private enum Kind {
    case runningMean
    case exponential(decay: Double, warmup: EMAWarmup)
    case custom(Function)
  }

  private let kind: Kind
  /// A short name saved with the averaging state, and checked when it is loaded
  /// (`"runningMean"`, `"exponential"`, or the custom rule's name).
  public let name: String

  private init(_ kind: Kind, name: String) {
    self.kind = kind
    self.name = name
  }

  /// Stochastic weight averaging's equal-weight running mean (PyTorch's default,
  /// `get_swa_avg_fn`): `averaged + (current - averaged) / (nAveraged + 1)`.
  public static var runningMean: AveragingRule { AveragingRule(.runningMean, name: "runningMean") }

  /// An exponential moving average with `decay` (PyTorch's `get_ema_multi_avg_fn(decay)`, a
  /// lerp by `1 - decay`), optionally warmed up (``EMAWarmup``).
  ///
  /// - Throws: ``AveragingError/invalidOption(name:value:requirement:)`` for a decay outside
  ///   [0, 1] or invalid warm-up constants.
  public static func exponential(decay: Double = 0.999, warmup: EMAWarmup = .none) throws
    -> AveragingRule
  {
    guard decay >= 0 && decay <= 1 else {
      throw AveragingError.invalidOption(name: "decay", value: decay, requirement: "in [0, 1]")
    }
    try warmup.validate()
    return AveragingRule(.exponential(decay: decay, warmup: warmup), name: "exponential")
  }

  /// A rule of your own (PyTorch's `avg_fn`), saved and checked under `name`.
  public static func custom(_ name: String, _ function: @escaping Function) -> AveragingRule {
    AveragingRule(.custom(function), name: name)
  }

  /// The decay of an exponential rule at update `step` (counted from 0 for the first update
  /// that averages), or `nil` for another rule.
  public func decay(atUpdate step: Int) -> Double? {
    guard case .exponential(let decay, let warmup) = kind else { return nil }
    return warmup.decay(base: decay, step: step)
  }

  /// The name, and the decay for an exponential rule.
  public var description: String {
    if case .exponential(let decay, let warmup) = kind {
      return "exponential(decay: \(decay), warmup: \(warmup))"
    }
    return name
  }

  /// The average after folding in `current`, `nAveraged` (>= 1) updates having been made.
  func averaged(_ averaged: Tensor<Scalar>, _ current: Tensor<Scalar>, nAveraged: Int)
    -> Tensor<Scalar>
  {
    switch kind {
    case .runningMean:
      let divisor = Scalar(nAveraged + 1)
      return elementwise(averaged, current) { a, c in a + (c - a) / divisor }
    case .exponential:
      // torch.lerp(averaged, current, weight), with its two forms for small and large weights.
      let weight = Scalar(1 - (decay(atUpdate: nAveraged - 1) ?? 1))
      if weight.magnitude < 0.5 {
        return elementwise(averaged, current) { a, c in a + weight * (c - a) }
      }
      let complement = 1 - weight
      return elementwise(averaged, current) { a, c in c - (c - a) * complement }
    case .custom(let function):
      return function(averaged.detached, current.detached, nAveraged).detached
    }
  }

  private func elementwise(
    _ averaged: Tensor<Scalar>, _ current: Tensor<Scalar>, _ formula: (Scalar, Scalar) -> Scalar
  ) -> Tensor<Scalar> {
    Tensor(shape: averaged.shape, scalars: zip(averaged.scalars, current.scalars).map(formula))
  }
}
