import DescentTensor

/// One algorithm as the catalog, the command line and the tests know it: its name, other names
/// the command line accepts, the learning rate that trains the digits MLP well, and the types that
/// run it in float32 and float64. Adding an optimizer means one entry in
/// ``OptimizerCatalog/entries``. (Unchecked `Sendable`: it holds metatypes, which are immutable.)
public struct OptimizerEntry: @unchecked Sendable {
  /// The class name (PyTorch's, or the reference implementation's: `"Adam8bit"`).
  public let name: String
  /// Other names accepted on the command line, in lower case (any case is accepted).
  public let aliases: [String]
  /// The learning rate that trains the digits MLP well in 20 epochs of batch 32 (used when
  /// `--lr` is not given).
  public let digitsLR: Double
  /// What runs float32 parameters.
  let float: any CatalogConstructible.Type
  /// What runs float64 parameters.
  let double: any CatalogConstructible.Type
  /// The defaults, when not the hyperparameter type's own (AdamW's over Adam's).
  let defaults: [String: HyperparameterValue]?
  /// The class name the optimizer is built and printed with (`"Adam"` for `AdamBF16`, a
  /// variant with other defaults).
  public let className: String

  /// An entry run by `float` and `double` (`AdamUpdate<Float>.self`, `AdamUpdate<Double>.self`),
  /// built as class `className` (`name` unless given).
  public init(
    _ name: String, aliases: [String] = [], digitsLR: Double,
    _ float: any CatalogConstructible.Type, _ double: any CatalogConstructible.Type,
    defaults: [String: HyperparameterValue]? = nil, className: String? = nil
  ) {
    self.name = name
    self.className = className ?? name
    self.aliases = aliases
    self.digitsLR = digitsLR
    self.float = float
    self.double = double
    self.defaults = defaults
  }

  /// Whether the update is element-wise (run by the fused, multi-threaded kernel).
  public var isElementwise: Bool { float is any ElementwiseAlgorithm.Type }

  /// Whether the algorithm takes parameters of any shape (Muon takes matrices only).
  public var takesAnyShape: Bool {
    (float as? any OptimizerAlgorithm.Type).map { Self.takesVectors($0) } ?? true
  }

  /// Whether a large parameter's state is blockwise 8-bit, so that its numbers depend on where
  /// blocks fall (an arena's flat parameter is not stepped as its members are).
  public var keepsBlockwiseState: Bool {
    (float as? any OptimizerAlgorithm.Type).map { Self.blockwise($0) } ?? false
  }

  private static func takesVectors<A: OptimizerAlgorithm>(_: A.Type) -> Bool {
    A.unsupportedReason(for: Parameter(Tensor<A.Scalar>(zeros: [2]))) == nil
  }

  private static func blockwise<A: OptimizerAlgorithm>(_: A.Type) -> Bool {
    let probe = Parameter(Tensor<A.Scalar>(zeros: [BlockwiseQuantization.minimumQuantizedCount]))
    guard case .blockwise8bit = A.initialState(for: probe, A.Settings()).encoding else {
      return false
    }
    return true
  }

  /// Whether `typed` (any case) names this entry.
  public func isNamed(_ typed: String) -> Bool {
    let key = typed.lowercased()
    return name.lowercased() == key || aliases.contains(key)
  }
}

/// What the catalog builds an optimizer from: an algorithm (its `Optimizer`, or the subclass
/// ``OptimizerAlgorithm/makeOptimizer(groups:defaults:name:)`` gives) or LBFGS.
public protocol CatalogConstructible {
  /// The element type of the parameters.
  associatedtype Scalar: LaneScalar
  /// The optimizer `name` over `groups`, from `defaults` (the type's own when `nil`) with
  /// `options` applied.
  static func catalogOptimizer(
    _ groups: [ParameterGroup<Scalar>], options: [String: HyperparameterValue],
    defaults: [String: HyperparameterValue]?, name: String
  ) throws -> any TrainingOptimizer<Scalar>
}

