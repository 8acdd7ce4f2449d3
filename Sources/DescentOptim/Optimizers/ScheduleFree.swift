import DescentTensor

/// An optimizer whose parameters hold a different iterate in training and in evaluation, as the
/// schedule-free optimizers: in train mode the parameters are `y`, where gradients are taken; in
/// eval mode they are the average `x`, which is what to evaluate and save.
public protocol TrainEvalSwitching: AnyObject {
  /// Whether the parameters hold the training iterate `y` (of the first group).
  var isTraining: Bool { get }
  /// Puts the training iterate `y` in the parameters (no effect when already in train mode).
  func train()
  /// Puts the averaged iterate `x` in the parameters (no effect when already in eval mode).
  func eval()
}

/// The hyperparameters of a schedule-free optimizer (schedulefree 1.4.1), together with the
/// bookkeeping the reference keeps in each parameter group (`k`, `weight_sum`, `lr_max`,
/// `scheduled_lr`, `train_mode`), so that it is printed and saved with the group as there.
public protocol ScheduleFreeHyperparameters: Hyperparameters {
  /// The number of linear warmup steps of the learning rate.
  var warmupSteps: Int { get set }
  /// The exponent of the step number in the averaging weight `(k + 1)^r * lrMax^weightLrPower`.
  var r: Double { get set }
  /// The exponent of the largest learning rate so far in the averaging weight.
  var weightLrPower: Double { get set }
  /// How far `y` sits from the average `x` towards `z`: `y = (1 - m) z + m x` (`betas.0` or
  /// `momentum`).
  var interpolation: Double { get }
  /// The number of steps the group has taken.
  var k: Int { get set }
  /// The sum of the averaging weights so far.
  var weightSum: Double { get set }
  /// The largest scheduled learning rate so far (-1 before the first step).
  var lrMax: Double { get set }
  /// The learning rate of the last step, after warmup.
  var scheduledLr: Double { get set }
  /// Whether the parameters hold `y` (train mode) rather than `x`.
  var trainMode: Bool { get set }
}

extension ScheduleFreeHyperparameters {
  /// Advances the group's bookkeeping for step `k + 1`, before the parameters update: the
  /// warmed-up learning rate, its running maximum and the sum of averaging weights.
  mutating func beginStep() {
    let schedule = k < warmupSteps ? Double(k + 1) / Double(warmupSteps) : 1
    scheduledLr = lr * schedule
    lrMax = pythonMax(scheduledLr, lrMax)
    weightSum += averagingWeight
  }

  /// Counts a step taken: `k += 1`.
  mutating func endStep() {
    k += 1
  }

  /// This step's averaging weight `(k + 1)^r * lrMax^weightLrPower`.
  var averagingWeight: Double {
    pythonPower(Double(k + 1), r) * pythonPower(lrMax, weightLrPower)
  }

  /// The weight `c_{k+1}` of the new point in the average (0 when no weight has accrued, as the
  /// reference's `ZeroDivisionError` branch).
  var averageWeight: Double {
    weightSum == 0 ? 0 : averagingWeight / weightSum
  }

  /// The warmup, the averaging weight's exponents and the bookkeeping, as both schedule-free
  /// optimizers declare them.
  static var scheduleFreeFields: [HyperparameterField<Self>] {
    [
      .whole("warmupSteps", \.warmupSteps, in: 0...Int(Int32.max)), .number("r", \.r),
      .number("weightLrPower", \.weightLrPower), .whole("k", \.k, in: 0...Int(Int32.max)),
      .number("weightSum", \.weightSum, .nonNegative), .number("lrMax", \.lrMax),
      .number("scheduledLr", \.scheduledLr), .flag("trainMode", \.trainMode),
    ]
  }
}

/// A schedule-free optimizer (Defazio et al., 2024, "The Road Less Scheduled"): the base class of
/// ``AdamWScheduleFree`` and ``SGDScheduleFree``, holding the group bookkeeping and the
/// train/eval switch.
///
/// Call ``eval()`` before evaluating or saving the model and ``train()`` before training again,
/// as with the reference. The reference refuses to step in eval mode; here ``step()`` in eval
/// mode first switches to train mode. Like the reference, an optimizer starts in eval mode
/// (`trainMode: false`) until its first ``train()`` or step.
public class ScheduleFreeOptimizer<Algorithm: ElementwiseAlgorithm>: Optimizer<Algorithm>,
  TrainEvalSwitching
