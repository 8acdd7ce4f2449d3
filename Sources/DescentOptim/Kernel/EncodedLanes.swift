import CLanes
import DescentTensor

#if arch(x86_64)
  import _Builtin_intrinsics.intel
#endif

/// The SIMD conversions of encoded state, for float32 parameters on the vectorized path: a lane
/// of bfloat16s to and from a float lane, and a block's absmax and 8-bit codes four floats at a time.
/// Each gives exactly the bits of the scalar conversions in ``StateCodec``.
enum EncodedLanes {
  /// Sixteen bfloat16s at `halves` as a float lane (each the float whose high half it is).
  @inline(__always)
  static func widen(_ halves: UnsafePointer<UInt16>) -> VectorLane<Float> {
    VectorLane(
      floats: descent_bfloat16_widen(
        UnsafeRawPointer(halves).loadUnaligned(as: descent_u16x16.self)))
  }

  /// A float lane rounded to the nearest bfloat16s (ties to even; NaN stays a quiet NaN), stored
  /// at `halves`.
  @inline(__always)
  static func narrow(_ values: VectorLane<Float>, to halves: UnsafeMutablePointer<UInt16>) {
    UnsafeMutableRawPointer(halves).storeBytes(
      of: descent_bfloat16_narrow(values.floats), as: descent_u16x16.self)
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
    guard R.Scalar.self == Float.self else { return range.lowerBound }
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
    @inline(__always) func load(_ halves: UnsafeMutablePointer<UInt16>) -> V {
      unsafeBitCast(EncodedLanes.widen(halves), to: V.self)
    }
    @inline(__always) func store(_ lane: V, _ halves: UnsafeMutablePointer<UInt16>) {
      EncodedLanes.narrow(unsafeBitCast(lane, to: VectorLane<Float>.self), to: halves)
    }
    var i = range.lowerBound
    while i + V.width <= range.upperBound {
      var slots = LaneSlots(
        param: V.load(from: task.param + i), grad: V.load(from: task.grad + i),
        buffer0: used > 0 ? load(first + i) : zero, buffer1: used > 1 ? load(second + i) : zero,
        buffer2: used > 2 ? load(third + i) : zero)
      rule.update(&slots)
      slots.param.store(to: task.param + i)
      if used > 0 { store(slots.buffer0, first + i) }
      if used > 1 { store(slots.buffer1, second + i) }
      if used > 2 { store(slots.buffer2, third + i) }
      i += V.width
    }
    return i
  }
}
