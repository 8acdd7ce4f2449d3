import DescentTensor

/// The counters and random state a training loop resumes from, saved with a checkpoint.
public struct TrainingProgress: Codable, Equatable, Sendable {
  /// Completed epochs.
  public var epoch: Int
  /// Completed optimizer steps.
  public var step: Int
  /// The random generator's state (e.g. ``GlobalGenerator/state``), or `nil` when not saved.
  public var generator: SeededGenerator?
  /// The seed of the run's data split and shuffles, when the run recorded it: a run resuming
  /// with another seed would train on other batches (and test on other samples).
  public var seed: UInt64?

  /// The most epochs a checkpoint may record as completed (a billion): a larger or negative count
  /// in a file is refused as corrupted rather than overflowing later arithmetic.
  public static let maximumEpoch = 1_000_000_000
  /// The most optimizer steps a checkpoint may record, 2^53, the largest count a float64 (as
  /// PyTorch stores `step`) holds exactly; optimizer states' `step` have the same bound.
  public static let maximumStep = 1 << 53

  /// Progress with the given counters, generator state and data seed.
  public init(
    epoch: Int = 0, step: Int = 0, generator: SeededGenerator? = nil, seed: UInt64? = nil
  ) {
    self.epoch = epoch
    self.step = step
    self.generator = generator
    self.seed = seed
  }
}
