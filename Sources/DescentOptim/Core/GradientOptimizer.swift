/// An optimizer seen without its algorithm type: what a training loop, a command-line tool or
/// the conformance runner needs of any optimizer.
public protocol GradientOptimizer: ScheduledOptimizer, CustomStringConvertible {
  /// Updates every parameter that has a gradient.
  func step()
  /// Clears every parameter's gradient (to `nil`, or to zeros).
  func zeroGrad(setToNil: Bool)
  /// The state in PyTorch's structure.
  func stateDict() -> OptimizerStateDict
  /// Restores a state; throws, leaving the optimizer unchanged, when it does not fit.
  func loadStateDict(_ dict: OptimizerStateDict) throws
  /// Which path runs element-wise updates.
  var kernelPath: KernelPath { get set }
}

extension Optimizer: GradientOptimizer {}
