/// What a scheduler is at each step, given its progress: PyTorch's `get_lr` in its recursive
/// (chainable) form, and its closed form where it has one.
///
/// A rule is a value type holding the schedule's hyperparameters (validated by a throwing
/// initializer) and whatever it carries between steps. ``RuleScheduler`` runs it the way PyTorch's
/// `LRScheduler` base class runs `get_lr`.
public protocol LRScheduleRule {
  /// The PyTorch class name of the schedule, e.g. `"StepLR"`.
  static var schedulerName: String { get }

  /// Checks per-group options against `optimizer` and makes the changes the schedule makes at
  /// construction (CyclicLR sets the learning rate, OneCycleLR the momentum).
  ///
  /// - Returns: the initial learning rates the schedule imposes (OneCycleLR), or `nil` to use
  ///   PyTorch's `initial_lr` (the learning rates when the first scheduler was attached).
  mutating func prepare(for optimizer: any ScheduledOptimizer) throws -> [Double]?

  /// The learning rates at `context.lastEpoch`, usually from the current ones (recursive form).
  mutating func learningRates(_ context: ScheduleContext) -> [Double]

  /// The learning rates at `context.lastEpoch` from the base ones alone, or `nil` when the
  /// schedule has no closed form (PyTorch's `_get_closed_form_lr`).
  func closedFormLearningRates(_ context: ScheduleContext) -> [Double]?

  /// Throws when the schedule has no value at `epoch`, where PyTorch's `get_lr` raises
  /// (OneCycleLR past `total_steps`).
  func checkStep(toEpoch epoch: Int) throws

  /// The numbers the rule carries between steps, by PyTorch's attribute name.
  var savedValues: [String: Double] { get }

  /// Restores the numbers saved by ``savedValues``.
  mutating func restore(from state: SchedulerState) throws
}

extension LRScheduleRule {
  /// No per-group options and no changes at construction.
  public mutating func prepare(for optimizer: any ScheduledOptimizer) throws -> [Double]? { nil }
  /// No closed form.
  public func closedFormLearningRates(_ context: ScheduleContext) -> [Double]? { nil }
  /// A value at every epoch.
  public func checkStep(toEpoch epoch: Int) throws {}
  /// Nothing carried between steps.
  public var savedValues: [String: Double] { [:] }
  /// Nothing to restore.
  public mutating func restore(from state: SchedulerState) throws {}
}

/// A scheduler's progress, as seen by its rule at one step.
public struct ScheduleContext {
  /// The optimizer being scheduled (for rules that also set momentum).
  public let optimizer: any ScheduledOptimizer
  /// The epoch being computed: 0 at the initial step done at construction.
  public let lastEpoch: Int
  /// How many steps were taken, this one included (PyTorch's `_step_count`).
  public let stepCount: Int
  /// Whether this is the initial step done at construction (PyTorch's `_is_initial`).
  public let isInitial: Bool
  /// The learning rates the schedule starts from (PyTorch's `base_lrs`).
  public let baseLRs: [Double]

  /// The optimizer's learning rates before this step.
  public var currentLRs: [Double] { optimizer.learningRates }

  /// The current learning rates, each multiplied by `factor`.
  public func currentLRs(times factor: Double) -> [Double] { currentLRs.map { $0 * factor } }

  /// The base learning rates, each multiplied by `factor`.
  public func baseLRs(times factor: Double) -> [Double] { baseLRs.map { $0 * factor } }
}