where Algorithm.Settings: ScheduleFreeHyperparameters {
  /// Whether the first group's parameters hold `y`.
  public var isTraining: Bool { paramGroups.first?.hyperparameters.trainMode ?? false }

  /// Puts `y = (1 - m) z + m x` in every group's parameters: `p.lerp_(z, 1 - m)`.
  public func train() {
    switchMode(toTraining: true) { 1 - $0 }
  }

  /// Puts the average `x` in every group's parameters: `p.lerp_(z, 1 - 1 / m)`.
  public func eval() {
    switchMode(toTraining: false) { 1 - 1 / $0 }
  }

  private func switchMode(toTraining training: Bool, weight: (Double) -> Double) {
    var position = 0
    for index in paramGroups.indices {
      let group = paramGroups[index]
      defer { position += group.parameters.count }
      guard group.hyperparameters.trainMode != training else { continue }
      let lerpWeight = Scalar(weight(group.hyperparameters.interpolation))
      for (offset, parameter) in group.parameters.enumerated() {
        guard let state = states[position + offset], let z = state.bufferNames.firstIndex(of: "z")
        else { continue }
        state.storage.withUnsafeBufferPointer { storage in
          let start = z * state.count
          parameter.withUnsafeMutableValues { values in
            for element in values.indices {
              values[element] = values[element].lerp(
                to: storage[start + element], weight: lerpWeight)
            }
          }
        }
      }
      modifyHyperparameters(ofGroup: index) { $0.trainMode = training }
    }
  }

  /// Switches to train mode if needed, then advances every group's bookkeeping. Compiled for
  /// each built-in rule: unspecialized, reading and writing the groups' generic hyperparameters
  /// allocates, and a warm step allocates nothing.
  @_specialize(where Algorithm == AdamWScheduleFreeUpdate<Float>)
  @_specialize(where Algorithm == AdamWScheduleFreeUpdate<Double>)
  @_specialize(where Algorithm == SGDScheduleFreeUpdate<Float>)
  @_specialize(where Algorithm == SGDScheduleFreeUpdate<Double>)
  override func willUpdate() {
    if paramGroups.contains(where: { !$0.hyperparameters.trainMode }) { train() }
    for index in paramGroups.indices {
      modifyHyperparameters(ofGroup: index) { $0.beginStep() }
    }
  }

  /// Counts the step in every group (`k += 1`), with or without gradients, as the reference.
  @_specialize(where Algorithm == AdamWScheduleFreeUpdate<Float>)
  @_specialize(where Algorithm == AdamWScheduleFreeUpdate<Double>)
  @_specialize(where Algorithm == SGDScheduleFreeUpdate<Float>)
  @_specialize(where Algorithm == SGDScheduleFreeUpdate<Double>)
  override func didUpdate() {
    for index in paramGroups.indices {
      modifyHyperparameters(ofGroup: index) { $0.endStep() }
    }
  }
}

extension ParameterState {
  /// A state whose first buffer, `z`, starts as a copy of `parameter` (the schedule-free
  /// optimizers' `torch.clone(p)`), followed by `zeroBuffers` filled with zeros.
  static func startingAt(_ parameter: Parameter<Scalar>, zeroBuffers: [String]) -> Self {
    var state = ParameterState(
      count: parameter.count, buffers: [("z", 0)] + zeroBuffers.map { ($0, 0) })
    parameter.withUnsafeValues { values in
      state.storage.replaceSubrange(0..<values.count, with: values)
    }
    return state
  }
}

extension ElementwiseAlgorithm where Settings: ScheduleFreeHyperparameters {
  /// A ``ScheduleFreeOptimizer``, which switches the parameters between `y` and `x`.
  public static func makeOptimizer(
    groups: [ParameterGroup<Scalar>], defaults: Settings, name: String
  ) throws -> Optimizer<Self> {
    try ScheduleFreeOptimizer(groups: groups, defaults: defaults, name: name)
  }
}
