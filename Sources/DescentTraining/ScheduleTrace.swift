import DescentOptim
import DescentTensor

/// The learning rate (and momentum) a scheduler sets over the epochs, traced on a one-parameter
/// SGD optimizer with momentum 0.9.
public struct ScheduleTrace: Sendable {
  /// The scheduler's PyTorch class name.
  public var scheduler: String
  /// The options the scheduler was built with, including those filled in for plotting.
  public var options: [String: JSONValue]
  /// The learning rate before the first epoch, then after each epoch.
  public var learningRates: [Double]
  /// The momentum alongside, or nil when the schedule leaves it constant.
  public var momenta: [Double]?

  /// The schedulers that can be traced, by PyTorch class name.
  public static let schedulerNames = [
    "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR",
    "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR",
    "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler",
  ]

  /// PyTorch's class name for `typed` in any case (`steplr` → `StepLR`).
  ///
  /// - Throws: ``SchedulerError/unknownScheduler(_:)`` for a name not in ``schedulerNames``.
  public static func className(_ typed: String) throws -> String {
    if let name = schedulerNames.first(where: { $0.lowercased() == typed.lowercased() }) {
      return name
    }
    throw SchedulerError.unknownScheduler(typed)
  }

  /// Options PyTorch requires but a plot over `epochs` epochs from learning rate `lr` can choose:
  /// e.g. `T_max = epochs` for CosineAnnealingLR, `max_lr = lr` and `total_steps = epochs` for
  /// OneCycleLR. Options already given are kept.
  public static func plotDefaults(for name: String, epochs: Int, lr: Double) -> [String: JSONValue]
  {
    let quarter = JSONValue.number(Double(max(1, epochs / 4)))
    switch name {
    case "StepLR": return ["step_size": quarter]
    case "MultiStepLR":
      return ["milestones": .array([.number(Double(epochs / 2)), .number(Double(3 * epochs / 4))])]
    case "ExponentialLR": return ["gamma": .number(0.95)]
    case "PolynomialLR": return ["total_iters": .number(Double(epochs))]
    case "CosineAnnealingLR": return ["T_max": .number(Double(epochs))]
    case "CosineAnnealingWarmRestarts": return ["T_0": quarter]
    case "CyclicLR":
      return ["base_lr": .number(lr / 10), "max_lr": .number(lr), "step_size_up": quarter]
    case "OneCycleLR":
      return ["max_lr": .number(lr), "total_steps": .number(Double(max(1, epochs)))]
    case "ReduceLROnPlateau": return ["patience": .number(Double(max(1, epochs / 10)))]
    default: return [:]
    }
  }

  /// Traces `name` over `epochs` epochs starting from learning rate `lr`, with `options`
  /// (PyTorch names) over the plot defaults. ReduceLROnPlateau is fed a metric that never
  /// improves, so it shows its reductions. Each step is taken as PyTorch takes it: a OneCycleLR
  /// whose `total_steps` is less than `epochs` throws, as PyTorch raises.
  ///
  /// - Throws: ``SchedulerError`` for an unknown scheduler, a bad option, more than
  ///   ``ScheduleLimits/maximumEpochs`` epochs or a step past the schedule's end;
  ///   ``OptimizerError`` for a bad learning rate.
  public init(_ name: String, epochs: Int, lr: Double, options: [String: JSONValue]) throws {
    let scheduler = try Self.className(name)
    guard (0...ScheduleLimits.maximumEpochs).contains(epochs) else {
      throw SchedulerError.invalidOption(
        scheduler: scheduler, option: "epochs", value: "\(epochs)",
        requirement: "must be in 0...\(ScheduleLimits.maximumEpochs)")
    }
    let all = Self.plotDefaults(for: scheduler, epochs: epochs, lr: lr).merging(options) { $1 }
    let parameter = Parameter(Tensor<Double>([0]))
    let optimizer = try OptimizerCatalog.make(
      "SGD", parameters: [parameter], options: ["lr": .number(lr), "momentum": 0.9])
    let built = try makeLRScheduler(scheduler, options: all, optimizer: optimizer)
    var rates = [optimizer.learningRate(ofGroup: 0)]
    var momenta = [optimizer.momentum(ofGroup: 0) ?? 0]
    for _ in 0..<epochs {
      if let plateau = built as? ReduceLROnPlateau {
        plateau.step(metric: 1)
      } else if let stepped = built as? any EpochLRScheduler {
        try stepped.checkedStep()
      }
      rates.append(optimizer.learningRate(ofGroup: 0))
      momenta.append(optimizer.momentum(ofGroup: 0) ?? 0)
    }
    self.scheduler = scheduler
    self.options = all
    self.learningRates = rates
    self.momenta = Set(momenta).count > 1 ? momenta : nil
  }
}
