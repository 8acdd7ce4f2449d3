/// What a checkpoint needs of an optimizer: its class name (checked on load) and its state dict.
/// Every ``Optimizer`` conforms.
public protocol CheckpointableOptimizer: AnyObject {
  /// The optimizer's class name as printed (`"Adam"`, `"AdamW"`).
  var name: String { get }
  /// The optimizer's state, hyperparameters included.
  func stateDict() -> OptimizerStateDict
  /// Restores a state; throws and changes nothing when it does not fit.
  func loadStateDict(_ dict: OptimizerStateDict) throws
}

extension Optimizer: CheckpointableOptimizer {}
