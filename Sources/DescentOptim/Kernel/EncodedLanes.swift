import DescentTensor

#if arch(x86_64)
  import _Builtin_intrinsics.intel
#endif

/// The SIMD conversions of encoded state, for float32 parameters on the vectorized path: eight
/// bfloat16s to and from a float lane, and a block's absmax and 8-bit codes four floats at a time.
/// Each gives exactly the bits of the scalar conversions in ``StateCodec``.
enum EncodedLanes {
  /// Eight bfloat16s at `halves` as floats (each the float whose high half it is).
  @inline(__always)
  static func widen(_ halves: UnsafePointer<UInt16>) -> SIMD8<Float> {
    let raw = UnsafeRawPointer(halves).loadUnaligned(as: SIMD8<UInt16>.self)
    #if arch(x86_64)
      // Interleaving zeros below each half makes it the high half of a 32-bit lane.
      let packed = unsafeBitCast(raw, to: __m128i.self)
      let zero = _mm_setzero_si128()
      return SIMD8(
        lowHalf: _mm_castsi128_ps(_mm_unpacklo_epi16(zero, packed)),
        highHalf: _mm_castsi128_ps(_mm_unpackhi_epi16(zero, packed)))
    #else
      return unsafeBitCast(SIMD8<UInt32>(truncatingIfNeeded: raw) &<< 16, to: SIMD8<Float>.self)
    #endif
  }

  /// `values` rounded to the nearest bfloat16s (ties to even; NaN stays a quiet NaN), stored at
  /// `halves`.
  @inline(__always)
  static func narrow(_ values: SIMD8<Float>, to halves: UnsafeMutablePointer<UInt16>) {
    #if arch(x86_64)
      // Arithmetic shifts keep each result in Int16's range, so packing does not saturate and
      // keeps the low 16 bits: those of the scalar rounding.
      func round(_ value: SIMD4<Float>) -> __m128i {
        let bits = _mm_castps_si128(value)
        let lowest = _mm_and_si128(_mm_srli_epi32(bits, 16), _mm_set1_epi32(1))
        let rounded = _mm_srai_epi32(
          _mm_add_epi32(_mm_add_epi32(bits, _mm_set1_epi32(0x7FFF)), lowest), 16)
        let quiet = _mm_or_si128(_mm_srai_epi32(bits, 16), _mm_set1_epi32(0x40))
        let isNaN = _mm_cmpgt_epi32(
          _mm_and_si128(bits, _mm_set1_epi32(0x7FFF_FFFF)), _mm_set1_epi32(0x7F80_0000))
        return _mm_or_si128(_mm_and_si128(isNaN, quiet), _mm_andnot_si128(isNaN, rounded))
      }
      let packed = _mm_packs_epi32(round(values.lowHalf), round(values.highHalf))
      UnsafeMutableRawPointer(halves).storeBytes(
        of: unsafeBitCast(packed, to: SIMD8<UInt16>.self), as: SIMD8<UInt16>.self)
    #else
      for lane in 0..<8 { halves[lane] = bfloat16Bits(values[lane]) }
    #endif
  }

  /// The largest magnitude of `count` floats at `values` (NaNs ignored), as the scalar loop
  /// `largest = max(largest, |v|)` finds it.
  @inline(__always)
  static func absmax(_ values: UnsafePointer<Float>, count: Int) -> Float {
    var largest: Float = 0
    var i = 0
    #if arch(x86_64)
      var lanes = _mm_setzero_ps()
      let magnitude = unsafeBitCast(SIMD4<UInt32>(repeating: 0x7FFF_FFFF), to: SIMD4<Float>.self)
      while i + 4 <= count {
        let value = UnsafeRawPointer(values + i).loadUnaligned(as: SIMD4<Float>.self)
        // maxps returns its second operand when either is NaN: a NaN value is ignored.
        lanes = _mm_max_ps(_mm_and_ps(value, magnitude), lanes)
        i += 4
      }
      for lane in 0..<4 { largest = Swift.max(largest, lanes[lane]) }
    #endif
    while i < count {
      largest = Swift.max(largest, Swift.abs(values[i]))
      i += 1
    }
    return largest
  }

