/// `e^x` for `Float`, written without branches or calls so that loops over it vectorize (the C
/// library's `expf` is a call per element): Cephes' range reduction `x = n ln 2 + r` and degree-6
/// polynomial, within 2 ulp of the correctly rounded value over the whole range, with `inf`,
/// `-inf`, NaN and subnormal results as `expf` gives them.
@inline(__always)
func vectorizableExp(_ x: Float) -> Float {
  let clamped = x.isNaN ? 0 : Swift.min(Swift.max(x, -104), 89)
  // Round x / ln 2 to the nearest integer n by adding and subtracting 1.5 * 2^23, which also
  // leaves n in the low bits of the sum (no float-to-integer conversion, which would not
  // vectorize).
  let shifted = clamped * 1.442_695_04 + 12_582_912
  let n = shifted - 12_582_912
  var r = clamped - n * 0.693_359_375
  r = r + n * 2.121_944_4e-4
  let r2 = r * r
  var p: Float = 1.987_569_15e-4
  p = p * r + 1.398_199_95e-3
  p = p * r + 8.333_451_9e-3
  p = p * r + 4.166_579_59e-2
  p = p * r + 1.666_666_55e-1
  p = p * r + 5.000_000_12e-1
  let y = p * r2 + r + 1
  // 2^n in two factors, so that n below -126 gives subnormals instead of garbage.
  let exponent = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000
  let half = exponent >> 1
  let low = Float(bitPattern: UInt32(bitPattern: (half &+ 127) << 23))
  let high = Float(bitPattern: UInt32(bitPattern: (exponent &- half &+ 127) << 23))
  let value = y * low * high
  return x.isNaN ? x : (x > 88.722_839 ? .infinity : value)
}

extension TensorScalar {
  /// `e^x`, vectorizable for `Float` (see ``vectorizableExp(_:)``), the C library's for `Double`.
  @inline(__always)
  static func kernelExp(_ x: Self) -> Self {
    if Self.self == Float.self {
      return unsafeBitCast(vectorizableExp(unsafeBitCast(x, to: Float.self)), to: Self.self)
    }
    return Self.exp(x)
  }
}
