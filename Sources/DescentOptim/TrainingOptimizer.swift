import DescentTensor

/// Any optimizer, seen from a training loop, a checkpoint or the command line: steps, gradients,
/// state dicts and the schedule controls, whatever the algorithm. Every ``Optimizer`` and
/// ``LBFGS`` conform, so code can hold `any TrainingOptimizer<Float>`.
public protocol TrainingOptimizer<Scalar>: ScheduledOptimizer, CheckpointableOptimizer,
  CustomStringConvertible
{
  /// The element type of the parameters.
  associatedtype Scalar: TensorScalar
  /// Every parameter of every group, in group order.
  var parameters: [Parameter<Scalar>] { get }
  /// Which path runs element-wise updates (the SIMD path or the scalar reference).
  var kernelPath: KernelPath { get set }
  /// Clears every parameter's gradient (to `nil`, or to zeros).
  func zeroGrad(setToNil: Bool)
  /// Takes one step from the current gradients.
  func step()
  /// Evaluates `closure` (which recomputes the loss and its gradients) as often as the algorithm
  /// needs, steps, and returns the closure's first result.
  @discardableResult func step(closure: () throws -> Double) rethrows -> Double
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
    try make(name, groups: [ParameterGroup(parameters)], options: options)
  }
}
