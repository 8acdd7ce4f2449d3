import DescentOptim
import DescentTraining
import Foundation
import Testing

@Suite("Schedule traces")
struct ScheduleTraceTests {
  /// StepLR's closed form: lr * gamma^floor(epoch / step_size).
  @Test func stepLRFollowsItsClosedForm() throws {
    let trace = try ScheduleTrace(
      "steplr", epochs: 30, lr: 0.1, options: ["step_size": .number(10), "gamma": .number(0.5)])
    #expect(trace.scheduler == "StepLR")
    #expect(trace.learningRates.count == 31)
    for (epoch, lr) in trace.learningRates.enumerated() {
      let expected = 0.1 * pow(0.5, Double(epoch / 10))
      #expect(abs(lr - expected) <= 1e-15, "epoch \(epoch)")
    }
    #expect(trace.momenta == nil)
  }

  /// CosineAnnealingLR with T_max defaulting to the epochs: lr/2 (1 + cos(pi t / T)).
  @Test func cosineDefaultsToTheEpochs() throws {
    let trace = try ScheduleTrace("CosineAnnealingLR", epochs: 40, lr: 0.2, options: [:])
    for (epoch, lr) in trace.learningRates.enumerated() {
      let expected = 0.1 * (1 + cos(Double.pi * Double(epoch) / 40))
      #expect(abs(lr - expected) <= 1e-12, "epoch \(epoch)")
    }
  }

  /// OneCycleLR cycles momentum inversely to the learning rate between 0.85 and 0.95.
  @Test func oneCycleCyclesMomentum() throws {
    let trace = try ScheduleTrace("OneCycleLR", epochs: 50, lr: 0.1, options: [:])
    let momenta = try #require(trace.momenta)
    #expect(momenta.count == 51)
    #expect(abs(momenta[0] - 0.95) < 1e-12)
    #expect(abs((momenta.min() ?? 0) - 0.85) < 1e-3)
    #expect(abs((trace.learningRates.max() ?? 0) - 0.1) < 1e-3)
  }

  /// A plateau that never improves divides the rate by 10 after every `patience + 1` epochs.
  @Test func plateauReduces() throws {
    let trace = try ScheduleTrace(
      "ReduceLROnPlateau", epochs: 12, lr: 1, options: ["patience": .number(2)])
    #expect(trace.learningRates.last! < 1e-2)
    #expect(trace.learningRates.allSatisfy { $0 > 0 })
  }

  @Test func badSchedulesAreRejected() {
    #expect(throws: SchedulerError.self) {
      try ScheduleTrace("NoSuchLR", epochs: 10, lr: 0.1, options: [:])
    }
    #expect(throws: SchedulerError.self) {
      try ScheduleTrace("StepLR", epochs: 10, lr: 0.1, options: ["step_size": .string("x")])
    }
    #expect(throws: SchedulerError.self) {
      try ScheduleTrace("StepLR", epochs: 10, lr: 0.1, options: ["bogus": .number(1)])
    }
    #expect(throws: (any Error).self) {
      try ScheduleTrace("StepLR", epochs: 10, lr: .nan, options: [:])
    }
  }
}
