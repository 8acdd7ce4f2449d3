import DescentOptim
import Foundation

/// An SGD-like test double: per-group learning rate and momentum (or none).
final class StubOptimizer: ScheduledOptimizer {
  var lrs: [Double]
  var momentums: [Double?]

  init(lr: [Double], momentum: [Double?]) {
    lrs = lr
    momentums = momentum
  }

  convenience init(lr: Double = 0.1, momentum: Double? = 0.9, groups: Int = 1) {
    self.init(
      lr: Array(repeating: lr, count: groups), momentum: Array(repeating: momentum, count: groups))
  }

  var paramGroupCount: Int { lrs.count }
  func learningRate(ofGroup index: Int) -> Double { lrs[index] }
  func setLearningRate(_ value: Double, ofGroup index: Int) { lrs[index] = value }
  func momentum(ofGroup index: Int) -> Double? { momentums[index] }
  func setMomentum(_ value: Double, ofGroup index: Int) {
    if momentums[index] != nil { momentums[index] = value }
  }
}

/// The URL of a copied PyTorch fixture.
func schedulerFixtureURL(_ file: String) -> URL {
  Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(file)
}

/// The fixture files whose names start with `prefix`.
func schedulerFixtureFiles(prefix: String) -> [String] {
  let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
  let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
  return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
}

/// `|a - e| <= rtol |e| + atol` in float64 fixture tolerance.
func scheduleClose(_ a: Double, _ e: Double, rtol: Double = 1e-9, atol: Double = 1e-12) -> Bool {
  abs(a - e) <= rtol * abs(e) + atol
}

/// The learning rate of group 0 before stepping and after each of `epochs` steps.
func schedulerTrace(_ scheduler: any EpochLRScheduler, epochs: Int, group: Int = 0) -> [Double] {
  var trace = [scheduler.optimizer.learningRate(ofGroup: group)]
  for _ in 0..<epochs {
    scheduler.step()
    trace.append(scheduler.optimizer.learningRate(ofGroup: group))
  }
  return trace
}

/// Scheduler options written as literals in tests.
extension JSONValue: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByStringLiteral,
  ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
  public init(floatLiteral value: Double) { self = .number(value) }
  public init(integerLiteral value: Int) { self = .number(Double(value)) }
  public init(stringLiteral value: String) { self = .string(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
  }
}
