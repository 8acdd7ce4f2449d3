import CLanes

/// The vectorized path's lane: 64 bytes of scalars (16 floats or 8 doubles), one AVX-512
/// register; on a machine without AVX-512 the compiler splits each operation over two AVX2 or four
/// SSE registers.
///
/// Each operation is one vector instruction from `CLanes` (C's vector extensions), so a rule's
/// update compiles to whole-register arithmetic; Swift's generic `SIMD` operators go element by
/// element and are only partly re-vectorized. Only `Float` and `Double` lanes exist.
@frozen
public struct VectorLane<Scalar: LaneScalar>: Lane {
  /// The lane's bits as floats (a double lane's are reinterpreted).
  @usableFromInline var floats: descent_f32x16

  /// A lane of the given float bits.
  @inlinable @inline(__always)
  init(floats: descent_f32x16) { self.floats = floats }

  /// A lane of the given doubles.
  @inlinable @inline(__always)
  init(doubles: descent_f64x8) { floats = unsafeBitCast(doubles, to: descent_f32x16.self) }

  /// The lane's bits as doubles.
  @inlinable var doubles: descent_f64x8 {
    @inline(__always) get { unsafeBitCast(floats, to: descent_f64x8.self) }
  }

  /// Whether the scalars are floats (otherwise doubles); a constant once specialized.
  @inlinable static var isFloat: Bool {
    @inline(__always) get { Scalar.self == Float.self }
  }

  /// 16 floats or 8 doubles.
  @inlinable public static var width: Int { 64 / MemoryLayout<Scalar>.stride }

  /// A lane whose elements all equal `value`.
  @inlinable @inline(__always)
  public init(repeating value: Scalar) {
    if Self.isFloat {
      self.init(floats: descent_f32x16_splat(unsafeBitCast(value, to: Float.self)))
    } else {
      self.init(doubles: descent_f64x8_splat(unsafeBitCast(value, to: Double.self)))
    }
  }

  /// Loads `width` scalars from `pointer` (no alignment required).
  @inlinable @inline(__always)
  public static func load(from pointer: UnsafePointer<Scalar>) -> Self {
    Self(floats: UnsafeRawPointer(pointer).loadUnaligned(as: descent_f32x16.self))
  }

  /// Stores the lane's scalars at `pointer` (no alignment required).
  @inlinable @inline(__always)
  public func store(to pointer: UnsafeMutablePointer<Scalar>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: floats, as: descent_f32x16.self)
  }

  /// Element-wise sum.
  @inlinable @inline(__always)
  public static func + (lhs: Self, rhs: Self) -> Self {
    isFloat
      ? Self(floats: descent_f32x16_add(lhs.floats, rhs.floats))
      : Self(doubles: descent_f64x8_add(lhs.doubles, rhs.doubles))
  }

  /// Element-wise difference.
  @inlinable @inline(__always)
  public static func - (lhs: Self, rhs: Self) -> Self {
    isFloat
      ? Self(floats: descent_f32x16_sub(lhs.floats, rhs.floats))
      : Self(doubles: descent_f64x8_sub(lhs.doubles, rhs.doubles))
  }

  /// Element-wise product.
  @inlinable @inline(__always)
  public static func * (lhs: Self, rhs: Self) -> Self {
    isFloat
      ? Self(floats: descent_f32x16_mul(lhs.floats, rhs.floats))
      : Self(doubles: descent_f64x8_mul(lhs.doubles, rhs.doubles))
  }

  /// Element-wise quotient.
  @inlinable @inline(__always)
  public static func / (lhs: Self, rhs: Self) -> Self {
    isFloat
      ? Self(floats: descent_f32x16_div(lhs.floats, rhs.floats))
      : Self(doubles: descent_f64x8_div(lhs.doubles, rhs.doubles))
  }

  /// Element-wise negation.
  @inlinable @inline(__always)
  public static prefix func - (operand: Self) -> Self {
    isFloat
      ? Self(floats: descent_f32x16_neg(operand.floats))
      : Self(doubles: descent_f64x8_neg(operand.doubles))
  }

  /// Element-wise square root (correctly rounded, as the scalar's).
  @inlinable @inline(__always)
  public func squareRoot() -> Self {
    Self.isFloat
      ? Self(floats: descent_f32x16_sqrt(floats)) : Self(doubles: descent_f64x8_sqrt(doubles))
  }

  /// Per element, `lhs > rhs ? then : otherwise`.
  @inlinable @inline(__always)
  public static func select(_ lhs: Self, greaterThan rhs: Self, then: Self, otherwise: Self) -> Self
  {
    isFloat
      ? Self(
        floats: descent_f32x16_select_greater(lhs.floats, rhs.floats, then.floats, otherwise.floats)
      )
      : Self(
        doubles: descent_f64x8_select_greater(
          lhs.doubles, rhs.doubles, then.doubles, otherwise.doubles))
  }

  /// The scalar at `index` (for tests and tails; slow).
  @inlinable
  public subscript(index: Int) -> Scalar {
    withUnsafeBytes(of: floats) {
      $0.load(fromByteOffset: index * MemoryLayout<Scalar>.stride, as: Scalar.self)
    }
  }
}
