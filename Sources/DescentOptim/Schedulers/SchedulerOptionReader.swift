/// Reads a scheduler's options by PyTorch name, remembering which were read so that unknown
/// ones can be reported.
struct SchedulerOptionReader {
  let scheduler: String
  let values: [String: JSONValue]
  private(set) var read: Set<String> = []

  init(scheduler: String, values: [String: JSONValue]) {
    self.scheduler = scheduler
    self.values = values
  }

  private mutating func value(_ key: String) -> JSONValue? {
    read.insert(key)
    if case .null = values[key] { return nil }
    return values[key]
  }

  private func wrongType(_ key: String, _ expected: String) -> SchedulerError {
    .invalidOption(
      scheduler: scheduler, option: key, value: values[key].map(jsonText) ?? "null",
      requirement: "must be \(expected)")
  }

  /// The number `key`, or `nil` when absent.
  mutating func optionalDouble(_ key: String) throws -> Double? {
    guard let value = value(key) else { return nil }
    guard case .number(let number) = value else { throw wrongType(key, "a number") }
    return number
  }

  /// The number `key`, or `fallback` when absent.
  mutating func double(_ key: String, _ fallback: Double) throws -> Double {
    try optionalDouble(key) ?? fallback
  }

  /// The number `key`, which must be present.
  mutating func requiredDouble(_ key: String) throws -> Double {
    guard let number = try optionalDouble(key) else {
      throw SchedulerError.missingOption(scheduler: scheduler, option: key)
    }
    return number
  }

  /// The integer `key`, or `nil` when absent.
  mutating func optionalInt(_ key: String) throws -> Int? {
    guard let number = try optionalDouble(key) else { return nil }
    guard let integer = Int(exactly: number) else { throw wrongType(key, "an integer") }
    return integer
  }

  /// The integer `key`, or `fallback` when absent.
  mutating func int(_ key: String, _ fallback: Int) throws -> Int {
    try optionalInt(key) ?? fallback
  }

  /// The integer `key`, which must be present.
  mutating func requiredInt(_ key: String) throws -> Int {
    guard let integer = try optionalInt(key) else {
      throw SchedulerError.missingOption(scheduler: scheduler, option: key)
    }
    return integer
  }

  /// The flag `key`, or `fallback` when absent.
  mutating func bool(_ key: String, _ fallback: Bool) throws -> Bool {
    guard let value = value(key) else { return fallback }
    guard case .bool(let flag) = value else { throw wrongType(key, "true or false") }
    return flag
  }

  /// The choice `key` among the cases of `Choice`, or `fallback` when absent.
  mutating func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, _ fallback: Choice)
    throws
    -> Choice where Choice.RawValue == String
  {
    guard let value = value(key) else { return fallback }
    guard case .string(let text) = value else { throw wrongType(key, "a string") }
    guard let choice = Choice(rawValue: text) else {
      throw SchedulerError.unknownChoice(
        scheduler: scheduler, option: key, value: text, allowed: Choice.allCases.map(\.rawValue))
    }
    return choice
  }

  /// The list `key`, which must be present, each item converted by `item` (`nil` for an item
  /// that is not `expected`).
  private mutating func requiredList<Item>(
    _ key: String, _ expected: String, _ item: (JSONValue) -> Item?
  ) throws -> [Item] {
    guard let value = value(key) else {
      throw SchedulerError.missingOption(scheduler: scheduler, option: key)
    }
    guard case .array(let items) = value else { throw wrongType(key, expected) }
    return try items.map { element in
      guard let converted = item(element) else { throw wrongType(key, expected) }
      return converted
    }
  }

  /// The list of integers `key`, which must be present.
  mutating func requiredIntList(_ key: String) throws -> [Int] {
    try requiredList(key, "a list of integers") { $0.number.flatMap { Int(exactly: $0) } }
  }

  /// The per-group value `key` (a number or a list of numbers), or `fallback` when absent.
  mutating func perGroup(_ key: String, _ fallback: PerGroupValue?) throws -> PerGroupValue {
    switch values[key] {
    case .number(let number):
      read.insert(key)
      return .all(number)
    case nil, .null?:
      read.insert(key)
      guard let fallback else {
        throw SchedulerError.missingOption(scheduler: scheduler, option: key)
      }
      return fallback
    default:
      return .each(try requiredList(key, "a number or a list of numbers") { $0.number })
    }
  }

  /// The list of option objects `key` (SequentialLR's and ChainedScheduler's schedulers).
  mutating func requiredObjectList(_ key: String) throws -> [[String: JSONValue]] {
    try requiredList(key, "a list of schedulers") { element in
      if case .object(let object) = element { return object }
      return nil
    }
  }

  /// Throws for the first option that was never read.
  func checkAllRead() throws {
    if let unknown = values.keys.sorted().first(where: {
      !read.contains($0)
    }) {
      throw SchedulerError.invalidOption(
        scheduler: scheduler, option: unknown, value: values[unknown].map(jsonText) ?? "null",
        requirement: "is not an option of \(scheduler)")
    }
  }
}

/// `value` as JSON text, for messages: `1.5`, `"x"`, `[5, 10]`, `{"gamma": 0.5}`.
func jsonText(_ value: JSONValue) -> String {
  switch value {
  case .null: return "null"
  case .bool(let flag): return flag ? "true" : "false"
  case .number(let number):
    return number == number.rounded() && abs(number) < 1e15
      ? String(Int(number)) : String(number)
  case .string(let text): return "\"\(text)\""
  case .array(let items): return "[" + items.map(jsonText).joined(separator: ", ") + "]"
  case .object(let fields):
    return "{"
      + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \(jsonText($0.value))" }
      .joined(separator: ", ") + "}"
  }
}
