import DescentOptim
import DescentTensor
import Foundation

/// What went wrong reading an optimizer list such as `sgd,momentum=0.01,adam`.
public enum RecipeError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// A name that is neither an alias nor a PyTorch optimizer class.
  case unknownOptimizer(String, known: [String])
  /// A learning rate that is not a finite positive number.
  case invalidLearningRate(optimizer: String, text: String)
  /// An empty list or an empty entry.
  case emptyEntry(String)

  /// A sentence saying what was wrong and where.
  public var description: String {
    switch self {
    case .unknownOptimizer(let name, let known):
      return "unknown optimizer '\(name)'; choose from \(known.joined(separator: ", "))"
    case .invalidLearningRate(let optimizer, let text):
      return "learning rate '\(text)' for \(optimizer) is not a finite positive number"
    case .emptyEntry(let list):
      return "the optimizer list '\(list)' has an empty entry"
    }
  }

  /// Same as `description`, for Foundation's error reporting.
  public var errorDescription: String? { description }
}

/// One optimizer to run: a display name (the seed's, e.g. "Momentum"), the PyTorch class it is
/// built from, its fixed options, and its learning rate.
public struct OptimizerRecipe: Equatable, Sendable {
  /// The name shown in legends and tables, e.g. `"Nesterov"`.
  public var label: String
  /// The PyTorch class name, e.g. `"SGD"`.
  public var className: String
  /// Options besides the learning rate (Descent's camelCase names), e.g. `momentum: 0.9`.
  public var options: [String: HyperparameterValue]
  /// The learning rate, or nil for the caller's default.
  public var lr: Double?

  /// A recipe from its parts.
  public init(
    label: String, className: String, options: [String: HyperparameterValue] = [:],
    lr: Double? = nil
  ) {
    self.label = label
    self.className = className
    self.options = options
    self.lr = lr
  }

  /// The seed's optimizers: SGD, Momentum, Nesterov, AdaGrad, Adadelta, RMSprop, Adam.
  public static let seedLineUp: [OptimizerRecipe] = [
    "sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam",
  ].map { aliases[$0]! }

  /// The seed's names for variants, by lower-case alias.
  private static let aliases: [String: OptimizerRecipe] = [
    "sgd": OptimizerRecipe(label: "SGD", className: "SGD"),
    "momentum": OptimizerRecipe(label: "Momentum", className: "SGD", options: ["momentum": 0.9]),
    "nesterov": OptimizerRecipe(
      label: "Nesterov", className: "SGD", options: ["momentum": 0.9, "nesterov": true]),
    "adagrad": OptimizerRecipe(label: "AdaGrad", className: "Adagrad"),
    "adadelta": OptimizerRecipe(label: "Adadelta", className: "Adadelta"),
    "rmsprop": OptimizerRecipe(label: "RMSprop", className: "RMSprop"),
    "adam": OptimizerRecipe(label: "Adam", className: "Adam"),
  ]

  /// Every name `recipe(named:)` understands.
  public static var knownNames: [String] {
    var names = ["sgd", "momentum", "nesterov"]
    for name in OptimizerCatalog.names.map({ $0.lowercased() }) where !names.contains(name) {
      names.append(name)
    }
    return names
  }

  /// The recipe for `name` (any case): a seed alias, or any optimizer of the catalog by its class
  /// name or one of its aliases.
  public static func named(_ name: String) throws(RecipeError) -> OptimizerRecipe {
    let key = name.lowercased()
    if let recipe = aliases[key] { return recipe }
    if let entry = OptimizerCatalog.entry(named: key) {
      return OptimizerRecipe(label: entry.name, className: entry.name)
    }
    throw RecipeError.unknownOptimizer(name, known: knownNames)
  }

  /// Recipes from a comma-separated list of names, each optionally with `=lr`
  /// (`"sgd=0.01,momentum,adam=0.05"`).
  public static func list(_ text: String) throws(RecipeError) -> [OptimizerRecipe] {
    var recipes: [OptimizerRecipe] = []
    for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
      let parts = entry.split(separator: "=", maxSplits: 1).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard let name = parts.first, !name.isEmpty else { throw RecipeError.emptyEntry(text) }
      var recipe = try named(name)
      if parts.count == 2 {
        guard let lr = Double(parts[1]), lr.isFinite, lr > 0 else {
          throw RecipeError.invalidLearningRate(optimizer: recipe.label, text: parts[1])
        }
        recipe.lr = lr
      }
      recipes.append(recipe)
    }
    return recipes
  }

  /// The recipe with `lr` filled in when it has none.
  public func withDefaultLR(_ lr: Double) -> OptimizerRecipe {
    var copy = self
    copy.lr = self.lr ?? lr
    return copy
  }

  /// The options passed to ``OptimizerCatalog``: the fixed ones plus `lr` when set.
  public var catalogOptions: [String: HyperparameterValue] {
    var all = options
    if let lr { all["lr"] = .number(lr) }
    return all
  }

  /// The optimizer over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` when the catalog rejects the class or a value.
  public func make<Scalar: LaneScalar>(_ parameters: [Parameter<Scalar>]) throws
    -> any TrainingOptimizer<Scalar>
  {
    try OptimizerCatalog.make(className, parameters: parameters, options: catalogOptions)
  }

  /// `"Adam (lr 0.05)"`: the label with its learning rate, for legends.
  public var legendText: String {
    guard let lr else { return label }
    return "\(label) (lr \(formatLR(lr)))"
  }
}

/// A learning rate in few characters: `0.05`, `1`, `1e-05` (Swift's shortest round-trip text).
func formatLR(_ lr: Double) -> String {
  var text = String(lr)
  if text.hasSuffix(".0") { text.removeLast(2) }
  return text
}
