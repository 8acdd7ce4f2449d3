import DescentNN
import DescentOptim
import Foundation

/// Fuzzes the option parsers the command line calls: the first line names a scheduler or an
/// optimizer, each further line is a `key=value` option (JSON, or else a word), read as
/// ``JSONValue`` the way `--scheduler-option` and the fixtures give them. What builds is stepped.
enum OptionsFuzz {
  /// Runs `bytes` as a name and its options.
  static func run(_ bytes: [UInt8]) {
    let lines = String(decoding: bytes, as: UTF8.self).split(
      separator: "\n", omittingEmptySubsequences: false)
    guard let name = lines.first.map(String.init) else { return }
    var options: [String: JSONValue] = [:]
    for line in lines.dropFirst() {
      guard let equals = line.firstIndex(of: "=") else { continue }
      let text = String(line[line.index(after: equals)...])
      options[String(line[..<equals])] =
        (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
    }
    schedule(name, options)
    optimize(name, options)
  }

  /// Builds scheduler `name` on a one-group optimizer and steps it 30 times: every learning rate
  /// must stay finite, or a thrown error must end the schedule.
  private static func schedule(_ name: String, _ options: [String: JSONValue]) {
    let optimizer = ScheduleProbe()
    guard let scheduler = try? makeLRScheduler(name, options: options, optimizer: optimizer)
    else { return }
    for epoch in 0..<30 {
      if let plateau = scheduler as? ReduceLROnPlateau {
        plateau.step(metric: Double(epoch % 7))
      } else if let stepped = scheduler as? any EpochLRScheduler {
        guard (try? stepped.checkedStep()) != nil else { return }
      }
      precondition(optimizer.lr.isFinite, "\(name) set the learning rate to \(optimizer.lr)")
    }
  }

  /// Builds optimizer `name` over a small linear layer and takes three steps.
  private static func optimize(_ name: String, _ options: [String: JSONValue]) {
    var hyperparameters: [String: HyperparameterValue] = [:]
    for (key, value) in options {
      guard let parameter = value.hyperparameter else { return }
      hyperparameters[key] = parameter
    }
    var generator = SeededGenerator(seed: 7)
    let layer = Linear<Double>(3, 2, generator: &generator)
    guard
      let optimizer = try? OptimizerCatalog.make(
        name, parameters: layer.parameters(), options: hyperparameters)
    else { return }
    let input = Tensor<Double>(normal: [4, 3], generator: &generator)
    for _ in 0..<3 {
      optimizer.step {
        optimizer.zeroGrad(setToNil: true)
        let loss = crossEntropy(logits: layer(input), labels: [0, 1, 1, 0])
        loss.backward()
        return loss.item
      }
    }
  }
}

/// The optimizer a fuzzed scheduler drives: one group's learning rate and momentum.
private final class ScheduleProbe: ScheduledOptimizer {
  var lr = 0.1
  var momentumValue = 0.9

  var paramGroupCount: Int { 1 }
  func learningRate(ofGroup index: Int) -> Double { lr }
  func setLearningRate(_ value: Double, ofGroup index: Int) { lr = value }
  func momentum(ofGroup index: Int) -> Double? { momentumValue }
  func setMomentum(_ value: Double, ofGroup index: Int) { momentumValue = value }
}
