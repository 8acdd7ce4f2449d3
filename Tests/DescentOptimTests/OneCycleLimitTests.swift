import DescentOptim
import Foundation
import Testing

@Suite("Schedulers stepped past their end, and option errors as typed")
struct OneCycleLimitTests {
  /// OneCycleLR has values at steps 0...total_steps; the step after throws as PyTorch raises
  /// ("Tried to step 6 times. The specified number of total steps is 5") and changes nothing.
  @Test func oneCycleThrowsPastTotalSteps() throws {
    let optimizer = StubOptimizer()
    let scheduler = try OneCycleLR(optimizer, maxLR: 1, totalSteps: 5)
    for _ in 0..<5 { try scheduler.checkedStep() }
    let rate = optimizer.lrs[0]
    let momentum = optimizer.momentums[0]
    #expect(throws: SchedulerError.steppedPastEnd(scheduler: "OneCycleLR", steps: 6, totalSteps: 5))
    {
      try scheduler.checkedStep()
    }
    #expect(scheduler.lastEpoch == 5 && optimizer.lrs[0] == rate)
    #expect(optimizer.momentums[0] == momentum)
    let error = SchedulerError.steppedPastEnd(scheduler: "OneCycleLR", steps: 6, totalSteps: 5)
    #expect(error.localizedDescription == error.description)
    #expect(error.description.contains("tried to step 6 times"))
  }

  /// Schedulers without an end step as far as asked.
  @Test func endlessSchedulersNeverThrow() throws {
    let optimizer = StubOptimizer()
    let scheduler = try StepLR(optimizer, stepSize: 2)
    for _ in 0..<100 { try scheduler.checkedStep() }
    #expect(scheduler.lastEpoch == 100)
  }

  /// A OneCycleLR inside a composite throws from the composite.
  @Test func compositesCheckTheirSchedulers() throws {
    let optimizer = StubOptimizer()
    let chained = try ChainedScheduler([
      try ExponentialLR(optimizer, gamma: 0.9), try OneCycleLR(optimizer, maxLR: 1, totalSteps: 3),
    ])
    for _ in 0..<3 { try chained.checkedStep() }
    #expect(throws: SchedulerError.self) { try chained.checkedStep() }

    let other = StubOptimizer()
    let sequential = try SequentialLR(
      other,
      schedulers: [
        try StepLR(other, stepSize: 10), try OneCycleLR(other, maxLR: 1, totalSteps: 2),
      ], milestones: [4])
    // Epochs 1...3 on StepLR, the milestone at 4 starts OneCycleLR at its step 0, then 5 and 6
    // are its steps 1 and 2; 7 would be its step 3.
    for _ in 0..<6 { try sequential.checkedStep() }
    #expect(throws: SchedulerError.self) { try sequential.checkedStep() }
  }

  /// epochs * steps_per_epoch that overflows is an option error, not a crash.
  @Test func cycleLengthOverflow() {
    #expect(throws: SchedulerError.self) {
      _ = try OneCycleLR(StubOptimizer(), maxLR: 1, epochs: Int.max / 2, stepsPerEpoch: 3)
    }
  }

  /// Wrongly typed options name their value as JSON, never Swift's enum cases.
  @Test func optionErrorsShowJSON() {
    let cases: [(String, [String: JSONValue], String)] = [
      ("StepLR", ["step_size": .number(1.5)], "step_size = 1.5 is invalid"),
      ("StepLR", ["step_size": .string("x")], "step_size = \"x\" is invalid"),
      ("StepLR", ["step_size": .object(["a": .number(1)])], "step_size = {\"a\": 1} is invalid"),
      ("StepLR", ["step_size": 2, "bogus": .array([1, true])], "bogus = [1, true] is invalid"),
      ("StepLR", ["step_size": .null], "option step_size is required"),
    ]
    for (name, options, expected) in cases {
      let error = #expect(throws: SchedulerError.self) {
        _ = try makeLRScheduler(name, options: options, optimizer: StubOptimizer())
      }
      let text = error?.localizedDescription ?? ""
      #expect(text.contains(expected), "\(text)")
      #expect(!text.contains("number(") && !text.contains("JSONValue"), "\(text)")
    }
  }

  /// Optimizer errors read the same through `localizedDescription`.
  @Test func optimizerErrorsAreLocalized() {
    let error = OptimizerError.invalidHyperparameter(
      optimizer: "SGD", name: "lr", value: "-1.0", requirement: ">= 0")
    #expect(error.localizedDescription == "SGD: invalid lr -1.0: it must be >= 0")
  }
}
