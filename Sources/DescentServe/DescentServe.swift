import ArgumentParser
import DescentExplorer
import Foundation
import Hummingbird
import Logging

/// `descent-serve`: the interactive explorer, a local web page where a learner picks a test
/// function and optimizers, moves sliders, and sees Descent's own paths and averages redrawn.
@main
struct DescentServe: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "descent-serve",
    abstract: "Serve the interactive optimizer explorer on a local web page.",
    discussion: """
      Open the printed address in a browser. The page asks this server for every number: the \
      paths come from Descent's optimizers (PathRunner) and the averages from its EWMA code. \
      The server listens on 127.0.0.1 only unless --host says otherwise; stop it with Ctrl-C.
      """)

  @Option(help: "Address to listen on (127.0.0.1: this machine only).")
  var host = "127.0.0.1"

  @Option(help: "Port to listen on, 1...65535, or 0 for any free port (the address is printed).")
  var port = 8080

  func validate() throws {
    guard (0...65535).contains(port) else {
      throw ValidationError("--port must be in 0...65535, got \(port)")
    }
  }

  func run() async throws {
    let router = Router()
    router.get("/") { request, _ in Self.response(request) }
    router.get("/index.html") { request, _ in Self.response(request) }
    router.get("/api/:endpoint") { request, _ in Self.response(request) }
    let host = host
    let app = Application(
      router: router,
      configuration: .init(address: .hostname(host, port: port), serverName: "descent-serve"),
      onServerRunning: { channel in
        let port = channel.localAddress?.port ?? 0
        // Unbuffered, so a program reading the address gets it at once.
        FileHandle.standardOutput.write(Data("Descent explorer: http://\(host):\(port)/\n".utf8))
      },
      logger: Self.quietLogger())
    try await app.runService()
  }

  /// The explorer's reply to `request`, as a Hummingbird response.
  static func response(_ request: Request) -> Response {
    let reply = Explorer.reply(path: request.uri.path, query: request.uri.query)
    return Response(
      status: HTTPResponse.Status(code: reply.status),
      headers: [.contentType: reply.contentType, .cacheControl: "no-store"],
      body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body)))
  }

  /// A logger that reports warnings and errors only (not every request).
  static func quietLogger() -> Logger {
    var logger = Logger(label: "descent-serve")
    logger.logLevel = .warning
    return logger
  }
}
