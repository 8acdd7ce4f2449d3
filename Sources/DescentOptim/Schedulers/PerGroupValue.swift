/// A hyperparameter given either once for every parameter group or once per group, as PyTorch
/// accepts `max_lr=0.1` or `max_lr=[0.1, 0.01]`.
public enum PerGroupValue: Equatable, Sendable, ExpressibleByFloatLiteral,
  ExpressibleByIntegerLiteral,
  ExpressibleByArrayLiteral
{
  /// The same value for every group.
  case all(Double)
  /// One value per group, in group order.
  case each([Double])

  /// The same value for every group.
  public init(floatLiteral value: Double) { self = .all(value) }
  /// The same value for every group.
  public init(integerLiteral value: Int) { self = .all(Double(value)) }
  /// One value per group, in group order.
  public init(arrayLiteral elements: Double...) { self = .each(elements) }

  /// The value of every group of an optimizer with `groups` groups.
  ///
  /// - Throws: ``SchedulerError/groupCountMismatch(scheduler:option:expected:got:)`` when a list
  ///   has the wrong length.
  func resolved(groups: Int, scheduler: String, option: String) throws -> [Double] {
    switch self {
    case .all(let value):
      return Array(repeating: value, count: groups)
    case .each(let values):
      guard values.count == groups else {
        throw SchedulerError.groupCountMismatch(
          scheduler: scheduler, option: option, expected: groups, got: values.count)
      }
      return values
    }
  }
}
