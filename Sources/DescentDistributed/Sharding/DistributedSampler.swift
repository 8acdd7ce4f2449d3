import DescentData
import DescentTensor

/// Each rank's part of every global batch, like PyTorch's `DistributedSampler`: all ranks draw
/// the same global batches (same seed, same shuffle), and rank `r` takes the `r`-th of `size`
/// contiguous, disjoint slices of each, so every sample is visited once per epoch by exactly one
/// rank. A batch whose size is not a multiple of the rank count (an epoch's last) is cut into
/// slices whose sizes differ by at most one.
public struct DistributedSampler<Scalar: TensorScalar> {
  /// The loader of global batches.
  public let loader: BatchLoader<Scalar>
  /// This rank.
  public let rank: Int
  /// The number of ranks.
  public let size: Int

  /// The sampler of rank `rank` of `size` over `loader`'s global batches.
  public init(_ loader: BatchLoader<Scalar>, rank: Int, size: Int) {
    precondition(size > 0 && (0..<size).contains(rank), "rank \(rank) of \(size)")
    self.loader = loader
    self.rank = rank
    self.size = size
  }

  /// Rank `rank`'s slice of `batch`.
  public static func slice(of batch: [Int], rank: Int, size: Int) -> ArraySlice<Int> {
    batch[(batch.count * rank / size)..<(batch.count * (rank + 1) / size)]
  }

  /// This rank's slice of each global batch of `epoch`, with the global batch's size.
  public func batches(epoch: Int) -> [(rows: [Int], globalCount: Int)] {
    loader.batchIndices(epoch: epoch).map {
      (Array(Self.slice(of: $0, rank: rank, size: size)), $0.count)
    }
  }
}
