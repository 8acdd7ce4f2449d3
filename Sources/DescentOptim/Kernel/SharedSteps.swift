import Foundation

/// The gradient as most algorithms first transform it: negated for `maximize`, then with L2
/// weight decay added (`grad + weightDecay * param`), or with the parameter decayed in place
/// (`param * (1 - lr * weightDecay)`) when the decay is decoupled.
public struct GradientPreparation<Scalar: LaneScalar>: Sendable {
  /// Whether the gradient is negated.
  public let maximize: Bool
  /// The L2 coefficient added to the gradient (0 when none or decoupled).
  public let coupledDecay: Scalar
  /// The factor applied to the parameter (1 when none or coupled).
  public let decoupledFactor: Scalar
  @usableFromInline let coupled: Bool
  @usableFromInline let decoupled: Bool

  /// The preparation for the given options.
  public init(maximize: Bool, weightDecay: Double, decoupled: Bool = false, lr: Double = 0) {
    self.maximize = maximize
    self.coupled = weightDecay != 0 && !decoupled
    self.decoupled = weightDecay != 0 && decoupled
    self.coupledDecay = Scalar(weightDecay)
    self.decoupledFactor = Scalar(1 - lr * weightDecay)
  }

  /// The transformed gradient of `slots`; decays `slots.param` when the decay is decoupled.
  @inlinable @inline(__always)
  public func gradient<L: Lane>(_ slots: inout LaneSlots<L>) -> L where L.Scalar == Scalar {
    var gradient = maximize ? -slots.grad : slots.grad
    if decoupled {
      slots.param = slots.param * L(repeating: decoupledFactor)
    } else if coupled {
      gradient = gradient + L(repeating: coupledDecay) * slots.param
    }
    return gradient
  }
}

extension Lane {
  /// `self * decay + weight * a * b`: PyTorch's `mul_(decay).addcmul_(a, b, value=weight)`.
  @inlinable @inline(__always)
  public func decayed(by decay: Scalar, adding weight: Scalar, times a: Self, _ b: Self) -> Self {
    self * Self(repeating: decay) + Self(repeating: weight) * a * b
  }

  /// `self + value * numerator / denominator`: PyTorch's `addcdiv_`.
  @inlinable @inline(__always)
  public func adding(_ value: Scalar, times numerator: Self, over denominator: Self) -> Self {
    self + Self(repeating: value) * numerator / denominator
  }
}

/// Adam's moment estimates: `m.lerp_(g, 1 - beta1)` and
/// `v.mul_(beta2).addcmul_(g, g, value=1 - beta2)`, shared by Adam, NAdam and RAdam.
public struct AdamMoments<Scalar: LaneScalar>: Sendable {
  /// `1 - beta1`.
  public let firstWeight: Scalar
  /// `beta2`.
  public let beta2: Scalar
  /// `1 - beta2`.
  public let secondWeight: Scalar

  /// The moments for `betas`.
  public init(betas: (Double, Double)) {
    firstWeight = Scalar(1 - betas.0)
    beta2 = Scalar(betas.1)
    secondWeight = Scalar(1 - betas.1)
  }

  /// Updates the first (`m`) and second (`v`) moments with gradient `g`.
  @inlinable @inline(__always)
  public func update<L: Lane>(_ m: inout L, _ v: inout L, gradient g: L) where L.Scalar == Scalar {
    m = m.lerp(to: g, weight: firstWeight)
    v = v.decayed(by: beta2, adding: secondWeight, times: g, g)
  }
}

/// `base ** exponent` as Python computes it (C `pow`).
@inlinable
public func pythonPower(_ base: Double, _ exponent: Double) -> Double {
  Foundation.pow(base, exponent)
}

/// The value a float32 PyTorch scalar tensor holds (`_get_scalar_dtype()` state such as ASGD's
/// `eta` or NAdam's `mu_product`).
@inlinable
public func float32Rounded(_ value: Double) -> Double {
  Double(Float(value))
}
