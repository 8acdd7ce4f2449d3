/// A multiplicative factor as a function of the epoch, as PyTorch's `lr_lambda`.
public typealias LRLambda = (Int) -> Double

/// PyTorch's `lr_lambda` argument: one function for every parameter group, or one per group.
public struct LRLambdas {
  private var functions: [LRLambda]
  private var sharedByAllGroups: Bool

  /// The same function for every group.
  public init(_ function: @escaping LRLambda) {
    functions = [function]
    sharedByAllGroups = true
  }

  /// One function per group, in group order.
  public init(_ functions: [LRLambda]) {
    self.functions = functions
    sharedByAllGroups = false
  }

  /// Fixes the functions for an optimizer with `groups` groups.
  mutating func resolve(groups: Int, scheduler: String) throws {
    if sharedByAllGroups {
      functions = Array(repeating: functions[0], count: groups)
      sharedByAllGroups = false
    }
    guard functions.count == groups else {
      throw SchedulerError.groupCountMismatch(
        scheduler: scheduler, option: "lr_lambda", expected: groups, got: functions.count)
    }
  }

  /// Each group's factor at `epoch`.
  func factors(at epoch: Int) -> [Double] { functions.map { $0(epoch) } }
}

/// A schedule given by factor functions of the epoch (LambdaLR, MultiplicativeLR).
public protocol LambdaScheduleRule: LRScheduleRule {
  /// The rule with these functions.
  init(lambdas: LRLambdas)
  /// The factor functions.
  var lambdas: LRLambdas { get set }
}

extension LambdaScheduleRule {
  /// Checks that there is one function per group.
  public mutating func prepare(for optimizer: any ScheduledOptimizer) throws -> [Double]? {
    try lambdas.resolve(groups: optimizer.paramGroupCount, scheduler: Self.schedulerName)
    return nil
  }
}

/// LambdaLR's rule: `lr = base_lr * lr_lambda(epoch)`.
public struct LambdaLRRule: LambdaScheduleRule {
  /// `"LambdaLR"`.
  public static let schedulerName = "LambdaLR"
  /// The factor functions.
  public var lambdas: LRLambdas

  /// The rule with these functions.
  public init(lambdas: LRLambdas) { self.lambdas = lambdas }

  /// `base_lr * lr_lambda(epoch)`.
  public mutating func learningRates(_ context: ScheduleContext) -> [Double] {
    zip(context.baseLRs, lambdas.factors(at: context.lastEpoch)).map { $0 * $1 }
  }
}

/// MultiplicativeLR's rule: `lr = lr * lr_lambda(epoch)` at every step after the initial one.
public struct MultiplicativeLRRule: LambdaScheduleRule {
  /// `"MultiplicativeLR"`.
  public static let schedulerName = "MultiplicativeLR"
  /// The factor functions.
  public var lambdas: LRLambdas

  /// The rule with these functions.
  public init(lambdas: LRLambdas) { self.lambdas = lambdas }

  /// `lr * lr_lambda(epoch)`, or `lr` at the initial step.
  public mutating func learningRates(_ context: ScheduleContext) -> [Double] {
    if context.isInitial { return context.currentLRs }
    return zip(context.currentLRs, lambdas.factors(at: context.lastEpoch)).map { $0 * $1 }
  }
}

/// Sets each group's learning rate to its initial value times a function of the epoch
/// (PyTorch's `LambdaLR`). The functions are not saved in ``SchedulerState``.
public typealias LambdaLR = RuleScheduler<LambdaLRRule>

/// Multiplies each group's learning rate by a function of the epoch at every step
/// (PyTorch's `MultiplicativeLR`). The functions are not saved in ``SchedulerState``.
public typealias MultiplicativeLR = RuleScheduler<MultiplicativeLRRule>

extension RuleScheduler where Rule: LambdaScheduleRule {
  /// `LambdaLR(optimizer, lr_lambda)` / `MultiplicativeLR(optimizer, lr_lambda)` with one
  /// function for every group.
  public convenience init(_ optimizer: any ScheduledOptimizer, lrLambda: @escaping LRLambda) throws
  {
    try self.init(optimizer, rule: Rule(lambdas: LRLambdas(lrLambda)))
  }

  /// The same with one function per group.
  ///
  /// - Throws: ``SchedulerError/groupCountMismatch(scheduler:option:expected:got:)``.
  public convenience init(_ optimizer: any ScheduledOptimizer, lrLambdas: [LRLambda]) throws {
    try self.init(optimizer, rule: Rule(lambdas: LRLambdas(lrLambdas)))
  }
}