extension OptimizerAlgorithm {
  /// `makeOptimizer` over `groups` with the algorithm's hyperparameters: `defaults` (or its
  /// own) with `options` applied.
  public static func catalogOptimizer(
    _ groups: [ParameterGroup<Scalar>], options: [String: HyperparameterValue],
    defaults: [String: HyperparameterValue]?, name: String
  ) throws -> any TrainingOptimizer<Scalar> {
    let base = defaults ?? Settings().entries
    return try makeOptimizer(
      groups: groups, defaults: Settings(entries: base.merging(options) { $1 }), name: name)
  }
}

extension LBFGS: CatalogConstructible {
  /// LBFGS over `groups` with `options` (its line search is a flag).
  public static func catalogOptimizer(
    _ groups: [ParameterGroup<Scalar>], options: [String: HyperparameterValue],
    defaults _: [String: HyperparameterValue]?, name _: String
  ) throws -> any TrainingOptimizer<Scalar> {
    try LBFGS(groups, hyperparameters: LBFGSHyperparameters(options: options))
  }
}

/// Builds optimizers by class name and PyTorch-spelled options, as fixtures and the command line
/// give them, from one list of entries.
public enum OptimizerCatalog {
  /// Every optimizer, in the order the command line lists them.
  public static let entries: [OptimizerEntry] = [
    .init("SGD", digitsLR: 0.05, SGDUpdate<Float>.self, SGDUpdate<Double>.self),
    .init("Adagrad", digitsLR: 0.05, AdagradUpdate<Float>.self, AdagradUpdate<Double>.self),
    .init("RMSprop", digitsLR: 0.001, RMSpropUpdate<Float>.self, RMSpropUpdate<Double>.self),
    .init("Adam", digitsLR: 0.001, AdamUpdate<Float>.self, AdamUpdate<Double>.self),
    .init(
      "AdamBF16", aliases: ["adam-bf16"], digitsLR: 0.001, AdamUpdate<Float>.self,
      AdamUpdate<Double>.self, defaults: bfloat16Adam.entries, className: "Adam"),
    .init(
      "AdamW", digitsLR: 0.001, AdamUpdate<Float>.self, AdamUpdate<Double>.self,
      defaults: AdamHyperparameters.adamW.entries),
    .init("Adadelta", digitsLR: 1.0, AdadeltaUpdate<Float>.self, AdadeltaUpdate<Double>.self),
    .init("Adamax", digitsLR: 0.002, AdamaxUpdate<Float>.self, AdamaxUpdate<Double>.self),
    .init("NAdam", digitsLR: 0.002, NAdamUpdate<Float>.self, NAdamUpdate<Double>.self),
    .init("RAdam", digitsLR: 0.001, RAdamUpdate<Float>.self, RAdamUpdate<Double>.self),
    .init("ASGD", digitsLR: 0.05, ASGDUpdate<Float>.self, ASGDUpdate<Double>.self),
    .init("Rprop", digitsLR: 0.001, RpropUpdate<Float>.self, RpropUpdate<Double>.self),
    .init(
      "Adafactor", digitsLR: 0.01, AdafactorUpdate<Float>.self, AdafactorUpdate<Double>.self),
    .init("LBFGS", digitsLR: 0.1, LBFGS<Float>.self, LBFGS<Double>.self),
    .init("Lion", digitsLR: 1e-4, LionUpdate<Float>.self, LionUpdate<Double>.self),
    .init(
      "AdamWScheduleFree", aliases: ["adamw-schedulefree"], digitsLR: 0.0025,
      AdamWScheduleFreeUpdate<Float>.self, AdamWScheduleFreeUpdate<Double>.self),
    .init(
      "SGDScheduleFree", aliases: ["sgd-schedulefree"], digitsLR: 0.5,
      SGDScheduleFreeUpdate<Float>.self, SGDScheduleFreeUpdate<Double>.self),
    .init("Muon", digitsLR: 0.02, MuonUpdate<Float>.self, MuonUpdate<Double>.self),
    .init(
      "Adam8bit", aliases: ["adam-8bit"], digitsLR: 0.001, Adam8bitUpdate<Float>.self,
      Adam8bitUpdate<Double>.self),
    .init(
      "AdamW8bit", aliases: ["adamw-8bit"], digitsLR: 0.001, Adam8bitUpdate<Float>.self,
      Adam8bitUpdate<Double>.self, defaults: Adam8bitHyperparameters.adamW.entries),
    .init(
      "SGD8bit", aliases: ["sgd-8bit"], digitsLR: 0.05, SGD8bitUpdate<Float>.self,
      SGD8bitUpdate<Double>.self),
    .init(
      "Lion8bit", aliases: ["lion-8bit"], digitsLR: 1e-4, Lion8bitUpdate<Float>.self,
      Lion8bitUpdate<Double>.self),
  ]

