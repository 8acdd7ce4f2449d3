import DescentTensor

/// Parameters given to an optimizer together, with hyperparameters that override its defaults
/// (PyTorch's `{"params": [...], "lr": 0.1}`); names are PyTorch's in camelCase.
public struct ParameterGroup<Scalar: TensorScalar> {
  /// The group's parameters.
  public var parameters: [Parameter<Scalar>]
  /// Hyperparameters that differ from the optimizer's defaults, e.g. `["lr": 0.1]`.
  public var overrides: [String: HyperparameterValue]

  /// A group of `parameters` with the given overrides.
  public init(_ parameters: [Parameter<Scalar>], _ overrides: [String: HyperparameterValue] = [:]) {
    self.parameters = parameters
    self.overrides = overrides
  }
}

/// A parameter group inside an optimizer: its parameters and complete hyperparameters.
public struct OptimizerParamGroup<Settings: Hyperparameters, Scalar: TensorScalar> {
  /// The group's parameters.
  public internal(set) var parameters: [Parameter<Scalar>]
  /// The group's hyperparameters (schedulers change `lr` and the momentum here).
  public var hyperparameters: Settings
}
