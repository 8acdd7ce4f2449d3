import Foundation

/// The parameters of a URL query (`a=1&b=x`), checked as they are read: each name at most once,
/// only the names an endpoint knows, and values parsed into finite, bounded numbers.
public struct QueryParameters: Sendable {
  /// The longest query accepted, in bytes.
  public static let maximumLength = 4096

  /// Values by name, percent-decoded.
  public private(set) var values: [String: String] = [:]

  /// The parameters of `query` (the part of a URL after `?`, or nil for none).
  ///
  /// - Throws: ``ExplorerError`` for a query over ``maximumLength`` bytes, a parameter that is
  ///   not valid percent-encoding, one given twice, or one whose name is not in `known`.
  public init(_ query: String?, known: [String]) throws(ExplorerError) {
    guard let query, !query.isEmpty else { return }
    guard query.utf8.count <= Self.maximumLength else {
      throw ExplorerError("the query is longer than \(Self.maximumLength) bytes")
    }
    for pair in query.split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let name = try Self.decode(parts[0])
      let value = try Self.decode(parts.count == 2 ? parts[1] : "")
      guard known.contains(name) else {
        throw ExplorerError(
          "unknown parameter '\(Self.shortened(name))'; known: \(known.joined(separator: ", "))")
      }
      guard values[name] == nil else { throw ExplorerError("parameter '\(name)' is given twice") }
      values[name] = value
    }
  }

  /// `text` with `+` as a space and `%XX` decoded.
  private static func decode(_ text: Substring) throws(ExplorerError) -> String {
    let spaced = text.replacingOccurrences(of: "+", with: " ")
    guard let decoded = spaced.removingPercentEncoding else {
      throw ExplorerError("'\(shortened(String(text)))' is not valid percent-encoding")
    }
    return decoded
  }

  /// `text` cut to 40 characters, for messages that quote what a client sent.
  static func shortened(_ text: String) -> String {
    text.count <= 40 ? text : String(text.prefix(40)) + "..."
  }

  /// The value of `name`, or nil when it is absent.
  public func text(_ name: String) -> String? { values[name] }

  /// The number `name` in `range`, or `fallback` when it is absent.
  ///
  /// - Throws: ``ExplorerError`` for a value that is not a finite number in `range`.
  public func number(
    _ name: String, in range: ClosedRange<Double>, default fallback: Double
  ) throws(ExplorerError) -> Double {
    guard let text = values[name] else { return fallback }
    guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
      throw ExplorerError("\(name) must be a finite number, got '\(Self.shortened(text))'")
    }
    guard range.contains(value) else {
      throw ExplorerError(
        "\(name) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
    }
    return value
  }

  /// The number `name` in `[0, 1)` (a momentum or a beta), or `fallback` when it is absent.
  ///
  /// - Throws: ``ExplorerError`` for a value that is not a finite number in `[0, 1)`.
  public func fraction(_ name: String, default fallback: Double) throws(ExplorerError) -> Double {
    let value = try number(name, in: 0...1, default: fallback)
    guard value < 1 else { throw ExplorerError("\(name) must be in [0, 1), got \(value)") }
    return value
  }

  /// The whole number `name` in `range`, or `fallback` when it is absent.
  ///
  /// - Throws: ``ExplorerError`` for a value that is not a whole number in `range`.
  public func integer(
    _ name: String, in range: ClosedRange<Int>, default fallback: Int
  ) throws(ExplorerError) -> Int {
    guard let text = values[name] else { return fallback }
    guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
      throw ExplorerError(
        "\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound), "
          + "got '\(Self.shortened(text))'")
    }
    return value
  }
}