  /// Adam's defaults with bfloat16 moments.
  private static var bfloat16Adam: AdamHyperparameters {
    var settings = AdamHyperparameters()
    settings.stateDType = .bfloat16
    return settings
  }

  /// The class names that can be built, in order.
  public static var names: [String] { entries.map(\.name) }

  /// The entry named `typed` (its name or an alias, any case), or `nil`.
  public static func entry(named typed: String) -> OptimizerEntry? {
    entries.first { $0.name == typed } ?? entries.first { $0.isNamed(typed) }
  }

  /// `weight_decay` → `weightDecay`: PyTorch's option name in camelCase.
  public static func swiftName(_ torchName: String) -> String {
    let parts = torchName.split(separator: "_", omittingEmptySubsequences: false)
    guard let first = parts.first else { return torchName }
    return String(first)
      + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
  }

  /// `weightDecay` → `weight_decay`: Descent's camelCase name in PyTorch's snake case.
  public static func torchName(_ swiftName: String) -> String {
    var name = ""
    for character in swiftName {
      if character.isUppercase, !name.isEmpty { name += "_" }
      name += character.lowercased()
    }
    return name
  }

  /// Options given with PyTorch names, renamed to Descent's.
  public static func swiftOptions(_ options: [String: HyperparameterValue]) -> [String:
    HyperparameterValue]
  {
    Dictionary(uniqueKeysWithValues: options.map { (swiftName($0.key), $0.value) })
  }

  /// The optimizer `name` (any case, or an alias) over `groups`, whose defaults are the
  /// algorithm's with `options` (Descent names) applied.
  ///
  /// - Throws: ``OptimizerError`` for an unknown name, option or invalid value.
  public static func make<Scalar: LaneScalar>(
    _ name: String, groups: [ParameterGroup<Scalar>], options: [String: HyperparameterValue]
  ) throws -> any TrainingOptimizer<Scalar> {
    guard let entry = entry(named: name) else { throw OptimizerError.unknownOptimizer(name) }
    let type: any CatalogConstructible.Type = Scalar.self == Float.self ? entry.float : entry.double
    return try build(type, groups: groups, options: options, entry: entry)
  }

  private static func build<C: CatalogConstructible, Scalar: LaneScalar>(
    _: C.Type, groups: [ParameterGroup<Scalar>], options: [String: HyperparameterValue],
    entry: OptimizerEntry
  ) throws -> any TrainingOptimizer<Scalar> {
    guard let groups = groups as? [ParameterGroup<C.Scalar>] else {
      throw OptimizerError.unknownOptimizer("\(entry.name) for \(Scalar.self)")
    }
    let optimizer = try C.catalogOptimizer(
      groups, options: options, defaults: entry.defaults, name: entry.className)
    return optimizer as! any TrainingOptimizer<Scalar>
  }
}
