import Foundation

/// A request the explorer refuses: the sentence is sent back with HTTP status 400.
public struct ExplorerError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// What was wrong, naming the parameter and the accepted values.
  public var message: String

  /// An error saying `message`.
  public init(_ message: String) {
    self.message = message
  }

  /// The message.
  public var description: String { message }

  /// Same as `description`, for Foundation's error reporting.
  public var errorDescription: String? { message }
}
