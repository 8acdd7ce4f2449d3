import DescentTensor

/// Runs an element-wise rule over a parameter whose state is encoded (bfloat16 or 8-bit): one
/// block of ``BlockwiseQuantization/blockSize`` elements at a time, the state is decoded into
/// scratch of the parameter's scalar type, the rule runs there exactly as over plain state, and
/// the block is encoded back (for 8-bit state, with the block's new absmax).
@usableFromInline enum EncodedStateKernel {
  /// Scratch for one block of up to three buffers of `Double`s, on the stack.
  typealias BlockScratch = (
    SIMD64<UInt64>, SIMD64<UInt64>, SIMD64<UInt64>, SIMD64<UInt64>, SIMD64<UInt64>,
    SIMD64<UInt64>, SIMD64<UInt64>, SIMD64<UInt64>, SIMD64<UInt64>, SIMD64<UInt64>,
    SIMD64<UInt64>, SIMD64<UInt64>
  )

  /// Runs `rule` over elements `range` (whole blocks but for the tensor's end) of `task`.
  @usableFromInline
  static func run<R: ElementwiseAlgorithm>(
    _ task: KernelTask<R>, codec: StateCodec, range: Range<Int>, path: KernelPath
  ) {
    let width = BlockwiseQuantization.blockSize
    var scratch: BlockScratch = (
      .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero
    )
    // bfloat16 state on the vectorized path goes straight to and from float lanes; the blocks
    // below take what is left (the tail, or everything on the scalar path).
    let lanesEnd =
      codec.bfloat16 && path == .vectorized
      ? runBFloat16Lanes(task, codec: codec, range: range) : range.lowerBound
    withUnsafeMutableBytes(of: &scratch) { bytes in
      let buffers = bytes.baseAddress!.bindMemory(
        to: R.Scalar.self, capacity: ElementwiseKernel.maxBuffers * width)
      var start = lanesEnd
      while start < range.upperBound {
        let length = Swift.min(width, range.upperBound - start)
        for index in 0..<task.bufferCount {
          codec.decode(buffer: index, from: start, count: length, into: buffers + index * width)
        }
        ElementwiseKernel.run(
          task.rule, param: task.param + start, grad: task.grad + start, state: buffers,
          bufferCount: task.bufferCount, count: width, range: 0..<length, path: path)
        for index in 0..<task.bufferCount {
          codec.encode(buffer: index, from: start, count: length, values: buffers + index * width)
        }
        start += length
      }
    }
  }
}

extension ParameterState {
  /// The codec of this state's encoded buffers, valid while the state is not changed (`nil` for
  /// plain state).
  mutating func codec() -> StateCodec? {
    guard encoding != .plain else { return nil }
    let count = count
    let encoding = encoding
    let packed = packed.withUnsafeMutableBytes { $0.baseAddress }
    let absmax = absmax.withUnsafeMutableBufferPointer { $0.baseAddress }
    guard let packed else { return nil }
    return StateCodec(encoding: encoding, packed: packed, absmax: absmax, count: count)
  }
}
