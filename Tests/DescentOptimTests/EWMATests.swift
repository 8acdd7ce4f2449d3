import DescentOptim
import DescentTensor
import Foundation
import Testing

@Suite("Exponentially weighted moving average")
struct EWMATests {
  @Test(
    "every ewma-* fixture passes through the runner",
    arguments: schedulerFixtureFiles(prefix: "ewma-"))
  func runnerPasses(file: String) throws {
    let result = try ConformanceRegistry.standard.run(fixtureAt: schedulerFixtureURL(file))
    #expect(result.kind == "ewma")
    #expect(result.passed, "\(result)")
    #expect(result.worstDeviation < 1e-9)
  }

  @Test("three ewma fixtures are there, and a fixture of another kind is rejected")
  func fixtureFiles() throws {
    #expect(schedulerFixtureFiles(prefix: "ewma-").count == 3)
    let steps = try Data(contentsOf: schedulerFixtureURL("sched-steplr.json"))
    #expect(throws: ConformanceError.self) {
      try EWMAFixtureRunner().run(steps, options: ConformanceOptions())
    }
  }

  @Test("the tutorial's convention by hand: v0 = x0, v_t = beta v_{t-1} + (1 - beta) x_t")
  func firstValueByHand() throws {
    let values = try ewma([10, 0, 20], beta: 0.5)
    #expect(values == [10, 5, 12.5])
  }

  @Test("Adam's convention by hand: zero start, divided by 1 - beta^t")
  func biasCorrectedByHand() throws {
    let values = try ewma([10, 0, 20], beta: 0.5, biasCorrected: true)
    // v1 = 5, v2 = 2.5, v3 = 11.25; corrections 0.5, 0.75, 0.875.
    #expect(scheduleClose(values[0], 10))
    #expect(scheduleClose(values[1], 2.5 / 0.75))
    #expect(scheduleClose(values[2], 11.25 / 0.875))
  }

  @Test("a constant sequence averages to itself in both conventions")
  func constantSequence() throws {
    for corrected in [false, true] {
      for value in try ewma(Array(repeating: 3.25, count: 40), beta: 0.9, biasCorrected: corrected)
      {
        #expect(scheduleClose(value, 3.25))
      }
    }
  }

  @Test(
    "beta = 0 returns the data; beta outside [0, 1) is rejected", arguments: [-0.1, 1.0, 1.5, .nan])
  func betaRange(beta: Double) throws {
    #expect(try ewma([1, 2, 3], beta: 0) == [1, 2, 3])
    #expect(throws: EWMAError.self) {
      _ = try ExponentialMovingAverage(beta: beta)
    }
    #expect(throws: EWMAError.self) { _ = try TensorMovingAverage<Double>(beta: beta) }
    #expect(throws: EWMAError.self) { _ = try ewma([1], beta: beta) }
  }

  @Test("the error names the option")
  func errorMessage() {
    #expect(EWMAError.betaOutOfRange(1.5).description.contains("beta"))
  }

  @Test("the streaming average has no value before the first sample and is Codable")
  func streaming() throws {
    var average = try ExponentialMovingAverage(beta: 0.9)
    #expect(average.value == nil && average.count == 0)
    average.update(1)
    average.update(2)
    let decoded = try JSONDecoder().decode(
      ExponentialMovingAverage.self, from: JSONEncoder().encode(average))
    #expect(decoded == average)
    #expect(average.update(3) == (try ewma([1, 2, 3], beta: 0.9)).last)
  }

  @Test(
    "the tensor average equals the scalar average element by element", arguments: [false, true])
  func tensorMatchesScalar(biasCorrected: Bool) throws {
    let rows: [[Double]] = [[1, -2, 3], [4, 5, -6], [0.5, 0.25, 8], [-1, 2, 2]]
    var average = try TensorMovingAverage<Double>(beta: 0.8, biasCorrected: biasCorrected)
    var last: Tensor<Double>?
    for row in rows { last = average.update(Tensor(shape: [3], scalars: row)) }
    #expect(average.count == 4 && last?.shape == [3])
    for column in 0..<3 {
      let expected = try ewma(rows.map { $0[column] }, beta: 0.8, biasCorrected: biasCorrected)
        .last!
      #expect(scheduleClose(last!.scalars[column], expected))
    }
  }

  @Test("the Float tensor average stays within float32 tolerance of the float64 fixture")
  func floatTensor() throws {
    let data: [Double] = [
      1.226963758468628, -11.464333534240723, 0.735419750213623, 6.997866630554199,
    ]
    var average = try TensorMovingAverage<Float>(beta: 0.9, biasCorrected: true)
    let expected = try ewma(data, beta: 0.9, biasCorrected: true)
    for (sample, want) in zip(data, expected) {
      let got = average.update(Tensor<Float>([Float(sample)])).scalars[0]
      #expect(scheduleClose(Double(got), want, rtol: 1e-4, atol: 1e-5))
    }
  }
}