  /// The codes of `count` floats at `values` divided by their block's absmax (`inverse` is its
  /// reciprocal), through `table`, stored at `codes`.
  @inline(__always)
  static func codes(
    _ values: UnsafePointer<Float>, count: Int, inverse: Float, table: QuantizationTable,
    into codes: UnsafeMutablePointer<UInt8>
  ) {
    var i = 0
    #if arch(x86_64)
      let lookup = table.lookup
      let scale = _mm_set1_ps(inverse)
      let (low, high) = (_mm_set1_ps(-1), _mm_set1_ps(1))
      let (half, points, rounding) = (_mm_set1_ps(0.5), _mm_set1_ps(65535), _mm_set1_ps(0.5))
      while i + 4 <= count {
        let value = UnsafeRawPointer(values + i).loadUnaligned(as: SIMD4<Float>.self)
        // A NaN clamps to -1 here and takes point 0, as the scalar path's NaN does.
        let clamped = _mm_min_ps(_mm_max_ps(_mm_mul_ps(value, scale), low), high)
        let point = _mm_add_ps(
          _mm_mul_ps(_mm_mul_ps(_mm_add_ps(clamped, high), half), points), rounding)
        let index = unsafeBitCast(_mm_cvttps_epi32(point), to: SIMD4<Int32>.self)
        for lane in 0..<4 { codes[i + lane] = lookup[Int(index[lane])] }
        i += 4
      }
    #endif
    while i < count {
      codes[i] = table.code(of: values[i] * inverse)
      i += 1
    }
  }
}

extension EncodedStateKernel {
  /// Runs `rule` over the whole lanes of `range` with bfloat16 state loaded into and stored from
  /// float lanes directly (float32 parameters only); returns where the lanes stopped.
  @inline(__always)
  static func runBFloat16Lanes<R: ElementwiseAlgorithm>(
    _ task: KernelTask<R>, codec: StateCodec, range: Range<Int>
  ) -> Int {
    typealias V = R.Scalar.Vector
    guard R.Scalar.self == Float.self, V.self == SIMD8<Float>.self else {
      return range.lowerBound
    }
    let halves = codec.packed.assumingMemoryBound(to: UInt16.self)
    var local = task.rule
    return withUnsafePointer(to: &local) { rule in
      // One loop per buffer count, so that the count is a constant inside it.
      switch task.bufferCount {
      case 0: return bfloat16Loop(rule.pointee, task, halves, using: 0, over: range)
      case 1: return bfloat16Loop(rule.pointee, task, halves, using: 1, over: range)
      case 2: return bfloat16Loop(rule.pointee, task, halves, using: 2, over: range)
      default: return bfloat16Loop(rule.pointee, task, halves, using: 3, over: range)
      }
    }
  }

  /// The bfloat16 lane loop for a rule using `used` buffers (a constant once inlined).
  @inline(__always)
  static func bfloat16Loop<R: ElementwiseAlgorithm>(
    _ rule: R, _ task: KernelTask<R>, _ halves: UnsafeMutablePointer<UInt16>, using used: Int,
    over range: Range<Int>
  ) -> Int {
    typealias V = R.Scalar.Vector
    let (count, zero) = (task.count, V(repeating: 0))
    let (first, second, third) = (halves, halves + count, halves + 2 * count)
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
      var slots = LaneSlots(
        param: V.load(from: task.param + i), grad: V.load(from: task.grad + i),
        buffer0: used > 0 ? unsafeBitCast(EncodedLanes.widen(first + i), to: V.self) : zero,
        buffer1: used > 1 ? unsafeBitCast(EncodedLanes.widen(second + i), to: V.self) : zero,
        buffer2: used > 2 ? unsafeBitCast(EncodedLanes.widen(third + i), to: V.self) : zero)
      rule.update(&slots)
      slots.param.store(to: task.param + i)
      if used > 0 {
        EncodedLanes.narrow(unsafeBitCast(slots.buffer0, to: SIMD8<Float>.self), to: first + i)
      }
      if used > 1 {
        EncodedLanes.narrow(unsafeBitCast(slots.buffer1, to: SIMD8<Float>.self), to: second + i)
      }
      if used > 2 {
        EncodedLanes.narrow(unsafeBitCast(slots.buffer2, to: SIMD8<Float>.self), to: third + i)
      }
      i += 8
    }
    return i
  }
}
