import DescentOptim
import Foundation

/// What a training run does around the optimizer: how long it runs, its schedule, weight
/// averaging, clipping, accumulation and checkpoints. ``TrainingLoop`` carries it out, on one
/// process or on every rank of a data-parallel job alike.
///
/// ```swift
/// var plan = TrainingPlan(epochs: 10)
/// plan.scheduler = .init(name: "CosineAnnealingLR", options: ["T_max": .number(10)])
/// plan.averaging = .exponential(decay: 0.999)
/// plan.clipNorm = 1
/// plan.checkpoint = URL(fileURLWithPath: "run.safetensors")
/// ```
public struct TrainingPlan: Sendable {
  /// A learning-rate scheduler by PyTorch's class name and options (as `descent schedule`
  /// takes them).
  public struct Scheduler: Sendable {
    /// The class name, e.g. `"StepLR"`.
    public var name: String
    /// Options by PyTorch's names (`step_size`, `gamma`, ...).
    public var options: [String: JSONValue]

    /// The scheduler `name` with `options`.
    public init(name: String, options: [String: JSONValue] = [:]) {
      self.name = name
      self.options = options
    }
  }

  /// A running average of the weights.
  public enum Averaging: Sendable {
    /// An exponential moving average updated after every step, optionally with timm's
    /// inverse-gamma warm-up of the decay.
    case exponential(decay: Double, warmup: Bool = false)
    /// Stochastic weight averaging: an equal-weight average taken after every epoch from
    /// `startEpoch` (default: 3/4 of the epochs) on, with SWALR annealing to `lr` (default: the
    /// optimizer's).
    case stochastic(startEpoch: Int? = nil, lr: Double? = nil)
  }

  /// The number of passes over the training set.
  public var epochs: Int
  /// Stop after this many optimizer steps in all (resumed ones included), if given, instead of
  /// after ``epochs``.
  public var steps: Int?
  /// Batches whose gradients go into each optimizer step.
  public var accumulate = 1
  /// The global 2-norm the gradients are clipped to before each step, if any.
  public var clipNorm: Double?
  /// The learning-rate scheduler, if any.
  public var scheduler: Scheduler?
  /// The weight average kept, if any.
  public var averaging: Averaging?
  /// Where a checkpoint is written after every epoch (and at the end), if anywhere.
  public var checkpoint: URL?
  /// The checkpoint to resume from, if any.
  public var resume: URL?
  /// The seed of the data split and shuffles, recorded in checkpoints; resuming a checkpoint
  /// recorded with another seed is refused (its batches and test samples would differ).
  public var seed: UInt64?

  /// A plan of `epochs` epochs and nothing else.
  public init(epochs: Int) { self.epochs = epochs }

  /// The first epoch SWA averages, when the plan averages that way.
  public var swaStartEpoch: Int? {
    guard case .stochastic(let start, _) = averaging else { return nil }
    return start ?? max(1, epochs * 3 / 4)
  }
}
