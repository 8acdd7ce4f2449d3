import DescentTensor

/// Mini-batches of a data set, like `torch.utils.data.DataLoader`: optionally shuffled with a
/// seeded generator, so that the same seed gives the same batches; epoch `e` of a loader with seed
/// `s` is the same whatever came before it.
public struct BatchLoader<Scalar: TensorScalar> {
  /// The data set batched.
  public let dataset: Dataset<Scalar>
  /// Samples per batch (the last batch may be smaller unless `dropLast`).
  public let batchSize: Int
  /// Whether each epoch visits the samples in a new random order.
  public let shuffle: Bool
  /// Whether a final batch smaller than `batchSize` is left out.
  public let dropLast: Bool
  /// The seed of the shuffling.
  public let seed: UInt64

  /// A loader over `dataset`.
  ///
  /// - Throws: ``DataError/batchSize(_:)`` when `batchSize` is not positive.
  public init(
    _ dataset: Dataset<Scalar>, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false,
    seed: UInt64 = 0
  ) throws {
    guard batchSize > 0 else { throw DataError.batchSize(batchSize) }
    self.dataset = dataset
    self.batchSize = batchSize
    self.shuffle = shuffle
    self.dropLast = dropLast
    self.seed = seed
  }

  /// The number of batches in an epoch.
  public var batchCount: Int {
    dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
  }

  /// The sample indices of each batch of `epoch`.
  public func batchIndices(epoch: Int) -> [[Int]] {
    var order = Array(0..<dataset.count)
    if shuffle {
      var generator = SeededGenerator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
      order.shuffle(using: &generator)
    }
    return (0..<batchCount).map { batch in
      Array(order[(batch * batchSize)..<min((batch + 1) * batchSize, order.count)])
    }
  }

  /// The batches of `epoch`, as (features, labels); the labels are empty for a regression set.
  public func batches(epoch: Int) -> [(features: Tensor<Scalar>, labels: [Int])] {
    batchIndices(epoch: epoch).map { indices in
      (
        dataset.features.gatherRows(indices),
        dataset.labels.isEmpty ? [] : indices.map { dataset.labels[$0] }
      )
    }
  }
}
