import DescentOptim
import DescentTensor
import Foundation
import Testing

@Suite struct MuonTests {
  static let fixtures = optimizerFixtures.filter { $0.hasPrefix("optim-muon-") }

  @Test(arguments: fixtures)
  func fixtureMatchesTorchWithBFloat16NewtonSchulz(_ name: String) throws {
    let result = try ConformanceRegistry.standard.run(fixtureAt: fixtureURL(name))
    #expect(result.passed, "\(result)")
    // The emulation of bfloat16 is close to exact: far inside the fixture's tolerance.
    #expect(result.worstRatio < 0.05, "\(result)")
  }

  @Test(arguments: fixtures)
  func float32NewtonSchulzStaysWithinTheFixtureTolerance(_ name: String) throws {
    var json = try #require(
      JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL(name))) as? [String: Any])
    var options = try #require(json["options"] as? [String: Any])
    options["ns_float32"] = true
    json["options"] = options
    let data = try JSONSerialization.data(withJSONObject: json)
    let result = try OptimizerFixtureRunner().run(data, options: ConformanceOptions())
    #expect(result.passed, "\(result)")
    #expect(result.worstRatio > 0.05, "float32 differs from bfloat16: \(result)")
  }

  @Test func printsLikeTorchWithDescentsOwnOption() throws {
    let data = try Data(contentsOf: fixtureURL("optim-muon-match-rms-adamw-f32.json"))
    let fixture = try JSONDecoder().decode(ReprFixture.self, from: data)
    let muon = try OptimizerCatalog.make(
      "Muon", parameters: [Parameter(Tensor<Float>(zeros: [2, 2]))],
      options: hyperparameterOptions(fixture.options))
    let expected = swiftSpelling(ofRepr: fixture.repr).replacingOccurrences(
      of: "    nsSteps:", with: "    nsFloat32: false\n    nsSteps:")
    #expect(muon.description == expected)
    let plain = try Muon([Parameter(Tensor<Float>(zeros: [2, 2]))])
    #expect(plain.description.contains("    adjustLrFn: nil\n"))
  }

  @Test func refusesParametersThatAreNotMatrices() throws {
    for shape in [[3], [2, 2, 2], []] {
      let parameters = [
        Parameter(Tensor<Float>(zeros: [2, 2])), Parameter(Tensor<Float>(zeros: shape)),
      ]
      do {
        _ = try Muon(parameters)
        Issue.record("no error for shape \(shape)")
      } catch let OptimizerError.unsupportedParameter(optimizer, group, position, reason) {
        #expect(optimizer == "Muon")
        #expect(group == 0)
        #expect(position == 1)
        #expect(reason.contains("2-D"))
      }
      #expect(throws: OptimizerError.self) {
        try OptimizerCatalog.make("Muon", parameters: parameters)
      }
    }
    let muon = try Muon([Parameter(Tensor<Float>(zeros: [2, 2]))])
    #expect(throws: OptimizerError.self) {
      try muon.addParamGroup(ParameterGroup([Parameter(Tensor<Float>(zeros: [4]))]))
    }
  }

  @Test func splittingSeparatesMatricesFromTheRest() {
    let weight = Parameter(Tensor<Float>(zeros: [4, 3]))
    let bias = Parameter(Tensor<Float>(zeros: [4]))
    let kernel = Parameter(Tensor<Float>(zeros: [2, 1, 3, 3]))
    let (matrices, rest) = Muon.splitting([weight, bias, kernel])
    #expect(matrices.map(ObjectIdentifier.init) == [ObjectIdentifier(weight)])
    #expect(rest.map(ObjectIdentifier.init) == [ObjectIdentifier(bias), ObjectIdentifier(kernel)])
  }

  @Test func invalidHyperparametersThrow() {
    let parameters = [Parameter(Tensor<Float>(zeros: [2, 3]))]
    let cases: [(String, () throws -> Void)] = [
      ("lr", { _ = try Muon(parameters, lr: -1) }),
      ("momentum", { _ = try Muon(parameters, momentum: -0.5) }),
      ("weightDecay", { _ = try Muon(parameters, weightDecay: -0.1) }),
      ("eps", { _ = try Muon(parameters, eps: -1) }),
      ("nsSteps", { _ = try Muon(parameters, nsSteps: 100) }),
      ("nsSteps", { _ = try Muon(parameters, nsSteps: -1) }),
      ("nsCoefficients", { _ = try Muon(parameters, nsCoefficients: (.nan, 1, 1)) }),
      (
        "adjustLrFn",
        {
          _ = try OptimizerCatalog.make(
            "Muon", parameters: parameters, options: ["adjustLrFn": .text("bogus")])
        }
      ),
      (
        "nsCoefficients",
        {
          _ = try OptimizerCatalog.make(
            "Muon", parameters: parameters, options: ["nsCoefficients": .pair(1, 2)])
        }
      ),
    ]
    for (name, make) in cases {
      do {
        try make()
        Issue.record("no error for \(name)")
      } catch let OptimizerError.invalidHyperparameter(optimizer, reported, _, _) {
        #expect(optimizer == "Muon")
        #expect(reported == name)
      } catch { Issue.record("unexpected \(error)") }
    }
  }

  @Test(arguments: [false, true])
  func stateDictResumesExactly(_ float32: Bool) throws {
    let shapes = [[6, 4], [3, 5]]
    let options: [String: HyperparameterValue] = ["lr": 0.02, "nsFloat32": .flag(float32)]
    let straight = makeParameters(shapes, as: Float.self)
    let straightMuon = try catalogOptimizer("Muon", straight, options)
    runSteps(straightMuon, straight, count: 6)

    let first = makeParameters(shapes, as: Float.self)
    let firstMuon = try catalogOptimizer("Muon", first, options)
    runSteps(firstMuon, first, count: 3)
    let saved = try JSONDecoder().decode(
      OptimizerStateDict.self, from: JSONEncoder().encode(firstMuon.stateDict()))
    #expect(saved.state[1]?.bufferOrder == ["momentum_buffer"])
    let resumed = cloned(first)
    let resumedMuon = try catalogOptimizer("Muon", resumed, [:])
    try resumedMuon.loadStateDict(saved)
    runSteps(resumedMuon, resumed, from: 3, count: 3)
    #expect(resumed.map(\.value) == straight.map(\.value))
    #expect(resumedMuon.stateDict() == straightMuon.stateDict())
    #expect(resumedMuon.description == straightMuon.description)
  }

  @Test func updateIsNearlyOrthogonal() throws {
    // With no momentum history, weight decay or Nesterov, one step moves p by
    // -lr * NewtonSchulz(g): its rows are nearly orthonormal (singular values near 1).
    let parameter = Parameter(Tensor<Float>(zeros: [3, 8]))
    let muon = try Muon([parameter], lr: 1, weightDecay: 0, momentum: 0, nsFloat32: true)
    parameter.grad = Tensor(shape: [3, 8], scalars: (0..<24).map { Float(sin(Double($0) * 1.7)) })
    muon.step()
    let update = parameter.value.scalars.map { -$0 }
    for row in 0..<3 {
      let norm = (0..<8).map { update[row * 8 + $0] * update[row * 8 + $0] }.reduce(0, +)
      #expect(norm > 0.4 && norm < 1.5, "row \(row): squared norm \(norm)")
    }
  }
}
