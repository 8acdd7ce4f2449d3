import Foundation

/// A fixture of kind `scheduler` (see reference/FORMAT.md).
private struct SchedulerFixture: Decodable {
  var kind: String
  var name: String
  var options: [String: JSONValue]
  var epochs: Int
  var scheduler: String
  var schedulerOptions: [String: JSONValue]
  var expectedLR: [Double]
  var expectedMomentum: [Double]?
  var metrics: [Double]?

  enum CodingKeys: String, CodingKey {
    case kind, name, options, epochs, scheduler, metrics
    case schedulerOptions = "scheduler_options"
    case expectedLR = "expected_lr"
    case expectedMomentum = "expected_momentum"
  }
}

/// The SGD the scheduler fixtures wrap, reduced to what a scheduler sees: one group's learning
/// rate and momentum.
private final class SchedulerFixtureOptimizer: ScheduledOptimizer {
  var lr: Double
  var momentumValue: Double

  init(lr: Double, momentum: Double) {
    self.lr = lr
    self.momentumValue = momentum
  }

  var paramGroupCount: Int { 1 }
  func learningRate(ofGroup index: Int) -> Double { lr }
  func setLearningRate(_ value: Double, ofGroup index: Int) { lr = value }
  func momentum(ofGroup index: Int) -> Double? { momentumValue }
  func setMomentum(_ value: Double, ofGroup index: Int) { momentumValue = value }
}

/// Runs `scheduler` fixtures (`sched-*.json`): builds the scheduler on an SGD-like optimizer,
/// steps it `epochs` times (with `metrics` for ReduceLROnPlateau) and compares the learning rate
/// (and momentum, where given) before the first epoch and after each, in float64 tolerance.
public struct SchedulerFixtureRunner: FixtureRunner {
  /// `"scheduler"`.
  public var kind: String { "scheduler" }

  /// A runner.
  public init() {}

  /// Checks the fixture in `data`.
  public func run(_ data: Data, options: ConformanceOptions) throws -> ConformanceResult {
    let fixture = try decodeFixture(SchedulerFixture.self, from: data)
    var tally = DeviationTally(tolerance: .float64)
    let (rates, momentums) = try replaySchedulerFixture(fixture)
    tally.compare(rates, fixture.expectedLR, "lr")
    if let expected = fixture.expectedMomentum { tally.compare(momentums, expected, "momentum") }
    return tally.result(name: fixture.name, kind: kind)
  }
}

/// The learning rates and momenta before the first epoch and after each.
///
/// - Throws: ``ConformanceError/invalidField(_:_:)`` when `epochs` is negative or above
///   ``ScheduleLimits/maximumEpochs``, before anything is built.
private func replaySchedulerFixture(_ fixture: SchedulerFixture) throws -> ([Double], [Double]) {
  let limit = ScheduleLimits.maximumEpochs
  guard (0...limit).contains(fixture.epochs) else {
    throw ConformanceError.invalidField(
      "epochs",
      "\(fixture.epochs) is outside 0...\(limit), the most epochs a schedule is traced over")
  }
  var reader = SchedulerOptionReader(scheduler: "SGD", values: fixture.options)
  let optimizer = SchedulerFixtureOptimizer(
    lr: try reader.requiredDouble("lr"), momentum: try reader.double("momentum", 0))
  let scheduler = try makeLRScheduler(
    fixture.scheduler, options: fixture.schedulerOptions, optimizer: optimizer)
  var rates = [optimizer.lr]
  var momentums = [optimizer.momentumValue]
  for epoch in 0..<fixture.epochs {
    if let plateau = scheduler as? ReduceLROnPlateau {
      guard let metrics = fixture.metrics, epoch < metrics.count else {
        throw SchedulerError.missingOption(
          scheduler: fixture.scheduler, option: "metrics[\(epoch)]")
      }
      plateau.step(metric: metrics[epoch])
    } else if let stepped = scheduler as? any EpochLRScheduler {
      stepped.step()
    }
    rates.append(optimizer.lr)
    momentums.append(optimizer.momentumValue)
  }
  return (rates, momentums)
}
