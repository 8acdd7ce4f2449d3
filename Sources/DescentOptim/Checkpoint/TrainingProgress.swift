import DescentTensor

/// The counters and random state a training loop resumes from, saved with a checkpoint.
public struct TrainingProgress: Codable, Equatable, Sendable {
  /// Completed epochs.
  public var epoch: Int
  /// Completed optimizer steps.
  public var step: Int
  /// The random generator's state (e.g. ``GlobalGenerator/state``), or `nil` when not saved.
  public var generator: SeededGenerator?

  /// Progress with the given counters and generator state.
  public init(epoch: Int = 0, step: Int = 0, generator: SeededGenerator? = nil) {
    self.epoch = epoch
    self.step = step
    self.generator = generator
  }
}
