import DescentTensor

/// Where each parameter sits in the concatenation of all parameters' elements (in order), and
/// how that flat vector is cut into one contiguous shard per rank.
public struct FlatLayout: Equatable, Sendable {
  /// Each parameter's shape.
  public let shapes: [[Int]]
  /// Each parameter's first element in the flat vector.
  public let offsets: [Int]
  /// The number of elements of all parameters.
  public let totalCount: Int

  /// The layout of parameters of the given shapes.
  public init(shapes: [[Int]]) {
    self.shapes = shapes
    var offsets: [Int] = []
    var total = 0
    for shape in shapes {
      offsets.append(total)
      total += shape.reduce(1, *)
    }
    self.offsets = offsets
    self.totalCount = total
  }

  /// The layout of `parameters`.
  public init<Scalar>(_ parameters: [Parameter<Scalar>]) {
    self.init(shapes: parameters.map(\.shape))
  }

  /// The elements of parameter `index` in the flat vector.
  public func range(ofParameter index: Int) -> Range<Int> {
    offsets[index]..<(offsets[index] + shapes[index].reduce(1, *))
  }

  /// Elements per shard when `ranks` ranks share the vector: `ceil(totalCount / ranks)`; the last
  /// shard may be shorter, and collectives pad it to this length.
  public func shardLength(ranks: Int) -> Int { (totalCount + ranks - 1) / ranks }

  /// The elements rank `rank` of `ranks` owns.
  public func shard(rank: Int, ranks: Int) -> Range<Int> {
    let length = shardLength(ranks: ranks)
    return min(rank * length, totalCount)..<min((rank + 1) * length, totalCount)
  }

  /// Copies `values(parameter)` of every parameter into `flat` at its offset, times `scale`;
  /// elements of `flat` past ``totalCount`` are set to zero.
  func pack<Scalar: TensorScalar>(
    _ parameters: [Parameter<Scalar>], into flat: UnsafeMutableBufferPointer<Scalar>,
    scale: Scalar = 1, values: (Parameter<Scalar>) -> Tensor<Scalar>?
  ) {
    for (index, parameter) in parameters.enumerated() {
      let start = offsets[index]
      guard let tensor = values(parameter) else {
        for element in range(ofParameter: index) { flat[element] = 0 }
        continue
      }
      tensor.withUnsafeBufferPointer { source in
        for element in source.indices { flat[start + element] = source[element] * scale }
      }
    }
    for element in totalCount..<flat.count { flat[element] = 0 }
  }

  /// Copies each parameter's elements of `flat` into its value.
  func unpackValues<Scalar: TensorScalar>(
    _ flat: UnsafeBufferPointer<Scalar>, into parameters: [Parameter<Scalar>]
  ) {
    for (index, parameter) in parameters.enumerated() {
      let source = UnsafeBufferPointer(rebasing: flat[range(ofParameter: index)])
      parameter.withUnsafeMutableValues { _ = $0.update(fromContentsOf: source) }
    }
  }
}
