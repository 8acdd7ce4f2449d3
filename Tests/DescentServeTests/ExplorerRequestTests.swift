import DescentOptim
import DescentTraining
import Foundation
import Testing

@testable import DescentExplorer

/// The explorer's endpoints, called in the process: their numbers are Descent's own, and hostile
/// queries get a 400 with a sentence, never a crash, a hang or a non-JSON body.
@Suite struct ExplorerRequestTests {
  /// `value`'s JSON decoded as `T` from a 200 reply.
  private func decode<T: Decodable>(_ type: T.Type, _ path: String, _ query: String?) throws -> T {
    let reply = Explorer.reply(path: path, query: query)
    try #require(reply.status == 200, "\(path)?\(query ?? ""): \(reply.body)")
    return try JSONDecoder().decode(T.self, from: Data(reply.body.utf8))
  }

  @Test func defaultPathsAreTheLessonsOnRosenbrock() throws {
    let response = try decode(PathsResponse.self, "/api/paths", nil)
    #expect(response.function == "rosenbrock")
    #expect(response.paths.map(\.name) == PathsRequest.optimizerNames)
    #expect(response.steps == 500)
    for path in response.paths where !path.diverged {
      #expect(path.points.count == 501)
      #expect(path.points[0] == [-1.5, 2])
    }
  }

  @Test func pathsAreThoseOfPathRunner() throws {
    let query =
      "function=quadratic&optimizers=sgd,momentum,adam&lr_sgd=0.05&momentum=0.7"
      + "&beta1=0.8&beta2=0.99&lr_adam=0.2&steps=40&x=-3&y=1"
    let response = try decode(PathsResponse.self, "/api/paths", query)
    let runner = PathRunner(surface: .quadratic, steps: 40)
    let start = PlanePoint(x: -3, y: 1)
    let recipes = [
      OptimizerRecipe(label: "SGD", className: "SGD", lr: 0.05),
      OptimizerRecipe(
        label: "Momentum", className: "SGD", options: ["momentum": 0.7], lr: PathLesson.quadraticLR
      ),
      OptimizerRecipe(
        label: "Adam", className: "Adam", options: ["betas": .pair(0.8, 0.99)], lr: 0.2),
    ]
    for (path, recipe) in zip(response.paths, recipes) {
      let expected = try runner.run(recipe, from: start)
      #expect(path.points == expected.points.map { [$0.x, $0.y] })
      #expect(path.losses == expected.losses)
    }
    #expect(response.paths[2].settings == "lr 0.2, betas (0.8, 0.99)")
    #expect(response.settings.learningRates["momentum"] == PathLesson.quadraticLR)
    #expect(response.defaults.momentum == PathLesson.quadraticMomentum)
  }

  @Test func divergingPathIsCutAndFlagged() throws {
    let response = try decode(
      PathsResponse.self, "/api/paths", "function=rosenbrock&optimizers=sgd&lr_sgd=10&steps=2000")
    let path = try #require(response.paths.first)
    #expect(path.diverged)
    #expect(path.points.count < 2001)
    #expect(path.points.allSatisfy { $0.allSatisfy { abs($0) <= PathsRequest.divergenceBound } })
  }

  @Test func ewmaIsDescentsAverage() throws {
    let response = try decode(EWMAResponse.self, "/api/ewma", "beta=0.8&days=30&seed=3")
    let data = DailyTemperatures.make(days: 30, seed: 3)
    #expect(response.temperatures == data)
    #expect(response.curves.map(\.convention) == EWMAConvention.allCases.map(\.rawValue))
    for (curve, convention) in zip(response.curves, EWMAConvention.allCases) {
      #expect(curve.values == (try ewma(data, beta: 0.8, convention: convention)))
    }
  }

  @Test func surfaceGridCoversTheRegion() throws {
    let response = try decode(SurfaceResponse.self, "/api/surface", "function=himmelblau")
    #expect(response.levels.count == SurfaceRequest.rows)
    #expect(response.levels.allSatisfy { $0.count == SurfaceRequest.columns })
    #expect(response.region.x == [-5, 5])
  }

  @Test func pageIsServedAndOtherPathsAreNotFound() {
    #expect(Explorer.reply(path: "/", query: nil).body.contains("<svg id=\"paths\""))
    #expect(Explorer.reply(path: "/etc/passwd", query: nil).status == 404)
  }

  @Test func overlongQueryIsRefused() {
    let reply = Explorer.reply(path: "/api/paths", query: String(repeating: "a", count: 5000))
    #expect(reply.status == 400)
    #expect(reply.body.contains("longer than 4096 bytes"))
  }

  @Test(arguments: [
    ("/api/paths", "lr_sgd=nan", "lr_sgd must be a finite number"),
    ("/api/paths", "lr_sgd=inf", "lr_sgd must be a finite number"),
    ("/api/paths", "lr_sgd=1e400", "lr_sgd must be a finite number"),
    ("/api/paths", "lr_adam=0", "lr_adam must be in"),
    ("/api/paths", "steps=99999999999999999999", "steps must be a whole number in 1...2000"),
    ("/api/paths", "steps=2001", "steps must be a whole number in 1...2000"),
    ("/api/paths", "steps=-1", "steps must be a whole number"),
    ("/api/paths", "function=moon", "unknown function 'moon'"),
    ("/api/paths", "optimizers=sgd,lion", "unknown optimizer 'lion'"),
    ("/api/paths", "optimizers=sgd,,adam", "unknown optimizer ''"),
    ("/api/paths", "optimizers=sgd,sgd", "listed twice"),
    ("/api/paths", "lr=0.1", "unknown parameter 'lr'"),
    ("/api/paths", "steps=10&steps=20", "given twice"),
    ("/api/paths", "momentum=1", "momentum must be in [0, 1)"),
    ("/api/paths", "beta2=-0.1", "beta2 must be in"),
    ("/api/paths", "x=1e9", "x must be in"),
    ("/api/paths", "function=%zz", "not valid percent-encoding"),
    ("/api/paths", "optimizers=nesterov&momentum=0", "Nesterov"),
    ("/api/ewma", "beta=1", "beta must be in [0, 1)"),
    ("/api/ewma", "days=0", "days must be a whole number in 1...1000"),
    ("/api/ewma", "seed=-5", "seed must be a whole number"),
    ("/api/surface", "function=rosenbrock&steps=3", "unknown parameter 'steps'"),
  ])
  func hostileQueryIsRefused(path: String, query: String, message: String) throws {
    let reply = Explorer.reply(path: path, query: query)
    #expect(reply.status == 400)
    let body = try JSONDecoder().decode([String: String].self, from: Data(reply.body.utf8))
    let error = try #require(body["error"])
    #expect(error.contains(message), "\(error)")
  }
}
