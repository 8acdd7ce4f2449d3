import DescentTensor

/// One lane of arithmetic for an update rule: a single scalar (the reference path) or a SIMD
/// vector of scalars (the fast path). A rule written once over `Lane` serves both.
///
/// Every operation is element-wise; `init(repeating:)` broadcasts a per-step constant.
public protocol Lane {
  /// The element type of the buffers the lane is loaded from.
  associatedtype Scalar: LaneScalar
  /// How many scalars one lane holds.
  static var width: Int { get }
  /// A lane whose elements all equal `value`.
  init(repeating value: Scalar)
  /// Loads `width` consecutive scalars starting at `pointer` (no alignment required).
  static func load(from pointer: UnsafePointer<Scalar>) -> Self
  /// Stores the lane's `width` scalars starting at `pointer` (no alignment required).
  func store(to pointer: UnsafeMutablePointer<Scalar>)
  /// Element-wise sum.
  static func + (lhs: Self, rhs: Self) -> Self
  /// Element-wise difference.
  static func - (lhs: Self, rhs: Self) -> Self
  /// Element-wise product.
  static func * (lhs: Self, rhs: Self) -> Self
  /// Element-wise quotient.
  static func / (lhs: Self, rhs: Self) -> Self
  /// Element-wise negation.
  static prefix func - (operand: Self) -> Self
  /// Element-wise square root.
  func squareRoot() -> Self
  /// Element-wise `lhs > rhs ? then : otherwise`.
  static func select(_ lhs: Self, greaterThan rhs: Self, then: Self, otherwise: Self) -> Self
}

/// A scalar type that is its own one-wide lane and names its SIMD lane.
public protocol LaneScalar: TensorScalar, Lane where Scalar == Self {
  /// The vector lane of this scalar used by the fast path (``VectorLane``).
  associatedtype Vector: Lane where Vector.Scalar == Self
}

extension Lane {
  /// Element-wise maximum (`torch.maximum`).
  @inlinable @inline(__always)
  public static func maximum(_ lhs: Self, _ rhs: Self) -> Self {
    select(rhs, greaterThan: lhs, then: rhs, otherwise: lhs)
  }

  /// Element-wise minimum (`torch.minimum`).
  @inlinable @inline(__always)
  public static func minimum(_ lhs: Self, _ rhs: Self) -> Self {
    select(lhs, greaterThan: rhs, then: rhs, otherwise: lhs)
  }

  /// Element-wise absolute value.
  @inlinable @inline(__always)
  public var absoluteValue: Self {
    let zero = Self(repeating: 0)
    return Self.select(zero, greaterThan: self, then: -self, otherwise: self)
  }

  /// Element-wise sign as `torch.sign`: 1, -1 or 0.
  @inlinable @inline(__always)
  public var torchSign: Self {
    let zero = Self(repeating: 0)
    let negative = Self.select(zero, greaterThan: self, then: Self(repeating: -1), otherwise: zero)
    return Self.select(self, greaterThan: zero, then: Self(repeating: 1), otherwise: negative)
  }

  /// `min(max(self, low), high)`, as `clamp_(low, high)`.
  @inlinable @inline(__always)
  public func clamped(_ low: Self, _ high: Self) -> Self {
    Self.minimum(Self.maximum(self, low), high)
  }

  /// `self + weight * (end - self)` in PyTorch's CPU `lerp` arithmetic (which switches form at
  /// weight 0.5 to stay exact at both ends).
  @inlinable @inline(__always)
  public func lerp(to end: Self, weight: Scalar) -> Self {
    if Swift.abs(weight) < 0.5 {
      return self + Self(repeating: weight) * (end - self)
    }
    return end - (end - self) * Self(repeating: 1 - weight)
  }
}

extension Float: LaneScalar {
  /// Sixteen floats: one AVX-512 register.
  public typealias Vector = VectorLane<Float>
}

extension Double: LaneScalar {
  /// Eight doubles: one AVX-512 register.
  public typealias Vector = VectorLane<Double>
}

extension LaneScalar {
  /// A scalar is one lane wide.
  @inlinable public static var width: Int { 1 }

  /// `value` itself.
  @inlinable @inline(__always)
  public init(repeating value: Self) { self = value }

  /// The scalar at `pointer`.
  @inlinable @inline(__always)
  public static func load(from pointer: UnsafePointer<Self>) -> Self { pointer.pointee }

  /// Writes the scalar at `pointer`.
  @inlinable @inline(__always)
  public func store(to pointer: UnsafeMutablePointer<Self>) { pointer.pointee = self }

  /// `lhs > rhs ? then : otherwise`.
  @inlinable @inline(__always)
  public static func select(_ lhs: Self, greaterThan rhs: Self, then: Self, otherwise: Self) -> Self
  {
    lhs > rhs ? then : otherwise
  }
}
