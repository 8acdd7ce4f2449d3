import CLanes
import DescentTensor

/// The SIMD conversions of bfloat16 state, for float32 parameters on the vectorized path: a lane
/// of bfloat16s to and from a float lane, with exactly the bits of the scalar conversions in
/// ``StateCodec``.
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
