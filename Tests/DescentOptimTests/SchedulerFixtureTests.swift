import DescentOptim
import Foundation
import Testing

@Suite("Scheduler fixtures (PyTorch)")
struct SchedulerFixtureTests {
  @Test("the fixture files are there")
  func fixturesPresent() {
    #expect(schedulerFixtureFiles(prefix: "sched-").count >= 13)
  }

  @Test(
    "every sched-* fixture passes through the runner",
    arguments: schedulerFixtureFiles(prefix: "sched-"))
  func runnerPasses(file: String) throws {
    let result = try ConformanceRegistry.standard.run(fixtureAt: schedulerFixtureURL(file))
    #expect(result.kind == "scheduler")
    #expect(result.passed, "\(result)")
    #expect(result.worstDeviation < 1e-9)
  }

  @Test("the runner rejects a missing file and a fixture of another kind")
  func runnerFailures() throws {
    #expect(throws: ConformanceError.self) {
      try ConformanceRegistry.standard.run(fixtureAt: schedulerFixtureURL("no-such-file.json"))
    }
    let ewma = try Data(contentsOf: schedulerFixtureURL("ewma-beta0.9.json"))
    #expect(throws: ConformanceError.self) {
      try SchedulerFixtureRunner().run(ewma, options: ConformanceOptions())
    }
  }

  @Test("StepLR: lr = 0.1 * 0.5^(epoch / 7), as the fixture and the closed form say")
  func stepLR() throws {
    let optimizer = StubOptimizer(lr: 0.1)
    let trace = schedulerTrace(try StepLR(optimizer, stepSize: 7, gamma: 0.5), epochs: 30)
    for (epoch, lr) in trace.enumerated() {
      #expect(scheduleClose(lr, 0.1 * pow(0.5, Double(epoch / 7))), "epoch \(epoch)")
    }
    #expect(trace[7] == 0.05 && trace[28] == 0.00625)
  }

  @Test("MultiStepLR: fixture values at and around the milestones [5, 12, 20]")
  func multiStepLR() throws {
    let optimizer = StubOptimizer(lr: 0.1)
    let trace = schedulerTrace(
      try MultiStepLR(optimizer, milestones: [5, 12, 20], gamma: 0.3), epochs: 30)
    #expect(
      trace[4] == 0.1 && trace[5] == 0.03 && trace[12] == 0.009
        && trace[20] == 0.0026999999999999997)
  }

  @Test("ExponentialLR follows 0.1 * 0.9^epoch and CosineAnnealingLR its closed form up to T_max")
  func closedForms() throws {
    let exponential = schedulerTrace(
      try ExponentialLR(StubOptimizer(lr: 0.1), gamma: 0.9), epochs: 30)
    for (epoch, lr) in exponential.enumerated() {
      #expect(scheduleClose(lr, 0.1 * pow(0.9, Double(epoch))), "epoch \(epoch)")
    }
    let cosine = schedulerTrace(
      try CosineAnnealingLR(StubOptimizer(lr: 0.1), tMax: 10, etaMin: 0.001), epochs: 20)
    for (epoch, lr) in cosine.enumerated() {
      let expected = 0.001 + (0.1 - 0.001) * (1 + cos(Double.pi * Double(epoch) / 10)) / 2
      #expect(scheduleClose(lr, expected), "epoch \(epoch)")
    }
  }

  @Test("ReduceLROnPlateau halves after the plateau, as in the fixture")
  func plateau() throws {
    let optimizer = StubOptimizer(lr: 0.1)
    let scheduler = try ReduceLROnPlateau(
      optimizer, factor: 0.5, patience: 2, threshold: 0.01, cooldown: 1, minLR: 0.001)
    let metrics = [1.0, 0.9, 0.85, 0.85, 0.86, 0.84, 0.84, 0.85, 0.85, 0.85]
    var rates: [Double] = []
    for metric in metrics {
      scheduler.step(metric: metric)
      rates.append(optimizer.lrs[0])
    }
    #expect(rates == [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05])
    #expect(scheduler.lastLR == [0.05])
  }

  @Test("OneCycleLR starts at max_lr / div_factor and peaks at max_lr with base momentum")
  func oneCycleBounds() throws {
    let optimizer = StubOptimizer(lr: 0.1, momentum: 0.9)
    let scheduler = try OneCycleLR(
      optimizer, maxLR: 1.0, totalSteps: 10, pctStart: 0.5, annealStrategy: .linear)
    #expect(scheduleClose(optimizer.lrs[0], 1.0 / 25) && optimizer.momentums[0] == 0.95)
    for _ in 0..<4 { scheduler.step() }
    #expect(scheduleClose(optimizer.lrs[0], 1.0) && scheduleClose(optimizer.momentums[0]!, 0.85))
    for _ in 0..<5 { scheduler.step() }
    #expect(scheduleClose(optimizer.lrs[0], 1.0 / 25 / 1e4))
  }

  @Test("CyclicLR exp_range: amplitude scaled by gamma^iteration")
  func cyclicExpRange() throws {
    let optimizer = StubOptimizer(lr: 0.1, momentum: 0.9)
    let scheduler = try CyclicLR(
      optimizer, baseLR: 0.01, maxLR: 0.1, stepSizeUp: 2, mode: .expRange, gamma: 0.9,
      cycleMomentum: false)
    let trace =
      [optimizer.lrs[0]]
      + (0..<8).map { _ in
        scheduler.step()
        return optimizer.lrs[0]
      }
    let heights = [0.0, 0.5, 1.0, 0.5, 0.0, 0.5, 1.0, 0.5, 0.0]
    for (iteration, lr) in trace.enumerated() {
      #expect(
        scheduleClose(lr, 0.01 + 0.09 * heights[iteration] * pow(0.9, Double(iteration))),
        "iteration \(iteration)")
    }
    #expect(optimizer.momentums[0] == 0.9)
  }

  @Test("per-group values: two groups follow their own bounds")
  func perGroup() throws {
    let optimizer = StubOptimizer(lr: [0.1, 0.2], momentum: [0.9, 0.9])
    let scheduler = try CyclicLR(
      optimizer, baseLR: [0.01, 0.02], maxLR: [0.1, 0.2], stepSizeUp: 2)
    scheduler.step()
    scheduler.step()
    #expect(scheduleClose(optimizer.lrs[0], 0.1) && scheduleClose(optimizer.lrs[1], 0.2))
    #expect(scheduleClose(optimizer.momentums[0]!, 0.8))
  }

  @Test("LambdaLR and MultiplicativeLR apply their functions")
  func lambdas() throws {
    let lambda = schedulerTrace(
      try LambdaLR(StubOptimizer(lr: 0.1), lrLambda: { 1.0 / Double($0 + 1) }), epochs: 4)
    for (epoch, lr) in lambda.enumerated() { #expect(scheduleClose(lr, 0.1 / Double(epoch + 1))) }
    let multiplicative = schedulerTrace(
      try MultiplicativeLR(StubOptimizer(lr: 0.1), lrLambda: { _ in 0.5 }), epochs: 4)
    for (epoch, lr) in multiplicative.enumerated() {
      #expect(scheduleClose(lr, 0.1 * pow(0.5, Double(epoch))))
    }
  }
}
