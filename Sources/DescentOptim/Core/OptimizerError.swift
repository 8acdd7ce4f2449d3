import Foundation

/// What was wrong with an optimizer's input: a hyperparameter, its parameters or a state dict.
public enum OptimizerError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// A hyperparameter outside the values PyTorch accepts.
  case invalidHyperparameter(optimizer: String, name: String, value: String, requirement: String)
  /// A hyperparameter name the optimizer does not have (for example in a group's overrides).
  case unknownHyperparameter(optimizer: String, name: String)
  /// A hyperparameter absent from a complete set (a state dict's group, for example).
  case missingHyperparameter(optimizer: String, name: String)
  /// A hyperparameter given with the wrong kind of value (a number where a flag is expected...).
  case wrongHyperparameterType(optimizer: String, name: String, expected: String)
  /// A parameter group without parameters.
  case emptyParameterList(optimizer: String, group: Int)
  /// The same parameter given twice (in one group or in two).
  case duplicateParameter(optimizer: String, group: Int, position: Int)
  /// A parameter whose memory another parameter of the optimizer covers too: an arena's flat
  /// parameter given with one of its members (each step would update them twice).
  case overlappingParameter(optimizer: String, group: Int, position: Int)
  /// A parameter the algorithm cannot optimize (Muon takes matrices only); `reason` says why.
  case unsupportedParameter(optimizer: String, group: Int, position: Int, reason: String)
  /// A state dict that does not fit the optimizer; nothing was changed.
  case stateDictMismatch(optimizer: String, reason: String)
  /// An optimizer name the conformance runner does not know.
  case unknownOptimizer(String)

  /// A sentence saying what was wrong and where.
  public var description: String {
    switch self {
    case .invalidHyperparameter(let optimizer, let name, let value, let requirement):
      return "\(optimizer): invalid \(name) \(value): it must be \(requirement)"
    case .unknownHyperparameter(let optimizer, let name):
      return "\(optimizer): unknown hyperparameter '\(name)'"
    case .missingHyperparameter(let optimizer, let name):
      return "\(optimizer): hyperparameter '\(name)' is missing"
    case .wrongHyperparameterType(let optimizer, let name, let expected):
      return "\(optimizer): hyperparameter '\(name)' must be \(expected)"
    case .emptyParameterList(let optimizer, let group):
      return "\(optimizer): parameter group \(group) has no parameters"
    case .duplicateParameter(let optimizer, let group, let position):
      return
        "\(optimizer): parameter \(position) of group \(group) already appears in a parameter group"
    case .overlappingParameter(let optimizer, let group, let position):
      return
        "\(optimizer): parameter \(position) of group \(group) shares its memory with an earlier "
        + "parameter (an arena's flat parameter and one of its members); give one or the other"
    case .unsupportedParameter(let optimizer, let group, let position, let reason):
      return "\(optimizer): parameter \(position) of group \(group) is not supported: \(reason)"
    case .stateDictMismatch(let optimizer, let reason):
      return "\(optimizer): cannot load state dict: \(reason)"
    case .unknownOptimizer(let name):
      return "unknown optimizer '\(name)'"
    }
  }

  /// Same as `description`, for Foundation's error reporting.
  public var errorDescription: String? { description }
}
