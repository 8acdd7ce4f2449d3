import DescentTensor

/// The values of one lane of an element-wise update: the parameter, its gradient and up to three
/// state buffers (unused slots hold zeros and are not written back).
public struct LaneSlots<L: Lane> {
  /// The parameter's values; the rule writes the updated ones here.
  public var param: L
  /// The gradient (read-only).
  public let grad: L
  /// The first state buffer, in the order of the state's ``ParameterState/bufferNames``.
  public var buffer0: L
  /// The second state buffer.
  public var buffer1: L
  /// The third state buffer.
  public var buffer2: L

  /// Slots holding the given lanes.
  @inlinable @inline(__always)
  public init(param: L, grad: L, buffer0: L, buffer1: L, buffer2: L) {
    self.param = param
    self.grad = grad
    self.buffer0 = buffer0
    self.buffer1 = buffer1
    self.buffer2 = buffer2
  }

  /// The state buffer at `index` (0, 1 or 2), for rules whose buffers depend on options.
  @inlinable
  public subscript(buffer index: Int) -> L {
    get { index == 0 ? buffer0 : index == 1 ? buffer1 : buffer2 }
    set {
      switch index {
      case 0: buffer0 = newValue
      case 1: buffer1 = newValue
      default: buffer2 = newValue
      }
    }
  }
}

/// Which loop runs an element-wise rule.
public enum KernelPath: Sendable, Equatable {
  /// SIMD lanes with a scalar tail: the default.
  case vectorized
  /// One scalar at a time: the reference the vectorized path is tested against.
  case scalar
}

/// Runs an element-wise rule over contiguous buffers, in chunks whose boundaries depend only on
/// the element count (so a threaded driver can hand chunks to threads without changing results).
public enum ElementwiseKernel {
  /// Elements per chunk; a multiple of every SIMD width.
  public static let chunkSize = 1 << 14

  /// Below this many elements in a step, work runs on the calling thread alone (waking workers
  /// would cost more than it saves).
  public static let parallelThreshold = 1 << 16

  /// The most state buffers a rule may use.
  public static let maxBuffers = 3

  /// Applies `rule` to the elements in `range` of buffers of `count` elements (`param` and
  /// `grad` hold them, `state` holds `bufferCount` buffers of `count` elements back to back):
  /// whole SIMD lanes on the vectorized path, then the tail one scalar at a time.
  @inlinable
  public static func run<R: ElementwiseAlgorithm>(
    _ rule: R, param: UnsafeMutablePointer<R.Scalar>, grad: UnsafePointer<R.Scalar>,
    state: UnsafeMutablePointer<R.Scalar>, bufferCount: Int, count: Int, range: Range<Int>,
    path: KernelPath
  ) {
    var start = range.lowerBound
    if path == .vectorized {
      start = runLanes(
        rule, lane: R.Scalar.Vector.self, param: param, grad: grad, state: state,
        bufferCount: bufferCount, count: count, range: range)
    }
    _ = runLanes(
      rule, lane: R.Scalar.self, param: param, grad: grad, state: state,
      bufferCount: bufferCount, count: count, range: start..<range.upperBound)
  }

  /// Runs the chunks at `range` of `chunks`, each a piece of one of `tasks`: one thread's share
  /// of a step.
  ///
  /// Specialized with the optimizer's step (see `Optimizer.update()`), so the lanes stay in
  /// registers.
  @inlinable
  public static func run<R: ElementwiseAlgorithm>(
    _ tasks: UnsafeBufferPointer<KernelTask<R>>, chunks: UnsafeBufferPointer<KernelChunk>,
    range: Range<Int>, path: KernelPath
  ) {
    for index in range {
      let chunk = chunks[index]
      let task = tasks[chunk.task]
      let range = chunk.start..<min(task.count, chunk.start + chunkSize)
      if let codec = task.codec {
        EncodedStateKernel.run(task, codec: codec, range: range, path: path)
        continue
      }
      run(
        task.rule, param: task.param, grad: task.grad, state: task.state,
        bufferCount: task.bufferCount, count: task.count, range: range, path: path)
    }
  }

  /// Runs whole lanes of type `L` over `range`; returns where the lanes stopped.
  ///
  /// The buffer count is fixed before the loop (one loop per count, so no per-lane test of it),
  /// and the rule is copied into a local that the loop's stores cannot alias, so its constants
  /// and flags stay in registers instead of being reloaded after every store.
  @inlinable
  static func runLanes<R: ElementwiseAlgorithm, L: Lane>(
    _ rule: R, lane: L.Type, param: UnsafeMutablePointer<R.Scalar>,
    grad: UnsafePointer<R.Scalar>, state: UnsafeMutablePointer<R.Scalar>, bufferCount: Int,
    count: Int, range: Range<Int>
  ) -> Int where L.Scalar == R.Scalar {
    var local = rule
    return withUnsafePointer(to: &local) { rule in
      let buffers = (state, state + count, state + 2 * count)
      switch bufferCount {
      case 0:
        return loop(rule.pointee, L.self, param, grad, buffers, using: 0, over: range)
      case 1:
        return loop(rule.pointee, L.self, param, grad, buffers, using: 1, over: range)
      case 2:
        return loop(rule.pointee, L.self, param, grad, buffers, using: 2, over: range)
      default:
        return loop(rule.pointee, L.self, param, grad, buffers, using: 3, over: range)
      }
    }
  }

  /// The lane loop for a rule using `used` buffers (a constant once inlined).
  @inlinable @inline(__always)
  static func loop<R: ElementwiseAlgorithm, L: Lane>(
    _ rule: R, _: L.Type, _ param: UnsafeMutablePointer<R.Scalar>,
    _ grad: UnsafePointer<R.Scalar>,
    _ buffers: (
      UnsafeMutablePointer<R.Scalar>, UnsafeMutablePointer<R.Scalar>,
      UnsafeMutablePointer<R.Scalar>
    ), using used: Int, over range: Range<Int>
  ) -> Int where L.Scalar == R.Scalar {
    let zero = L(repeating: 0)
    var i = range.lowerBound
    while i &+ L.width <= range.upperBound {
      var slots = LaneSlots(
        param: L.load(from: param + i), grad: L.load(from: grad + i),
        buffer0: used > 0 ? L.load(from: buffers.0 + i) : zero,
        buffer1: used > 1 ? L.load(from: buffers.1 + i) : zero,
        buffer2: used > 2 ? L.load(from: buffers.2 + i) : zero)
      rule.update(&slots)
      slots.param.store(to: param + i)
      if used > 0 { slots.buffer0.store(to: buffers.0 + i) }
      if used > 1 { slots.buffer1.store(to: buffers.1 + i) }
      if used > 2 { slots.buffer2.store(to: buffers.2 + i) }
      i &+= L.width
    }
    return i
  }
}
