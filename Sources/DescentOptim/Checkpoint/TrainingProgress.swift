import DescentTensor

/// The counters and random state a training loop resumes from, saved with a checkpoint.
public struct TrainingProgress: Codable, Equatable, Sendable {
  /// Completed epochs.
  public var epoch: Int
  /// Completed optimizer steps.
  public var step: Int
  /// The random generator's state (e.g. ``GlobalGenerator/state``), or `nil` when not saved.
  public var generator: SeededGenerator?

  /// The most epochs a checkpoint may record as completed (a billion): a larger or negative count
  /// in a file is refused as corrupted rather than overflowing later arithmetic.
  public static let maximumEpoch = 1_000_000_000
  /// The most optimizer steps a checkpoint may record, 2^53, the largest count a float64 (as
  /// PyTorch stores `step`) holds exactly; optimizer states' `step` have the same bound.
  public static let maximumStep = 1 << 53

  /// Progress with the given counters and generator state.
  public init(epoch: Int = 0, step: Int = 0, generator: SeededGenerator? = nil) {
    self.epoch = epoch
    self.step = step
    self.generator = generator
  }
}
