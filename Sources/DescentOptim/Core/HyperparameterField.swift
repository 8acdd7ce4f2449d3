/// What a number hyperparameter must satisfy, with the requirement as errors state it.
public struct NumberRule: Sendable {
  /// Whether a value passes.
  public let accepts: @Sendable (Double) -> Bool
  /// The requirement, as in "it must be >= 0".
  public let requirement: String

  /// A rule accepting values for which `accepts` holds.
  public init(_ requirement: String, _ accepts: @escaping @Sendable (Double) -> Bool) {
    self.requirement = requirement
    self.accepts = accepts
  }

  /// Any finite number.
  public static let finite = NumberRule("finite") { $0.isFinite }
  /// `>= 0` (NaN fails).
  public static let nonNegative = NumberRule(">= 0") { $0 >= 0 }
  /// `> 0`.
  public static let positive = NumberRule("> 0") { $0 > 0 }
  /// `0 <= value < 1`: a decay rate.
  public static let unitInterval = NumberRule("in [0, 1)") { $0 >= 0 && $0 < 1 }
  /// `0 <= value <= 1`.
  public static let closedUnitInterval = NumberRule("in [0, 1]") { $0 >= 0 && $0 <= 1 }
  /// `0 < value < 1`.
  public static let openUnitInterval = NumberRule("in (0, 1)") { $0 > 0 && $0 < 1 }
}

/// One hyperparameter, declared once: its name (Descent's camelCase), PyTorch's name, where its
/// value is kept (its default is the stored property's) and what it must satisfy. From the fields
/// of a ``DeclaredHyperparameters`` type come its validation, `init(entries:)`, its state-dict
/// entries and its printed form.
public struct HyperparameterField<Settings> {
  /// Descent's name (`weightDecay`).
  public let name: String
  /// PyTorch's name (`weight_decay`).
  public let torchName: String
  /// Reads the field's entry into a value.
  let read: (inout Settings, HyperparameterReader) throws -> Void
  /// The field's entry (`nil`: left out, as a Descent-only option at its default is).
  let value: (Settings) -> HyperparameterValue?
  /// Throws when the field's value is invalid.
  let check: (Settings, HyperparameterCheck) throws -> Void
  /// Whether the value is a whole number, printed without a fraction (`nsSteps: 5`), as
  /// PyTorch prints its integers.
  public let isWholeNumber: Bool

  /// A field of any kind: `read` stores the entry, `value` gives it back, `check` validates it.
  public init(
    _ name: String, torchName: String? = nil,
    read: @escaping (inout Settings, HyperparameterReader) throws -> Void,
    value: @escaping (Settings) -> HyperparameterValue?,
    check: @escaping (Settings, HyperparameterCheck) throws -> Void = { _, _ in },
    isWholeNumber: Bool = false
  ) {
    self.isWholeNumber = isWholeNumber
    self.name = name
    self.torchName = torchName ?? OptimizerCatalog.torchName(name)
    self.read = read
    self.value = value
    self.check = check
  }

  /// A real number, finite and satisfying `rule`.
  public static func number(
    _ name: String, _ keyPath: WritableKeyPath<Settings, Double>, _ rule: NumberRule = .finite,
    torchName: String? = nil
  ) -> Self {
    Self(
      name, torchName: torchName, read: { $0[keyPath: keyPath] = try $1.number(name) },
      value: { .number($0[keyPath: keyPath]) },
      check: { settings, check in try check.number(settings[keyPath: keyPath], name, rule) })
  }

  /// A whole number in `range`, stored as `Int` (given as a number).
  public static func whole(
    _ name: String, _ keyPath: WritableKeyPath<Settings, Int>, in range: ClosedRange<Int>,
    torchName: String? = nil
  ) -> Self {
    Self(
      name, torchName: torchName,
      read: { settings, reader in
        let number = try reader.number(name)
        try HyperparameterCheck(reader.optimizer).wholeNumber(number, name, in: range)
        settings[keyPath: keyPath] = Int(number)
      },
      value: { .number(Double($0[keyPath: keyPath])) },
      check: { settings, check in
        try check.wholeNumber(Double(settings[keyPath: keyPath]), name, in: range)
      }, isWholeNumber: true)
  }

  /// A flag.
  public static func flag(
    _ name: String, _ keyPath: WritableKeyPath<Settings, Bool>, torchName: String? = nil
  ) -> Self {
    Self(
      name, torchName: torchName, read: { $0[keyPath: keyPath] = try $1.flag(name) },
      value: { .flag($0[keyPath: keyPath]) })
  }

  /// A pair of finite numbers, each satisfying `rule` (the second `second` when given; reported
  /// as `name[0]`, `name[1]`).
  public static func pair(
    _ name: String, _ keyPath: WritableKeyPath<Settings, (Double, Double)>,
    each rule: NumberRule = .finite, second: NumberRule? = nil, torchName: String? = nil
  ) -> Self {
    Self(
      name, torchName: torchName, read: { $0[keyPath: keyPath] = try $1.pair(name) },
      value: { .pair($0[keyPath: keyPath].0, $0[keyPath: keyPath].1) },
      check: { settings, check in
        let pair = settings[keyPath: keyPath]
        try check.number(pair.0, "\(name)[0]", rule)
        try check.number(pair.1, "\(name)[1]", second ?? rule)
      })
  }

