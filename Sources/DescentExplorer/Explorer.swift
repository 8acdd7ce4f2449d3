import Foundation

/// The explorer's answers, apart from any web server: a path and a query in, a status, a content
/// type and a body out. `descent-serve` puts it behind Hummingbird; the tests call it directly.
public enum Explorer {
  /// One answer.
  public struct Reply: Sendable {
    /// The HTTP status: 200, 400 or 404.
    public var status: Int
    /// The `Content-Type` header.
    public var contentType: String
    /// The body.
    public var body: String
  }

  /// Computations run one at a time: the server's CPU use stays one core however many requests
  /// arrive, and the engine's state is never shared between two of them.
  private static let computing = NSLock()

  /// The answer to `GET path?query`: the page at `/`, JSON at `/api/paths`, `/api/surface` and
  /// `/api/ewma`; 400 with `{"error": "..."}` for a request that does not validate, 404 for
  /// any other path.
  public static func reply(path: String, query: String?) -> Reply {
    switch path {
    case "/", "/index.html":
      return Reply(status: 200, contentType: "text/html; charset=utf-8", body: ExplorerPage.html)
    case "/api/paths":
      return json { () throws(ExplorerError) in try PathsRequest(query: query).response() }
    case "/api/surface":
      return json { () throws(ExplorerError) in try SurfaceRequest(query: query).response() }
    case "/api/ewma":
      return json { () throws(ExplorerError) in try EWMARequest(query: query).response() }
    default:
      return Reply(
        status: 404, contentType: "application/json",
        body: errorBody("no such page: \(QueryParameters.shortened(path))"))
    }
  }

  /// `make()`'s value as JSON, or its error as a 400.
  private static func json<Value: Encodable>(
    _ make: () throws(ExplorerError) -> Value
  ) -> Reply {
    do {
      let value = try computing.withLock { () throws(ExplorerError) in try make() }
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      let data = try encoder.encode(value)
      return Reply(
        status: 200, contentType: "application/json", body: String(decoding: data, as: UTF8.self))
    } catch let error as ExplorerError {
      return Reply(status: 400, contentType: "application/json", body: errorBody(error.message))
    } catch {
      return Reply(status: 500, contentType: "application/json", body: errorBody("\(error)"))
    }
  }

  /// `{"error": message}`.
  static func errorBody(_ message: String) -> String {
    let data = (try? JSONEncoder().encode(["error": message])) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
  }
}
