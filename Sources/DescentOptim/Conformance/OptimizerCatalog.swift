import DescentTensor

/// Builds optimizers by PyTorch class name and PyTorch-spelled options, as fixtures and the
/// command line give them.
public enum OptimizerCatalog {
  /// The PyTorch class names that can be built.
  public static let names = [
    "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD",
    "Rprop", "Adafactor", "LBFGS", "Lion", "AdamWScheduleFree", "SGDScheduleFree", "Muon",
  ]

  /// `weight_decay` → `weightDecay`: PyTorch's option name in camelCase.
  public static func swiftName(_ torchName: String) -> String {
    let parts = torchName.split(separator: "_", omittingEmptySubsequences: false)
    guard let first = parts.first else { return torchName }
    return String(first)
      + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
  }

  /// Options given with PyTorch names, renamed to Descent's.
  public static func swiftOptions(_ options: [String: HyperparameterValue]) -> [String:
    HyperparameterValue]
  {
    Dictionary(uniqueKeysWithValues: options.map { (swiftName($0.key), $0.value) })
  }

  /// The optimizer `name` over `groups`, whose defaults are PyTorch's with `options` (Descent
  /// names) applied.
  ///
  /// - Throws: ``OptimizerError`` for an unknown name, option or invalid value.
  public static func make<Scalar: LaneScalar>(
    _ name: String, groups: [ParameterGroup<Scalar>], options: [String: HyperparameterValue]
  ) throws -> any TrainingOptimizer<Scalar> {
    func settings<A: OptimizerAlgorithm>(_: A.Type, _ base: A.Settings = A.Settings()) throws
      -> A.Settings
    {
      try A.Settings(entries: base.entries.merging(options) { $1 })
    }
    func build<A: OptimizerAlgorithm>(_ type: A.Type, _ base: A.Settings = A.Settings()) throws
      -> any TrainingOptimizer<Scalar> where A.Scalar == Scalar
    {
      try Optimizer<A>(groups: groups, defaults: settings(type, base), name: name)
    }
    switch name {
    case "SGD": return try build(SGDUpdate<Scalar>.self)
    case "Adagrad": return try build(AdagradUpdate<Scalar>.self)
    case "RMSprop": return try build(RMSpropUpdate<Scalar>.self)
    case "Adam": return try build(AdamUpdate<Scalar>.self)
    case "AdamW": return try build(AdamUpdate<Scalar>.self, .adamW)
    case "Adadelta": return try build(AdadeltaUpdate<Scalar>.self)
    case "Adamax": return try build(AdamaxUpdate<Scalar>.self)
    case "NAdam": return try build(NAdamUpdate<Scalar>.self)
    case "RAdam": return try build(RAdamUpdate<Scalar>.self)
    case "ASGD": return try build(ASGDUpdate<Scalar>.self)
    case "Rprop": return try build(RpropUpdate<Scalar>.self)
    case "Adafactor":
      return try Adafactor(groups: groups, defaults: settings(AdafactorUpdate<Scalar>.self))
    case "Lion": return try build(LionUpdate<Scalar>.self)
    case "AdamWScheduleFree":
      return try ScheduleFreeOptimizer<AdamWScheduleFreeUpdate<Scalar>>(
        groups: groups, defaults: settings(AdamWScheduleFreeUpdate<Scalar>.self), name: name)
    case "SGDScheduleFree":
      return try ScheduleFreeOptimizer<SGDScheduleFreeUpdate<Scalar>>(
        groups: groups, defaults: settings(SGDScheduleFreeUpdate<Scalar>.self), name: name)
    case "Muon": return try build(MuonUpdate<Scalar>.self)
    case "LBFGS":
      return try LBFGS(groups, hyperparameters: LBFGSHyperparameters(options: options))
    default: throw OptimizerError.unknownOptimizer(name)
    }
  }
}