  /// A choice among the cases of `Choice`, given as its raw value.
  public static func choice<Choice: RawRepresentable & CaseIterable>(
    _ name: String, _ keyPath: WritableKeyPath<Settings, Choice>, torchName: String? = nil
  ) -> Self where Choice.RawValue == String {
    Self(
      name, torchName: torchName,
      read: { settings, reader in
        let text = try reader.text(name)
        guard let choice = Choice(rawValue: text) else {
          throw OptimizerError.invalidHyperparameter(
            optimizer: reader.optimizer, name: name, value: text,
            requirement: "one of " + Choice.allCases.map(\.rawValue).joined(separator: ", "))
        }
        settings[keyPath: keyPath] = choice
      },
      value: { .text($0[keyPath: keyPath].rawValue) })
  }
}

/// Hyperparameters declared field by field (see ``HyperparameterField``): `init(entries:)`,
/// ``Hyperparameters/entries`` and validation all come from ``fields``, so each hyperparameter's
/// name, default (its stored property's initial value) and check are written once.
public protocol DeclaredHyperparameters: Hyperparameters {
  /// The optimizer named in errors (`"Adam"`).
  static var optimizerName: String { get }
  /// Every hyperparameter, in the order they are read and checked.
  static var fields: [HyperparameterField<Self>] { get }
  /// Checks that involve several fields (SGD's Nesterov needs momentum); each field's own check
  /// has already passed. Does nothing by default.
  func checkCombination(_ check: HyperparameterCheck) throws
}

extension DeclaredHyperparameters {
  /// No check across fields.
  public func checkCombination(_: HyperparameterCheck) throws {}

  /// Reads and validates every entry; a name that differs from a field's only in case
  /// (`stateDtype`, as `--state-dtype` comes from the command line) is that field's, and wins
  /// over the field's own spelling (it can only be an override).
  public init(entries: [String: HyperparameterValue]) throws {
    let names = Self.fields.map(\.name)
    var spelled = entries
    for (key, value) in entries where !names.contains(key) {
      if let name = names.first(where: { $0.lowercased() == key.lowercased() }) {
        spelled[key] = nil
        spelled[name] = value
      }
    }
    let reader = try HyperparameterReader(
      spelled, known: Set(names), optimizer: Self.optimizerName)
    var settings = Self()
    for field in Self.fields { try field.read(&settings, reader) }
    self = try settings.validated()
  }

  /// `value` as printed: whole-number fields without a fraction.
  public static func printed(_ name: String, _ value: HyperparameterValue) -> String {
    if case .number(let number) = value,
      fields.contains(where: { $0.name == name && $0.isWholeNumber }),
      let whole = Int(exactly: number)
    {
      return "\(whole)"
    }
    return value.description
  }

  /// Every hyperparameter by name.
  public var entries: [String: HyperparameterValue] {
    Dictionary(
      uniqueKeysWithValues: Self.fields.compactMap { field in
        field.value(self).map { (field.name, $0) }
      })
  }

  /// These hyperparameters once every field and combination has been checked.
  ///
  /// - Throws: ``OptimizerError/invalidHyperparameter(optimizer:name:value:requirement:)`` naming
  ///   the first value that fails.
  public func validated() throws -> Self {
    let check = HyperparameterCheck(Self.optimizerName)
    for field in Self.fields { try field.check(self, check) }
    try checkCombination(check)
    return self
  }

  /// `base` (the defaults unless given) with the given values replaced, validated; `nil` values
  /// are left as they are, so an initializer can pass its optional arguments straight through.
  ///
  /// - Throws: ``OptimizerError`` for an unknown name or an invalid value.
  public static func given(_ values: [String: HyperparameterValue?], base: Self = Self()) throws
    -> Self
  {
    try Self(entries: base.entries.merging(values.compactMapValues { $0 }) { $1 })
  }
}

extension HyperparameterValue {
  /// `.number(value)`, or `nil` when no value is given.
  public static func of(_ value: Double?) -> HyperparameterValue? { value.map { .number($0) } }
  /// `.number(value)` of a whole number, or `nil` when no value is given.
  public static func of(_ value: Int?) -> HyperparameterValue? { value.map { .number(Double($0)) } }
  /// `.flag(value)`, or `nil` when no value is given.
  public static func of(_ value: Bool?) -> HyperparameterValue? { value.map { .flag($0) } }
  /// `.pair(value)`, or `nil` when no value is given.
  public static func of(_ value: (Double, Double)?) -> HyperparameterValue? {
    value.map { .pair($0.0, $0.1) }
  }
  /// `.text(value.rawValue)`, or `nil` when no value is given.
  public static func of<Choice: RawRepresentable>(_ value: Choice?) -> HyperparameterValue?
  where Choice.RawValue == String {
    value.map { .text($0.rawValue) }
  }
}

extension HyperparameterCheck {
  /// Throws unless `value` satisfies `rule` and is finite.
  public func number(_ value: Double, _ name: String, _ rule: NumberRule) throws {
    try require(rule.accepts(value), name, value, rule.requirement)
    try require(value.isFinite, name, value, "finite")
  }
}
