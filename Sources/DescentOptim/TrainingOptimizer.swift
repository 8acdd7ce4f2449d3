import DescentTensor

/// Any optimizer, seen from a training loop: steps, gradients, state dicts and the schedule
/// controls; lets code hold `any TrainingOptimizer<Float>` whatever the algorithm.
public protocol TrainingOptimizer<Scalar>: ScheduledOptimizer, CustomStringConvertible {
  /// The element type of the parameters.
  associatedtype Scalar: TensorScalar
  /// Every parameter of every group, in group order.
  var parameters: [Parameter<Scalar>] { get }
  /// Clears every parameter's gradient (to `nil` by default).
  func zeroGrad(setToNil: Bool)
  /// Takes one step from the current gradients.
  func step()
  /// Evaluates `closure` (which recomputes loss and gradients) as often as the algorithm needs,
  /// steps, and returns the closure's first result.
  @discardableResult func step<Loss>(closure: () throws -> Loss) rethrows -> Loss
  /// The state in PyTorch's structure.
  func stateDict() -> OptimizerStateDict
  /// Restores a state; throws and changes nothing when it does not fit.
  func loadStateDict(_ dict: OptimizerStateDict) throws
}

extension Optimizer: TrainingOptimizer {}

extension OptimizerCatalog {
  /// The optimizer `name` (PyTorch's class name, e.g. `"Adam"`) over one group of `parameters`,
  /// with PyTorch's defaults and `options` (Descent's camelCase names) applied.
  ///
  /// - Throws: ``OptimizerError`` for an unknown name, option or invalid value.
  public static func make<Scalar: LaneScalar>(
    _ name: String, parameters: [Parameter<Scalar>], options: [String: HyperparameterValue] = [:]
  ) throws -> any TrainingOptimizer<Scalar> {
    let optimizer = try make(name, groups: [ParameterGroup(parameters)], options: options)
    guard let typed = optimizer as? any TrainingOptimizer<Scalar> else {
      throw OptimizerError.unknownOptimizer(name)
    }
    return typed
  }
}
