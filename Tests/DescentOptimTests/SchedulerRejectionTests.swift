import DescentOptim
import Foundation
import Testing

/// Whether `body` throws a ``SchedulerError`` whose description names `option`.
func schedulerRejects(_ option: String, _ body: () throws -> Void) -> Bool {
  do {
    try body()
    return false
  } catch let error as SchedulerError {
    return error.description.contains(option)
  } catch {
    return false
  }
}

@Suite("Scheduler options out of range")
struct SchedulerRejectionTests {
  let optimizer = StubOptimizer(lr: 0.1, momentum: 0.9)

  @Test("StepLR, MultiStepLR, ExponentialLR: gamma and periods")
  func decays() {
    #expect(schedulerRejects("gamma") { _ = try StepLR(optimizer, stepSize: 3, gamma: 0) })
    #expect(schedulerRejects("gamma") { _ = try StepLR(optimizer, stepSize: 3, gamma: -0.5) })
    #expect(schedulerRejects("step_size") { _ = try StepLR(optimizer, stepSize: 0) })
    #expect(schedulerRejects("gamma") { _ = try ExponentialLR(optimizer, gamma: 0) })
    #expect(schedulerRejects("gamma") { _ = try MultiStepLR(optimizer, milestones: [2], gamma: 0) })
    #expect(schedulerRejects("milestones") { _ = try MultiStepLR(optimizer, milestones: [5, 3]) })
    #expect(schedulerRejects("milestones") { _ = try MultiStepLR(optimizer, milestones: [3, 3]) })
    #expect(schedulerRejects("milestones") { _ = try MultiStepLR(optimizer, milestones: [-1, 3]) })
  }

  @Test("ConstantLR, LinearLR, PolynomialLR: factors and lengths")
  func ramps() {
    #expect(schedulerRejects("factor") { _ = try ConstantLR(optimizer, factor: 1.5) })
    #expect(schedulerRejects("factor") { _ = try ConstantLR(optimizer, factor: 0) })
    #expect(schedulerRejects("total_iters") { _ = try ConstantLR(optimizer, totalIters: 0) })
    #expect(schedulerRejects("start_factor") { _ = try LinearLR(optimizer, startFactor: 0) })
    #expect(schedulerRejects("end_factor") { _ = try LinearLR(optimizer, endFactor: 1.2) })
    #expect(schedulerRejects("total_iters") { _ = try LinearLR(optimizer, totalIters: 0) })
    #expect(schedulerRejects("total_iters") { _ = try PolynomialLR(optimizer, totalIters: 0) })
    #expect(schedulerRejects("power") { _ = try PolynomialLR(optimizer, power: -1) })
  }

