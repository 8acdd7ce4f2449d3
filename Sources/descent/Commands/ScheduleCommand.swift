import ArgumentParser
import DescentOptim
import DescentPlot
import DescentTraining
import Foundation

/// `descent schedule NAME`: a learning-rate scheduler's values over the epochs, drawn.
struct ScheduleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "schedule",
    abstract: "Plot a scheduler's learning rate (and momentum, where it cycles) over the epochs.",
    discussion: """
      Options take PyTorch's names: --option step_size=10 --option gamma=0.5. Values are JSON \
      (numbers, true/false, lists like [30,60], objects) or plain words (mode=triangular2). \
      Required options a plot can choose (T_max, max_lr, total_steps, ...) default to the epochs \
      and --lr; OneCycleLR's total_steps is the epochs, and a smaller one is refused as PyTorch \
      raises. ReduceLROnPlateau is fed a metric that never improves. The figure draws at most \
      \(PlotThinning.maximumPoints) points per curve (the smallest and largest of each stretch).
      """)

  @Argument(
    help: ArgumentHelp(
      "The scheduler: \(ScheduleTrace.schedulerNames.joined(separator: ", ")).", valueName: "name"))
  var name: String

  @Option(parsing: .unconditional, help: "Number of epochs, at most 1000000.")
  var epochs = 100

  @Option(parsing: .unconditional, help: "The optimizer's initial learning rate.")
  var lr = 0.1

  @Option(
    name: .customLong("option"),
    help: ArgumentHelp(
      "A scheduler option with PyTorch's name (repeatable).", valueName: "key=value"))
  var options: [String] = []

  @Option(help: "Figure file; the format comes from the extension (.png, .svg, .pdf).")
  var output = "schedule.png"

  func validate() throws {
    let limit = ScheduleLimits.maximumEpochs
    guard (1...limit).contains(epochs) else {
      throw ValidationError("--epochs must be in 1...\(limit), got \(epochs)")
    }
    guard lr.isFinite, lr > 0 else {
      throw ValidationError("--lr must be a finite positive number, got \(lr)")
    }
    _ = try asValidationError { try Self.parse(options) }
  }

  func run() throws {
    let destination = try OutputPath(output)
    guard (try? ScheduleTrace.className(name)) != nil else {
      throw CommandError.unknownName(
        kind: "scheduler", name: name, choices: ScheduleTrace.schedulerNames)
    }
    let trace = try ScheduleTrace(name, epochs: epochs, lr: lr, options: try Self.parse(options))
    let shown = trace.options.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.text($0.value))" }
    print("\(trace.scheduler)(\(shown.joined(separator: ", "))) on SGD(lr=\(lr), momentum=0.9)")
    print("lr " + trace.curveDescription(optimizerLR: lr).joined(separator: ", "))
    let rates = trace.ratesByEpoch
    for epoch in Set(Self.sampleEpochs(epochs).map { max(1, $0) }).sorted() {
      var line = String(format: "epoch %5d  lr %.6g", epoch, rates[epoch - 1])
      if let momenta = trace.momentaByEpoch {
        line += String(format: "  momentum %.4g", momenta[epoch - 1])
      }
      print(line)
    }
    try destination.write(Self.figure(trace, optimizerLR: lr))
  }

  /// About ten evenly spread epochs, first and last included, for the printed summary.
  static func sampleEpochs(_ epochs: Int) -> [Int] {
    let stride = max(1, epochs / 10)
    var picked = Array(Swift.stride(from: 0, through: epochs, by: stride))
    if picked.last != epochs { picked.append(epochs) }
    return picked
  }

  /// `key=value` texts as scheduler options; `option` names the command-line option in errors.
  ///
  /// - Throws: ``CommandError`` for a text without `key=` or a key given twice.
  static func parse(_ texts: [String], option: String = "--option") throws -> [String: JSONValue] {
    var options: [String: JSONValue] = [:]
    for text in texts {
      guard let equals = text.firstIndex(of: "="),
        !text[..<equals].trimmingCharacters(in: .whitespaces).isEmpty
      else {
        throw CommandError.malformedOption(option: option, text: text, expected: "key=value")
      }
      let key = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
      let value = String(text[text.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
      guard options[key] == nil else { throw CommandError.repeatedOption(option: option, key: key) }
      options[key] = Self.value(value)
    }
    return options
  }

  /// JSON when the text is JSON, a list of numbers for `1,2,3`, a string otherwise.
  static func value(_ text: String) -> JSONValue {
    if let json = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) { return json }
    let numbers = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    if numbers.count > 1, numbers.allSatisfy({ $0?.isFinite == true }) {
      return .array(numbers.map { .number($0!) })
    }
    return .string(text)
  }

  /// A short text of an option's value for the printed header.
  static func text(_ value: JSONValue) -> String {
    switch value {
    case .null: return "None"
    case .bool(let flag): return flag ? "True" : "False"
    case .number(let number):
      return number == number.rounded() && abs(number) < 1e15
        ? String(Int(number)) : String(number)
    case .string(let string): return "'\(string)'"
    case .array(let items): return "[" + items.map(text).joined(separator: ", ") + "]"
    case .object(let fields):
      return "{"
        + fields.sorted { $0.key < $1.key }.map { "\($0.key): \(text($0.value))" }
        .joined(separator: ", ") + "}"
    }
  }

  /// The learning rate each epoch trains with (epochs 1...N), and the momentum below it when the
  /// schedule cycles it; each
  /// thinned to at most ``PlotThinning/maximumPoints`` points (its envelope). Footnotes give the
  /// scheduler's options and the curve in words (see ``ScheduleTrace/curveDescription(optimizerLR:)``;
  /// `optimizerLR` defaults to the curve's first value).
  static func figure(_ trace: ScheduleTrace, optimizerLR: Double? = nil) -> Figure {
    func curve(_ values: [Double]) -> (x: [Double], y: [Double]) {
      let kept = PlotThinning.envelope(values)
      return (kept.map { Double($0 + 1) }, kept.map { values[$0] })
    }
    let rates = curve(trace.ratesByEpoch)
    var rate = Panel(title: "\(trace.scheduler): learning rate", xLabel: "epoch", yLabel: "lr")
    rate.line(x: rates.x, y: rates.y, color: .blue)
    let shown = trace.options.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.text($0.value))" }
    let words = trace.curveDescription(optimizerLR: optimizerLR ?? trace.learningRates.first ?? 0)
    let footnotes = [
      "\(trace.scheduler)(\(shown.joined(separator: ", "))); each epoch trains with the lr drawn "
        + "at it (the scheduler steps after each epoch).",
      "lr " + words.prefix(1).joined(),
      words.dropFirst().joined(separator: ", "),
    ]
    guard let momenta = trace.momentaByEpoch else {
      var figure = Figure(width: 800, height: 520)
      figure[0, 0] = rate
      figure.footnotes = footnotes
      return figure
    }
    var momentum = Panel(title: "momentum", xLabel: "epoch", yLabel: "momentum")
    let cycled = curve(momenta)
    momentum.line(x: cycled.x, y: cycled.y, color: .orange)
    var figure = Figure(width: 800, height: 830, rows: 2, columns: 1)
    figure[0, 0] = rate
    figure[1, 0] = momentum
    figure.footnotes = footnotes
    return figure
  }
}
