import Foundation

/// Whether `actual` matches `expected` value by value within `|a - e| <= rtol |e| + atol`, and the
/// worst absolute difference, shared by the scheduler and EWMA fixture runners.
func scheduleFixtureComparison(
  _ actual: [Double], _ expected: [Double], what: String, rtol: Double = 1e-9, atol: Double = 1e-12
) -> (passed: Bool, worstDeviation: Double, message: String) {
  guard actual.count == expected.count else {
    return (false, .infinity, "\(what): \(actual.count) values, expected \(expected.count)")
  }
  var worst = 0.0
  var firstFailure: String?
  for (index, (a, e)) in zip(actual, expected).enumerated() {
    let deviation = abs(a - e)
    worst = max(worst, deviation.isNaN ? .infinity : deviation)
    if !(deviation <= rtol * abs(e) + atol), firstFailure == nil {
      firstFailure = "\(what)[\(index)] = \(a), expected \(e)"
    }
  }
  return (firstFailure == nil, worst, firstFailure ?? "ok")
}

/// Reads a fixture of `kind` at `url`, or says why it cannot be read.
func loadScheduleFixture<Fixture: Decodable>(
  _ type: Fixture.Type, kind: String, at url: URL, kindOf: (Fixture) -> String
) -> Result<Fixture, ScheduleFixtureError> {
  let fixture: Fixture
  do {
    fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
  } catch {
    return .failure(ScheduleFixtureError(message: "cannot read \(url.lastPathComponent): \(error)"))
  }
  guard kindOf(fixture) == kind else {
    return .failure(
      ScheduleFixtureError(
        message: "\(url.lastPathComponent): kind '\(kindOf(fixture))', not '\(kind)'"))
  }
  return .success(fixture)
}

/// Why a scheduler or EWMA fixture could not be read.
struct ScheduleFixtureError: Error {
  /// What went wrong, naming the file.
  var message: String
}

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

/// Runs a `scheduler` fixture (`sched-*.json`): builds the scheduler on an SGD-like optimizer,
/// steps it `epochs` times (with `metrics` for ReduceLROnPlateau) and compares the learning rate
/// (and momentum, where given) before the first epoch and after each, in float64 tolerance
/// (rtol 1e-9, atol 1e-12).
///
/// - Returns: the fixture's name, whether it passed, the worst absolute deviation and a message
///   (the first mismatch, or why the fixture could not be run).
public func runSchedulerFixture(at url: URL) -> (
  name: String, passed: Bool, worstDeviation: Double, message: String
) {
  let fixture: SchedulerFixture
  switch loadScheduleFixture(SchedulerFixture.self, kind: "scheduler", at: url, kindOf: \.kind) {
  case .success(let loaded): fixture = loaded
  case .failure(let error):
    return (url.deletingPathExtension().lastPathComponent, false, .infinity, error.message)
  }
  do {
    let (rates, momentums) = try replaySchedulerFixture(fixture)
    var result = scheduleFixtureComparison(rates, fixture.expectedLR, what: "lr")
    if let expected = fixture.expectedMomentum {
      let momentum = scheduleFixtureComparison(momentums, expected, what: "momentum")
      result.worstDeviation = max(result.worstDeviation, momentum.worstDeviation)
      if result.passed && !momentum.passed {
        result = (false, result.worstDeviation, momentum.message)
      }
    }
    return (fixture.name, result.passed, result.worstDeviation, result.message)
  } catch {
    return (fixture.name, false, .infinity, "\(error)")
  }
}

/// The learning rates and momenta before the first epoch and after each.
private func replaySchedulerFixture(_ fixture: SchedulerFixture) throws -> ([Double], [Double]) {
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
