import DescentExplorer
import Foundation
import Testing

/// The `descent-serve` process over HTTP, without a browser.
@Suite struct ServerProcessTests {
  /// Hostile requests over HTTP get a 400 and the server keeps serving.
  @Test func hostileRequestsGetBadRequest() async throws {
    let server = try ServedExplorer()
    for query in ["steps=1e12", "lr_sgd=-inf", "function=../../etc", "momentum=NaN"] {
      let (status, body) = try await server.get("/api/paths", query: query)
      #expect(status == 400, "\(query)")
      #expect(String(decoding: body, as: UTF8.self).contains("\"error\""))
    }
    #expect(try await server.get("/api/ewma", query: "days=10").status == 200)
  }

  /// `descent serve` hands over to `descent-serve`, options and all.
  @Test func descentServeRunsTheExplorer() async throws {
    let server = try ServedExplorer("descent", arguments: ["serve", "--host", "127.0.0.1"])
    #expect(server.address.host == "127.0.0.1")
    let (status, body) = try await server.get("/api/ewma", query: "beta=0.5&days=3")
    #expect(status == 200)
    #expect(try JSONDecoder().decode(EWMAResponse.self, from: body).temperatures.count == 3)
  }
}
