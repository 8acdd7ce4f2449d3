import DescentOptim
import Foundation
import Testing

@Suite("Scheduler behaviour from closed forms")
struct SchedulerBehaviourTests {
  @Test("CosineAnnealingWarmRestarts with T_mult = 1 repeats the cosine every T_0 epochs")
  func warmRestartsPeriodic() throws {
    let trace = schedulerTrace(
      try CosineAnnealingWarmRestarts(StubOptimizer(lr: 0.1), t0: 4, etaMin: 0.01), epochs: 13)
    for (epoch, lr) in trace.enumerated() {
      let expected = 0.01 + 0.09 * (1 + cos(Double.pi * Double(epoch % 4) / 4)) / 2
      #expect(scheduleClose(lr, expected), "epoch \(epoch)")
    }
  }

  @Test("CyclicLR triangular with a longer falling half")
  func cyclicAsymmetric() throws {
    let optimizer = StubOptimizer(lr: 0.5, momentum: 0.9)
    let scheduler = try CyclicLR(optimizer, baseLR: 0.0, maxLR: 1.0, stepSizeUp: 2, stepSizeDown: 4)
    #expect(optimizer.lrs[0] == 0 && optimizer.momentums[0] == 0.9)
    let trace = schedulerTrace(scheduler, epochs: 7)
    let expected = [0, 0.5, 1, 0.75, 0.5, 0.25, 0, 0.5]
    for (iteration, lr) in trace.enumerated() {
      #expect(scheduleClose(lr, expected[iteration]), "iteration \(iteration)")
    }
  }

  @Test("PolynomialLR follows base * (1 - e / T)^p and then stays at 0")
  func polynomial() throws {
    let trace = schedulerTrace(
      try PolynomialLR(StubOptimizer(lr: 0.2), totalIters: 5, power: 0.5), epochs: 8)
    for (epoch, lr) in trace.enumerated() {
      #expect(scheduleClose(lr, 0.2 * pow(1 - Double(min(epoch, 5)) / 5, 0.5)), "epoch \(epoch)")
    }
  }

  @Test("ReduceLROnPlateau in max mode with an absolute threshold, floored at min_lr")
  func plateauMaxAbs() throws {
    let optimizer = StubOptimizer(lr: 1.0)
    let scheduler = try ReduceLROnPlateau(
      optimizer, mode: .max, factor: 0.1, patience: 0, threshold: 0.5, thresholdMode: .abs,
      minLR: 0.05)
    var rates: [Double] = []
    // 1 sets the best; 1.4 is not better than 1 + 0.5; 2 is; then no improvement twice.
    for metric in [1.0, 1.4, 2.0, 2.0, 2.0] {
      scheduler.step(metric: metric)
      rates.append(optimizer.lrs[0])
    }
    #expect(rates.map { ($0 * 1e6).rounded() / 1e6 } == [1.0, 0.1, 0.1, 0.05, 0.05])
    #expect(scheduler.best == 2.0)
  }

  @Test("ReduceLROnPlateau ignores a reduction smaller than eps")
  func plateauEps() throws {
    let optimizer = StubOptimizer(lr: 1e-9)
    let scheduler = try ReduceLROnPlateau(optimizer, factor: 0.5, patience: 0)
    for metric in [1.0, 2.0, 3.0] { scheduler.step(metric: metric) }
    #expect(optimizer.lrs[0] == 1e-9)
  }

  @Test("SequentialLR hands over to a schedule without a closed form (MultiplicativeLR)")
  func sequentialMultiplicative() throws {
    let optimizer = StubOptimizer(lr: 1.0)
    let sequential = try SequentialLR(
      optimizer,
      schedulers: [
        try ConstantLR(optimizer, factor: 0.5, totalIters: 10),
        try MultiplicativeLR(optimizer, lrLambda: { _ in 0.5 }),
      ], milestones: [2])
    // At the milestone PyTorch applies the recursive form once: 0.5 (ConstantLR's value) * 0.5.
    #expect(schedulerTrace(sequential, epochs: 4) == [0.5, 0.5, 0.25, 0.125, 0.0625])
  }
}
