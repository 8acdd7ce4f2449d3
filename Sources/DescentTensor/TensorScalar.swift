import CBLAS
import Foundation
import RealModule

/// The element types a ``Tensor`` can hold: `Float` and `Double`.
///
/// Besides IEEE arithmetic and the elementary functions of `Real`, a scalar type knows how to call
/// its BLAS matrix product, so that `matmul` dispatches to `sgemm` or `dgemm`.
public protocol TensorScalar: BinaryFloatingPoint, Real, SIMDScalar, Codable, Sendable,
  LosslessStringConvertible
where Self.RawSignificand: FixedWidthInteger {
  /// A short name of the type as PyTorch spells its dtype (`float32`, `float64`).
  static var dtypeName: String { get }

  /// Row-major general matrix product `C = alpha * op(A) * op(B) + beta * C` through BLAS,
  /// where `op(A)` is `m x k` and `op(B)` is `k x n`.
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
    a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int, beta: Self,
    c: UnsafeMutablePointer<Self>, ldc: Int)
}

@inline(__always)
private func blasTranspose(_ flag: Bool) -> CBLAS_TRANSPOSE {
  flag ? CblasTrans : CblasNoTrans
}

extension Float: TensorScalar {
  /// `float32`.
  public static var dtypeName: String { "float32" }

  /// Calls `cblas_sgemm` in row-major order.
  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, blasTranspose(transposeA), blasTranspose(transposeB), blasint(m), blasint(n),
      blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
  }
}

extension Double: TensorScalar {
  /// `float64`.
  public static var dtypeName: String { "float64" }

  /// Calls `cblas_dgemm` in row-major order.
  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
    a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int, beta: Double,
    c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dgemm(
      CblasRowMajor, blasTranspose(transposeA), blasTranspose(transposeB), blasint(m), blasint(n),
      blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
  }
}

/// The C library's `pow` for `Double` (at file scope, where `pow` is not `Real.pow`).
@inline(__always)
private func libmPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }

/// The C library's `powf`.
@inline(__always)
private func libmPow(_ x: Float, _ y: Float) -> Float { powf(x, y) }

extension TensorScalar {
  /// `x` to the power `y` as C's `pow` and PyTorch's `torch.pow` define it: a negative base with
  /// an integral exponent gives a real result (`(-2)^3 = -8`), and `0^0 = NaN^0 = 1`. (`Real.pow`
  /// gives NaN for every negative base and for `0^0`.)
  @inline(__always)
  static func kernelPow(_ x: Self, _ y: Self) -> Self {
    if Self.self == Float.self {
      let result = libmPow(unsafeBitCast(x, to: Float.self), unsafeBitCast(y, to: Float.self))
      return unsafeBitCast(result, to: Self.self)
    }
    if Self.self == Double.self {
      let result = libmPow(unsafeBitCast(x, to: Double.self), unsafeBitCast(y, to: Double.self))
      return unsafeBitCast(result, to: Self.self)
    }
    return Self(libmPow(Double(x), Double(y)))
  }
}
