import DescentTensor

/// Averages gradients across ranks bucket by bucket, as PyTorch's DistributedDataParallel does:
/// consecutive parameters are packed into flat buffers of up to ``capacity`` elements (a larger
/// parameter gets a bucket of its own), each bucket is summed with one all-reduce, and the sums
/// are copied back into the gradients.
public struct GradientBuckets<Scalar: TensorScalar> {
  /// The most elements a bucket holds unless one parameter alone is larger.
  public let capacity: Int
  /// The parameter indices of each bucket, in order.
  public let buckets: [Range<Int>]
  private let parameters: [Parameter<Scalar>]
  private var buffer: [Scalar]

  /// Buckets over `parameters` of up to `capacity` elements (default 2²⁰, 4 MB of `Float`).
  public init(_ parameters: [Parameter<Scalar>], capacity: Int = 1 << 20) {
    precondition(capacity > 0, "bucket capacity \(capacity)")
    self.capacity = capacity
    self.parameters = parameters
    var buckets: [Range<Int>] = []
    var start = 0
    var filled = 0
    for (index, parameter) in parameters.enumerated() {
      if filled > 0 && filled + parameter.count > capacity {
        buckets.append(start..<index)
        start = index
        filled = 0
      }
      filled += parameter.count
    }
    if start < parameters.count { buckets.append(start..<parameters.count) }
    self.buckets = buckets
    let largest = buckets.map { $0.reduce(0) { $0 + parameters[$1].count } }.max() ?? 0
    buffer = [Scalar](repeating: 0, count: largest)
  }

  /// Replaces every parameter's gradient by the sum over ranks of `weight ×` its gradient (a
  /// missing gradient counts as zeros and is created).
  public mutating func allReduce(weight: Scalar, over communicator: any Communicator) throws {
    for bucket in buckets {
      let group = Array(parameters[bucket])
      let layout = FlatLayout(group)
      try buffer.withUnsafeMutableBufferPointer { whole in
        let flat = UnsafeMutableBufferPointer(rebasing: whole[0..<layout.totalCount])
        layout.pack(group, into: flat, scale: weight) { $0.grad }
        try communicator.allReduceSum(flat)
        for (index, parameter) in group.enumerated() {
          let range = layout.range(ofParameter: index)
          parameter.grad = Tensor(shape: parameter.shape, scalars: Array(flat[range]))
        }
      }
    }
  }
}
