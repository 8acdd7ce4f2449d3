import DescentOptim
import Foundation
import Testing

/// A scheduler built from data, with the metric its ReduceLROnPlateau steps need.
struct SchedulerCase: CustomStringConvertible, Sendable {
  var name: String
  var options: [String: JSONValue]
  var description: String { name }

  static let metrics = [
    1.0, 0.9, 0.9, 0.95, 0.9, 0.8, 0.85, 0.85, 0.85, 0.85, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75,
  ]

  func make(_ optimizer: StubOptimizer) throws -> any LRScheduler {
    try makeLRScheduler(name, options: options, optimizer: optimizer)
  }

  static func step(_ scheduler: any LRScheduler, epoch: Int) {
    if let plateau = scheduler as? ReduceLROnPlateau {
      plateau.step(metric: metrics[epoch % metrics.count])
    } else if let stepped = scheduler as? any EpochLRScheduler {
      stepped.step()
    }
  }
}

@Suite("Scheduler state dict")
struct SchedulerStateTests {
  static let cases: [SchedulerCase] = [
    SchedulerCase(name: "StepLR", options: ["step_size": 3, "gamma": 0.5]),
    SchedulerCase(name: "CosineAnnealingLR", options: ["T_max": 4, "eta_min": 0.001]),
    SchedulerCase(name: "CosineAnnealingWarmRestarts", options: ["T_0": 3, "T_mult": 2]),
    SchedulerCase(
      name: "CyclicLR",
      options: ["base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "mode": "triangular2"]),
    SchedulerCase(
      name: "OneCycleLR", options: ["max_lr": 1, "total_steps": 20, "three_phase": true]),
    SchedulerCase(name: "PolynomialLR", options: ["total_iters": 12, "power": 2]),
    SchedulerCase(
      name: "ReduceLROnPlateau", options: ["patience": 1, "factor": 0.5, "cooldown": 1]),
    SchedulerCase(
      name: "SequentialLR",
      options: [
        "schedulers": [
          ["scheduler": "LinearLR", "start_factor": 0.1, "total_iters": 4],
          ["scheduler": "ExponentialLR", "gamma": 0.9],
        ],
        "milestones": [4],
      ]),
    SchedulerCase(
      name: "ChainedScheduler",
      options: [
        "schedulers": [
          ["scheduler": "StepLR", "step_size": 2], ["scheduler": "ExponentialLR", "gamma": 0.9],
        ]
      ]),
  ]

  @Test("save mid-way, load into a fresh scheduler, continue == straight run", arguments: cases)
  func roundTrip(schedulerCase: SchedulerCase) throws {
    let total = 16
    let saveAt = 7
    let straightOptimizer = StubOptimizer(lr: 0.1, momentum: 0.9)
    let straight = try schedulerCase.make(straightOptimizer)
    var expected: [[Double?]] = []
    for epoch in 0..<total {
      SchedulerCase.step(straight, epoch: epoch)
      expected.append([straightOptimizer.lrs[0], straightOptimizer.momentums[0]])
    }

    let firstOptimizer = StubOptimizer(lr: 0.1, momentum: 0.9)
    let first = try schedulerCase.make(firstOptimizer)
    for epoch in 0..<saveAt { SchedulerCase.step(first, epoch: epoch) }
    let saved = try JSONEncoder().encode(first.stateDict())

    // A fresh run: the optimizer's own state is restored alongside, as in PyTorch.
    let resumedOptimizer = StubOptimizer(lr: 0.1, momentum: 0.9)
    let resumed = try schedulerCase.make(resumedOptimizer)
    resumedOptimizer.lrs = firstOptimizer.lrs
    resumedOptimizer.momentums = firstOptimizer.momentums
    try resumed.loadStateDict(JSONDecoder().decode(SchedulerState.self, from: saved))
    #expect(resumed.stateDict() == first.stateDict())
    for epoch in saveAt..<total {
      SchedulerCase.step(resumed, epoch: epoch)
      #expect(resumedOptimizer.lrs[0] == expected[epoch][0], "epoch \(epoch)")
      #expect(resumedOptimizer.momentums[0] == expected[epoch][1], "epoch \(epoch)")
    }
    #expect(resumed.lastLR == straight.lastLR && resumed.lastEpoch == straight.lastEpoch)
  }

  @Test("LambdaLR's state holds no functions; the new scheduler's function continues it")
  func lambdaState() throws {
    let optimizer = StubOptimizer(lr: 0.1)
    let scheduler = try LambdaLR(optimizer, lrLambda: { 1.0 / Double($0 + 1) })
    for _ in 0..<3 { scheduler.step() }
    let state = scheduler.stateDict()
    #expect(state.kind == "LambdaLR" && state.lastEpoch == 3 && state.values.isEmpty)
    let resumed = try LambdaLR(StubOptimizer(lr: 0.1), lrLambda: { 1.0 / Double($0 + 1) })
    try resumed.loadStateDict(state)
    resumed.step()
    #expect(scheduleClose(resumed.lastLR[0], 0.1 / 5))
  }

  @Test("a state of another kind or group count is rejected")
  func mismatch() throws {
    let step = try StepLR(StubOptimizer(), stepSize: 2)
    let exponential = try ExponentialLR(StubOptimizer(), gamma: 0.9)
    #expect(schedulerRejects("StepLR") { try exponential.loadStateDict(step.stateDict()) })
    let twoGroups = try StepLR(StubOptimizer(groups: 2), stepSize: 2)
    #expect(schedulerRejects("groups") { try twoGroups.loadStateDict(step.stateDict()) })
    var missing = try CosineAnnealingWarmRestarts(StubOptimizer(), t0: 2).stateDict()
    missing.values["T_cur"] = nil
    #expect(
      schedulerRejects("T_cur") {
        try CosineAnnealingWarmRestarts(StubOptimizer(), t0: 2).loadStateDict(missing)
      })
  }

  @Test("a fresh ReduceLROnPlateau state (best = inf) encodes as JSON")
  func plateauFreshState() throws {
    let plateau = try ReduceLROnPlateau(StubOptimizer())
    let decoded = try JSONDecoder().decode(
      SchedulerState.self, from: JSONEncoder().encode(plateau.stateDict()))
    try plateau.loadStateDict(decoded)
    #expect(plateau.best == .infinity)
  }
}
