import DescentOptim
import Foundation
import Testing

@Suite("Chained and sequential schedules")
struct SchedulerChainingTests {
  @Test("ChainedScheduler of StepLR and ExponentialLR is the product 0.1 * 0.5^(e/3) * 0.9^e")
  func stepTimesExponential() throws {
    let optimizer = StubOptimizer(lr: 0.1)
    let chained = try ChainedScheduler([
      try StepLR(optimizer, stepSize: 3, gamma: 0.5), try ExponentialLR(optimizer, gamma: 0.9),
    ])
    let trace = schedulerTrace(chained, epochs: 25)
    for (epoch, lr) in trace.enumerated() {
      #expect(
        scheduleClose(lr, 0.1 * pow(0.5, Double(epoch / 3)) * pow(0.9, Double(epoch))),
        "epoch \(epoch)")
    }
    #expect(chained.lastLR == [trace.last!])
  }

  @Test("ChainedScheduler of ConstantLR and ExponentialLR, on two groups")
  func constantTimesExponential() throws {
    let optimizer = StubOptimizer(lr: [0.1, 0.02], momentum: [0.9, 0.9])
    let chained = try ChainedScheduler(
      [
        try ConstantLR(optimizer, factor: 0.5, totalIters: 4),
        try ExponentialLR(optimizer, gamma: 0.9),
      ],
      optimizer: optimizer)
    for epoch in 0...12 {
      if epoch > 0 { chained.step() }
      let factor = (epoch < 4 ? 0.5 : 1) * pow(0.9, Double(epoch))
      #expect(scheduleClose(optimizer.lrs[0], 0.1 * factor), "group 0, epoch \(epoch)")
      #expect(scheduleClose(optimizer.lrs[1], 0.02 * factor), "group 1, epoch \(epoch)")
    }
  }

  @Test("ChainedScheduler of MultiStepLR and LinearLR is the product of their closed forms")
  func multiStepTimesLinear() throws {
    let optimizer = StubOptimizer(lr: 0.1)
    let chained = try ChainedScheduler([
      try MultiStepLR(optimizer, milestones: [3, 7], gamma: 0.5),
      try LinearLR(optimizer, startFactor: 0.25, endFactor: 1, totalIters: 6),
    ])
    for (epoch, lr) in schedulerTrace(chained, epochs: 12).enumerated() {
      let steps = [3, 7].filter { $0 <= epoch }.count
      let linear = 0.25 + 0.75 * Double(min(epoch, 6)) / 6
      #expect(scheduleClose(lr, 0.1 * pow(0.5, Double(steps)) * linear), "epoch \(epoch)")
    }
  }

  @Test(
    "a cosine schedule built after ConstantLR starts from the initial lr (PyTorch's initial_lr)")
  func cosineOnConstant() throws {
    let optimizer = StubOptimizer(lr: 0.1)
    let constant = try ConstantLR(optimizer, factor: 0.5, totalIters: 4)
    let cosine = try CosineAnnealingLR(optimizer, tMax: 10)
    #expect(cosine.baseLRs == [0.1])
    let chained = try ChainedScheduler([constant, cosine])
    for (epoch, lr) in schedulerTrace(chained, epochs: 10).enumerated() {
      let expected = 0.1 * (epoch < 4 ? 0.5 : 1) * (1 + cos(Double.pi * Double(epoch) / 10)) / 2
      #expect(scheduleClose(lr, expected), "epoch \(epoch)")
    }
  }

  @Test("SequentialLR: linear warm-up, then cosine from the initial lr at the milestone")
  func warmupThenCosine() throws {
    let optimizer = StubOptimizer(lr: 0.1)
    let sequential = try SequentialLR(
      optimizer,
      schedulers: [
        try LinearLR(optimizer, startFactor: 0.1, totalIters: 5),
        try CosineAnnealingLR(optimizer, tMax: 10),
      ], milestones: [5])
    let trace = schedulerTrace(sequential, epochs: 15)
    for (epoch, lr) in trace.enumerated() {
      let expected =
        epoch < 5
        ? 0.1 * (0.1 + 0.9 * Double(epoch) / 5)
        : 0.1 * (1 + cos(Double.pi * Double(epoch - 5) / 10)) / 2
      #expect(scheduleClose(lr, expected), "epoch \(epoch)")
    }
    #expect(sequential.lastEpoch == 15 && sequential.lastLR == [trace.last!])
  }

  @Test("SequentialLR with three schedulers switches at each milestone")
  func threeStages() throws {
    let optimizer = StubOptimizer(lr: 1.0)
    let sequential = try SequentialLR(
      optimizer,
      schedulers: [
        try ConstantLR(optimizer, factor: 0.5, totalIters: 10),
        try ExponentialLR(optimizer, gamma: 0.5),
        try StepLR(optimizer, stepSize: 2, gamma: 0.1),
      ], milestones: [2, 5])
    let trace = schedulerTrace(sequential, epochs: 9)
    let expected = [0.5, 0.5, 1.0, 0.5, 0.25, 1.0, 1.0, 0.1, 0.1, 0.01]
    for (epoch, lr) in trace.enumerated() {
      #expect(scheduleClose(lr, expected[epoch]), "epoch \(epoch)")
    }
  }
}
