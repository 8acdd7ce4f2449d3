/// An optimizer's state in PyTorch's `state_dict()` structure: per-parameter state keyed by the
/// parameter's index in group order, and each group's parameter indices and hyperparameters.
///
/// Buffers are stored as `Double` (exact for `Float` too), so the value is the same type
/// whatever the optimizer's scalar type, and can be saved in a checkpoint.
public struct OptimizerStateDict: Codable, Equatable, Sendable {
  /// The state of one parameter.
  public struct ParameterRecord: Codable, Equatable, Sendable {
    /// The number of steps taken.
    public var step: Int
    /// The parameter's shape (every buffer has it).
    public var shape: [Int]
    /// Buffers by PyTorch's state key (`exp_avg`...), in row-major order.
    public var buffers: [String: [Double]]
    /// The order in which the buffers are kept.
    public var bufferOrder: [String]
    /// Scalar state by PyTorch's state key.
    public var scalars: [String: Double]

    /// A record of the given values.
    public init(
      step: Int, shape: [Int], buffers: [String: [Double]], bufferOrder: [String],
      scalars: [String: Double]
    ) {
      self.step = step
      self.shape = shape
      self.buffers = buffers
      self.bufferOrder = bufferOrder
      self.scalars = scalars
    }
  }

  /// One parameter group: its parameters' indices and its hyperparameters.
  public struct GroupRecord: Codable, Equatable, Sendable {
    /// Indices of the group's parameters, counted across groups in order.
    public var params: [Int]
    /// Every hyperparameter of the group by name.
    public var hyperparameters: [String: HyperparameterValue]

    /// A record of the given values.
    public init(params: [Int], hyperparameters: [String: HyperparameterValue]) {
      self.params = params
      self.hyperparameters = hyperparameters
    }
  }

  /// Per-parameter state, by parameter index; parameters never stepped have none.
  public var state: [Int: ParameterRecord]
  /// The parameter groups, in order.
  public var paramGroups: [GroupRecord]

  /// A state dict of the given values.
  public init(state: [Int: ParameterRecord], paramGroups: [GroupRecord]) {
    self.state = state
    self.paramGroups = paramGroups
  }
}
