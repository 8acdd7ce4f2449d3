import Foundation

/// One constructor argument of a layer as PyTorch's fixtures and Descent's command line give it.
public enum LayerArgument: Sendable, Equatable {
  case integer(Int)
  case number(Double)
  case boolean(Bool)
  case text(String)
  case integers([Int])
  case none
}

/// A layer's constructor arguments by PyTorch's names (`in_channels`, `kernel_size`, ...), read
/// with a check of each one's type.
public struct LayerArguments: Sendable {
  /// The arguments by name.
  public var values: [String: LayerArgument]

  /// Arguments from a dictionary.
  public init(_ values: [String: LayerArgument]) { self.values = values }

  /// An integer argument, or `fallback` when absent.
  ///
  /// - Throws: ``LayerCatalogError/invalidArgument(_:_:)`` when present and not an integer.
  public func integer(_ name: String, default fallback: Int? = nil) throws -> Int {
    switch values[name] {
    case .integer(let value): return value
    case .number(let value) where value == value.rounded() && abs(value) < 1e15: return Int(value)
    case nil, .some(.none):
      guard let fallback else { throw LayerCatalogError.missingArgument(name) }
      return fallback
    default: throw LayerCatalogError.invalidArgument(name, "not an integer")
    }
  }

  /// An integer argument that must be positive (a layer's size), or `fallback` when absent.
  ///
  /// - Throws: ``LayerCatalogError/invalidArgument(_:_:)`` when present and not a positive
  ///   integer.
  func positiveInteger(_ name: String, default fallback: Int? = nil) throws -> Int {
    let value = try integer(name, default: fallback)
    guard value > 0 else {
      throw LayerCatalogError.invalidArgument(name, "must be positive, got \(value)")
    }
    return value
  }

  /// A number argument, or `fallback` when absent.
  public func number(_ name: String, default fallback: Double? = nil) throws -> Double {
    switch values[name] {
    case .integer(let value): return Double(value)
    case .number(let value): return value
    case nil, .some(.none):
      guard let fallback else { throw LayerCatalogError.missingArgument(name) }
      return fallback
    default: throw LayerCatalogError.invalidArgument(name, "not a number")
    }
  }

  /// A boolean argument, or `fallback` when absent.
  public func boolean(_ name: String, default fallback: Bool) throws -> Bool {
    switch values[name] {
    case .boolean(let value): return value
    case nil, .some(.none): return fallback
    default: throw LayerCatalogError.invalidArgument(name, "not a boolean")
    }
  }

  /// A text argument, or `fallback` when absent.
  public func text(_ name: String, default fallback: String) throws -> String {
    switch values[name] {
    case .text(let value): return value
    case nil, .some(.none): return fallback
    default: throw LayerCatalogError.invalidArgument(name, "not a string")
    }
  }

  /// An argument PyTorch takes as an int or a tuple (`kernel_size=3` or `(3, 2)`), as `count`
  /// integers, or `fallback` when absent.
  public func integers(_ name: String, count: Int, default fallback: [Int]? = nil) throws -> [Int] {
    switch values[name] {
    case .integer(let value): return Array(repeating: value, count: count)
    case .integers(let list) where list.count == count: return list
    case .integers: throw LayerCatalogError.invalidArgument(name, "needs \(count) integers")
    case nil, .some(.none):
      guard let fallback else { throw LayerCatalogError.missingArgument(name) }
      return fallback
    default: throw LayerCatalogError.invalidArgument(name, "not an integer or a tuple")
    }
  }
}

/// Why a layer could not be made from its name and arguments.
public enum LayerCatalogError: Error, Equatable, CustomStringConvertible, LocalizedError {
  case unknownLayer(String)
  case missingArgument(String)
  case invalidArgument(String, String)

  /// A sentence saying what was wrong.
  public var description: String {
    switch self {
    case .unknownLayer(let name): return "unknown layer '\(name)'"
    case .missingArgument(let name): return "missing layer argument '\(name)'"
    case .invalidArgument(let name, let reason): return "layer argument '\(name)': \(reason)"
    }
  }

  /// The same sentence as ``description``.
  public var errorDescription: String? { description }
}
