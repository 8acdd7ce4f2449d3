import DescentTensor

/// What an ``AveragedModel`` saves in a checkpoint: the averaged weights by parameter name, how
/// many updates were averaged, and the rule's name (hyperparameters and custom functions are not
/// saved; load into an averaged model built with the same rule).
public struct AveragingState<Scalar: TensorScalar>: Codable, Equatable {
  /// The rule's name (``AveragingRule/name``).
  public var rule: String
  /// How many times the weights were averaged (PyTorch's `n_averaged`).
  public var nAveraged: Int
  /// The parameters' dotted names, in order.
  public var names: [String]
  /// The averaged weights, one per name.
  public var averages: [Tensor<Scalar>]

  /// A state of the given parts.
  public init(rule: String, nAveraged: Int, names: [String], averages: [Tensor<Scalar>]) {
    self.rule = rule
    self.nAveraged = nAveraged
    self.names = names
    self.averages = averages
  }
}