  @Test("cosine schedules: T_max, T_0, T_mult, eta_min")
  func cosine() {
    #expect(schedulerRejects("T_max") { _ = try CosineAnnealingLR(optimizer, tMax: 0) })
    #expect(
      schedulerRejects("eta_min") { _ = try CosineAnnealingLR(optimizer, tMax: 5, etaMin: -1) })
    #expect(schedulerRejects("T_0") { _ = try CosineAnnealingWarmRestarts(optimizer, t0: 0) })
    #expect(
      schedulerRejects("T_mult") { _ = try CosineAnnealingWarmRestarts(optimizer, t0: 5, tMult: 0) }
    )
  }

  @Test("CyclicLR: step sizes, gamma, per-group lengths, momentum support")
  func cyclic() {
    #expect(
      schedulerRejects("step_size_up") {
        _ = try CyclicLR(optimizer, baseLR: 0.01, maxLR: 0.1, stepSizeUp: 0)
      })
    #expect(
      schedulerRejects("step_size_down") {
        _ = try CyclicLR(optimizer, baseLR: 0.01, maxLR: 0.1, stepSizeDown: 0)
      })
    #expect(
      schedulerRejects("gamma") { _ = try CyclicLR(optimizer, baseLR: 0.01, maxLR: 0.1, gamma: 0) })
    #expect(
      schedulerRejects("max_lr") { _ = try CyclicLR(optimizer, baseLR: 0.01, maxLR: [0.1, 0.2]) })
    let plain = StubOptimizer(lr: 0.1, momentum: nil)
    #expect(throws: SchedulerError.momentumUnsupported(scheduler: "CyclicLR")) {
      _ = try CyclicLR(plain, baseLR: 0.01, maxLR: 0.1)
    }
    #expect(throws: Never.self) {
      _ = try CyclicLR(plain, baseLR: 0.01, maxLR: 0.1, cycleMomentum: false)
    }
  }

  @Test("OneCycleLR: total steps missing, pct_start, div factors")
  func oneCycle() {
    #expect(
      throws: SchedulerError.missingOption(
        scheduler: "OneCycleLR", option: "total_steps (or epochs and steps_per_epoch)")
    ) {
      _ = try OneCycleLR(optimizer, maxLR: 1)
    }
    #expect(schedulerRejects("total_steps") { _ = try OneCycleLR(optimizer, maxLR: 1) })
    #expect(
      schedulerRejects("total_steps") { _ = try OneCycleLR(optimizer, maxLR: 1, totalSteps: 0) })
    #expect(
      schedulerRejects("epochs") {
        _ = try OneCycleLR(optimizer, maxLR: 1, epochs: 0, stepsPerEpoch: 3)
      })
    #expect(
      schedulerRejects("pct_start") {
        _ = try OneCycleLR(optimizer, maxLR: 1, totalSteps: 10, pctStart: 1.5)
      })
    #expect(
      schedulerRejects("div_factor") {
        _ = try OneCycleLR(optimizer, maxLR: 1, totalSteps: 10, divFactor: 0)
      })
    #expect(
      schedulerRejects("final_div_factor") {
        _ = try OneCycleLR(optimizer, maxLR: 1, totalSteps: 10, finalDivFactor: 0)
      })
    #expect(throws: Never.self) {
      _ = try OneCycleLR(optimizer, maxLR: 1, epochs: 2, stepsPerEpoch: 5)
    }
  }

  @Test("ReduceLROnPlateau: factor >= 1 and negative options")
  func plateau() {
    #expect(schedulerRejects("factor") { _ = try ReduceLROnPlateau(optimizer, factor: 1.0) })
    #expect(schedulerRejects("factor") { _ = try ReduceLROnPlateau(optimizer, factor: 2.0) })
    #expect(schedulerRejects("patience") { _ = try ReduceLROnPlateau(optimizer, patience: -1) })
    #expect(schedulerRejects("cooldown") { _ = try ReduceLROnPlateau(optimizer, cooldown: -1) })
    #expect(schedulerRejects("threshold") { _ = try ReduceLROnPlateau(optimizer, threshold: -1) })
    #expect(schedulerRejects("min_lr") { _ = try ReduceLROnPlateau(optimizer, minLR: [0.1, 0.2]) })
    #expect(schedulerRejects("eps") { _ = try ReduceLROnPlateau(optimizer, eps: -1) })
  }

  @Test("composites: empty, another optimizer, milestone count")
  func composites() throws {
    let other = StubOptimizer()
    let mine = try StepLR(optimizer, stepSize: 2)
    let theirs = try StepLR(other, stepSize: 2)
    #expect(schedulerRejects("at least one") { _ = try ChainedScheduler([]) })
    #expect(schedulerRejects("another optimizer") { _ = try ChainedScheduler([mine, theirs]) })
    #expect(
      schedulerRejects("another optimizer") {
        _ = try SequentialLR(optimizer, schedulers: [mine, theirs], milestones: [3])
      })
    #expect(
      schedulerRejects("milestones") {
        _ = try SequentialLR(optimizer, schedulers: [mine], milestones: [3])
      }
    )
    #expect(
      schedulerRejects("at least one") {
        _ = try SequentialLR(optimizer, schedulers: [], milestones: [])
      })
    #expect(
      schedulerRejects("lr_lambda") {
        _ = try LambdaLR(optimizer, lrLambdas: [{ _ in 1 }, { _ in 1 }])
      })
  }

  @Test(
    "options given as data: unknown mode, unknown name, unknown or ill-typed option, missing option"
  )
  func fromData() {
    func build(_ name: String, _ options: [String: JSONValue]) throws {
      _ = try makeLRScheduler(name, options: options, optimizer: optimizer)
    }
    #expect(
      schedulerRejects("mode") { try build("ReduceLROnPlateau", ["mode": .string("sideways")]) })
    #expect(
      schedulerRejects("threshold_mode") {
        try build("ReduceLROnPlateau", ["threshold_mode": .string("pct")])
      })
    #expect(
      schedulerRejects("mode") {
        try build("CyclicLR", ["base_lr": 0.01, "max_lr": 0.1, "mode": .string("square")])
      })
    #expect(
      schedulerRejects("anneal_strategy") {
        try build(
          "OneCycleLR", ["max_lr": 1, "total_steps": 5, "anneal_strategy": .string("cubic")])
      })
    #expect(schedulerRejects("Warmup") { try build("Warmup", [:]) })
    #expect(schedulerRejects("step_size") { try build("StepLR", [:]) })
    #expect(schedulerRejects("gama") { try build("StepLR", ["step_size": 2, "gama": 0.5]) })
    #expect(schedulerRejects("step_size") { try build("StepLR", ["step_size": .string("two")]) })
    #expect(schedulerRejects("step_size") { try build("StepLR", ["step_size": 2.5]) })
    #expect(schedulerRejects("lr_lambda") { try build("LambdaLR", [:]) })
    #expect(
      schedulerRejects("needs a metric") {
        try build(
          "SequentialLR",
          [
            "schedulers": .array([.object(["scheduler": .string("ReduceLROnPlateau")])]),
            "milestones": .array([]),
          ])
      })
  }
}
