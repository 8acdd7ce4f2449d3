/// The hyperparameters of one algorithm: a validated value type that a parameter group holds.
///
/// `init()` gives PyTorch's defaults; ``entries`` and ``init(entries:)`` convert to and from the
/// name-value form used by group overrides, state dicts and the printed description (names are
/// PyTorch's in camelCase).
public protocol Hyperparameters: Sendable, Equatable {
  /// PyTorch's defaults.
  init()
  /// Builds and validates the hyperparameters from every entry.
  ///
  /// - Throws: ``OptimizerError`` for a missing, unknown, mistyped or invalid entry.
  init(entries: [String: HyperparameterValue]) throws
  /// Every hyperparameter by name.
  var entries: [String: HyperparameterValue] { get }
  /// The learning rate.
  var lr: Double { get set }
  /// The momentum-like hyperparameter (`momentum` or the first beta), `nil` when there is none.
  var momentumLike: Double? { get set }
  /// How the optimizer's description prints hyperparameter `name`'s `value`.
  static func printed(_ name: String, _ value: HyperparameterValue) -> String
}

extension Hyperparameters {
  /// Swift's spelling of `value` (see ``HyperparameterValue/description``).
  public static func printed(_: String, _ value: HyperparameterValue) -> String {
    value.description
  }

  /// No momentum-like hyperparameter: reads `nil`, ignores writes.
  public var momentumLike: Double? {
    get { nil }
    set {}
  }
}

/// Reads entries for ``Hyperparameters/init(entries:)``, throwing on missing, unknown or
/// mistyped ones.
public struct HyperparameterReader {
  /// The optimizer named in errors.
  public let optimizer: String
  private let entries: [String: HyperparameterValue]

  /// A reader of `entries` for hyperparameters of type `type`; throws when an entry is not one
  /// of that type's names.
  public init<H: Hyperparameters>(
    _ entries: [String: HyperparameterValue], for type: H.Type, optimizer: String
  ) throws {
    try self.init(entries, known: Set(H().entries.keys), optimizer: optimizer)
  }

  /// A reader of `entries`; throws when an entry is not one of the `known` names.
  public init(_ entries: [String: HyperparameterValue], known: Set<String>, optimizer: String)
    throws
  {
    if let unknown = entries.keys.sorted().first(where: { !known.contains($0) }) {
      throw OptimizerError.unknownHyperparameter(optimizer: optimizer, name: unknown)
    }
    self.entries = entries
    self.optimizer = optimizer
  }

  /// Whether an entry named `name` is given.
  public func has(_ name: String) -> Bool { entries[name] != nil }

  private func value(_ name: String) throws -> HyperparameterValue {
    guard let value = entries[name] else {
      throw OptimizerError.missingHyperparameter(optimizer: optimizer, name: name)
    }
    return value
  }

  /// The number named `name`.
  public func number(_ name: String) throws -> Double {
    guard case .number(let number) = try value(name) else {
      throw OptimizerError.wrongHyperparameterType(
        optimizer: optimizer, name: name, expected: "a number")
    }
    return number
  }

  /// The flag named `name`.
  public func flag(_ name: String) throws -> Bool {
    guard case .flag(let flag) = try value(name) else {
      throw OptimizerError.wrongHyperparameterType(
        optimizer: optimizer, name: name, expected: "true or false")
    }
    return flag
  }

  /// The pair named `name`.
  public func pair(_ name: String) throws -> (Double, Double) {
    guard case .pair(let first, let second) = try value(name) else {
      throw OptimizerError.wrongHyperparameterType(
        optimizer: optimizer, name: name, expected: "a pair of numbers")
    }
    return (first, second)
  }

  /// The list of numbers named `name` (a pair counts as a list of two).
  public func list(_ name: String) throws -> [Double] {
    switch try value(name) {
    case .list(let values): return values
    case .pair(let first, let second): return [first, second]
    default:
      throw OptimizerError.wrongHyperparameterType(
        optimizer: optimizer, name: name, expected: "a list of numbers")
    }
  }

  /// The word named `name`.
  public func text(_ name: String) throws -> String {
    guard case .text(let text) = try value(name) else {
      throw OptimizerError.wrongHyperparameterType(
        optimizer: optimizer, name: name, expected: "a word")
    }
    return text
  }
}

/// Checks a hyperparameter, throwing ``OptimizerError/invalidHyperparameter`` when it fails.
public struct HyperparameterCheck {
  /// The optimizer named in errors.
  public let optimizer: String

  /// A checker for `optimizer`.
  public init(_ optimizer: String) { self.optimizer = optimizer }

  /// Throws unless `condition` holds for `value`.
  public func require(
    _ condition: Bool, _ name: String, _ value: any CustomStringConvertible, _ requirement: String
  ) throws {
    if !condition {
      throw OptimizerError.invalidHyperparameter(
        optimizer: optimizer, name: name, value: value.description, requirement: requirement)
    }
  }

  /// Throws unless `value >= 0` (NaN fails).
  public func nonNegative(_ value: Double, _ name: String) throws {
    try require(value >= 0, name, value, ">= 0")
  }

  /// Throws unless `0 <= value < 1`.
  public func unitInterval(_ value: Double, _ name: String) throws {
    try require(value >= 0 && value < 1, name, value, "in [0, 1)")
  }

  /// Throws unless `value` is a whole number in `range`.
  public func wholeNumber(_ value: Double, _ name: String, in range: ClosedRange<Int>) throws {
    try require(
      value == value.rounded() && value >= Double(range.lowerBound)
        && value <= Double(range.upperBound), name, value,
      "a whole number in [\(range.lowerBound), \(range.upperBound)]")
  }

  /// Throws unless both betas are in `[0, 1)`.
  public func betas(_ betas: (Double, Double)) throws {
    try unitInterval(betas.0, "betas[0]")
    try unitInterval(betas.1, "betas[1]")
  }
}

/// Hyperparameters whose momentum-like value is the first of `betas` (the Adam family).
public protocol BetasHyperparameters: Hyperparameters {
  /// The decay rates of the first and second moments.
  var betas: (Double, Double) { get set }
}

extension BetasHyperparameters {
  /// The first beta.
  public var momentumLike: Double? {
    get { betas.0 }
    set { if let newValue { betas.0 = newValue } }
  }

  /// Equal when every hyperparameter is (tuples are not `Equatable`).
  public static func == (lhs: Self, rhs: Self) -> Bool { lhs.entries == rhs.entries }
}

/// Hyperparameters with a `momentum` factor (SGD, RMSprop).
public protocol MomentumHyperparameters: Hyperparameters {
  /// The momentum factor.
  var momentum: Double { get set }
}

extension MomentumHyperparameters {
  /// The momentum.
  public var momentumLike: Double? {
    get { momentum }
    set { if let newValue { momentum = newValue } }
  }
}
