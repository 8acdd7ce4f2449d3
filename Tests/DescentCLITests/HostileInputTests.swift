import DescentData
import DescentOptim
import DescentPlot
import DescentTraining
import Foundation
import Testing

@testable import descent

/// Runs `descent arguments` in this process as `main()` does: `nil` when the command succeeds,
/// else the report `main()` prints (one line) and the exit status.
private func outcome(_ arguments: [String]) -> ErrorReport? {
  do {
    var command = try Descent.parseAsRoot(arguments)
    try command.run()
    return nil
  } catch {
    return ErrorReport(error)
  }
}

/// Writes `text` to a file `name` in a fresh folder and returns its path.
private func file(_ name: String, _ text: String, in folder: URL) throws -> String {
  let url = folder.appendingPathComponent(name)
  try Data(text.utf8).write(to: url)
  return url.path
}

/// Ten rows of three features and a label in 0...4; the first feature is always 0, so Adam with
/// eps 0 divides 0 by 0 on its first step.
private let tinyCSV = (0..<10).map { "0,\(Double($0) / 10),\($0 % 3),\($0 % 5)" }.joined(
  separator: "\n")

@Suite("Hostile input to the command line")
struct HostileInputTests {
  /// `--lr -1` is read as a value, then refused as out of range; non-finite values are refused.
  @Test func negativeAndNonFiniteValues() throws {
    let negative = try #require(outcome(["train", "--lr", "-1"]))
    #expect(negative.status == ErrorReport.usageStatus)
    #expect(negative.message.contains("lr -1.0") && negative.message.contains(">= 0"))
    #expect(!negative.message.contains("Missing value"))
    for arguments in [["--lr", "inf"], ["--momentum", "inf"], ["--lr", "nan"]] {
      let report = try #require(outcome(["train"] + arguments), "\(arguments)")
      #expect(report.status == ErrorReport.usageStatus)
      #expect(report.message.contains("\(arguments[0]) must be a finite number"))
    }
    let start = try PathsCommand.parse(["--start", "-1,2", "--steps", "3"])
    #expect(start.start == "-1,2")
    #expect(throws: (any Error).self) { try PathsCommand.parse(["--steps", "-3"]) }
  }

  /// Sizes that overflowed or failed to allocate are refused with their limit.
  @Test func hugeSizes() throws {
    for (arguments, limit) in [
      (["train", "--batch-size", "1000000000"], "1...1000000"),
      (["train", "--batch-size", "9223372036854775807"], "1...1000000"),
      (["train", "--accumulate", "9223372036854775807"], "1...1000000"),
      (["train", "--epochs", "9223372036854775807"], "1...1000000"),
      (["bench", "--sizes", "4000000000x4000000000"], "at most 1000000000 parameters"),
      (["bench", "--sizes", "9223372036854775807"], "at most 1000000000 parameters"),
      (["bench", "--threads", "100000"], "--threads must be in 1..."),
      (["paths", "--steps", "1000000"], "0...100000"),
      (["schedule", "StepLR", "--epochs", "1000000000"], "1...1000000"),
      (["compare", "--batch-size", "1000000000"], "1...1000000"),
    ] {
      let report = try #require(outcome(arguments), "\(arguments)")
      #expect(report.status == ErrorReport.usageStatus, "\(arguments)")
      #expect(report.message.contains(limit), "\(arguments): \(report.message)")
    }
  }

  /// Options that were silently ignored are errors now, with the same status as other usage
  /// errors.
  @Test func ignoredOptionsAreErrors() throws {
    let cases: [([String], String)] = [
      (["train", "--swa-start", "3"], "--swa-start needs --swa"),
      (["train", "--swa-lr", "0.1"], "--swa-lr needs --swa"),
      (["train", "--ema-warmup"], "--ema-warmup needs --ema"),
      (["train", "--swa", "--swa-start", "50", "--epochs", "5"], "after the last epoch"),
      (
        [
          "train", "--scheduler", "StepLR", "--scheduler-option", "step_size=1",
          "--scheduler-option", "step_size=2",
        ], "--scheduler-option step_size is given twice"
      ),
      (["schedule", "StepLR", "--option", "gamma=0.5", "--option", "gamma=0.1"], "given twice"),
      (["train", "--weight-decay", "1", "--weight_decay", "2"], "given twice"),
      (["show", "SGD", "--lr", "0.1", "--lr", "0.2"], "given twice"),
    ]
    for (arguments, expected) in cases {
      let report = try #require(outcome(arguments), "\(arguments)")
      #expect(report.status == ErrorReport.usageStatus, "\(arguments)")
      #expect(report.message.contains(expected), "\(arguments): \(report.message)")
    }
  }

  /// Scheduler option errors show the values as typed (JSON), never Swift's internals, and are
  /// reported before any data is read.
  @Test func optionErrorsShowNoSwiftInternals() throws {
    let cases: [([String], String)] = [
      (["--scheduler-option", "step_size=1.5"], "step_size = 1.5 is invalid"),
      (["--scheduler-option", "step_size={\"a\": 1}"], "step_size = {\"a\": 1} is invalid"),
      (["--scheduler-option", "step_size=2", "--scheduler-option", "foo=1,2"], "foo = [1, 2]"),
      (["--scheduler-option", "step_size=x"], "step_size = \"x\" is invalid"),
    ]
    for (options, expected) in cases {
      let report = try #require(outcome(["train", "--scheduler", "StepLR"] + options))
      #expect(report.status == ErrorReport.usageStatus)
      #expect(report.message.contains(expected), "\(report.message)")
      for swiftName in ["number(", "string(", "JSONValue", "DescentOptim."] {
        #expect(!report.message.contains(swiftName), "\(report.message)")
      }
    }
  }

  /// Every error type of the command line and the libraries says in `localizedDescription` what
  /// its `description` says.
  @Test func localizedDescriptions() {
    let errors: [any Error & CustomStringConvertible] = [
      CommandError.repeatedOption(option: "--option", key: "gamma"),
      DataError.badLabel(path: "a.csv", line: 3, value: "-1"),
      TrainingError.diverged(epoch: 2, step: 7, what: "the loss is nan"),
      TrainingError.invalidOption("accumulate", "0"),
      RecipeError.emptyEntry("sgd,,adam"),
      OptimizerError.unknownOptimizer("Adamm"),
      SchedulerError.steppedPastEnd(scheduler: "OneCycleLR", steps: 11, totalSteps: 10),
      EWMAError.betaOutOfRange(1),
      ClippingError.invalidOption(name: "max_norm", value: -1, requirement: "must be > 0"),
      AveragingError.duplicateName("x"),
      PlotError.notARegularFile(path: "/dev/null", kind: "a character device"),
    ]
    for error in errors {
      #expect(error.localizedDescription == error.description)
      #expect(!error.localizedDescription.contains("could not be completed"))
    }
  }

  /// The same kind of error always gives the same status: usage 64, input data 65, failure 1.
  @Test func statusByKind() {
    #expect(ErrorReport(CommandError.repeatedOption(option: "-", key: "k")).status == 64)
    #expect(ErrorReport(OptimizerError.unknownOptimizer("x")).status == 64)
    #expect(ErrorReport(SchedulerError.unknownScheduler("x")).status == 64)
    #expect(ErrorReport(DataError.empty(path: "e.csv")).status == 65)
    #expect(ErrorReport(DataError.unreadable(path: "e.csv", reason: "gone")).status == 65)
    #expect(ErrorReport(SchedulerError.stateMismatch(scheduler: "x", reason: "y")).status == 65)
    #expect(ErrorReport(TrainingError.diverged(epoch: 1, step: 1, what: "nan")).status == 1)
    #expect(ErrorReport(PlotError.writeFailed(path: "p", reason: "full")).status == 1)
    #expect(ErrorReport(PlotError.notARegularFile(path: "p", kind: "a folder")).status == 64)
    #expect(
      ErrorReport(CheckpointError.io(path: "c", action: "read it", reason: "gone")).status == 65)
    #expect(
      ErrorReport(CheckpointError.io(path: "c", action: "write it", reason: "full")).status == 1)
  }

  /// `--data` with another column count trains an MLP of the data's widths; labels, header
  /// typos, CRLF, out-of-range values and a too small set are handled.
  @Test func dataFiles() throws {
    let folder = try figureFolder("hostile-data")
    let tiny = try file(
      "tiny.csv", tinyCSV.replacingOccurrences(of: "\n", with: "\r\n"), in: folder)
    #expect(outcome(["train", "--data", tiny, "--epochs", "1", "--batch-size", "4"]) == nil)
    let command = try TrainCommand.parse(["--data", tiny])
    let dataset = try command.loadDataset()
    #expect(dataset.featureCount == 3 && dataset.classCount == 5 && dataset.count == 10)
    let model = try command.makeModel(for: dataset).model
    #expect(model.parameters().map(\.value.shape) == [[100, 3], [100], [5, 100], [5]])

    let cases: [(String, String, String)] = [
      ("big-label.csv", "1,2,0\n3,4,1\n5,6,2000000000\n", "big-label.csv:3: the label"),
      ("negative.csv", "1,2,0\n3,4,-1\n", "negative.csv:2: the label '-1'"),
      ("fraction.csv", "1,2,0\n3,4,1.5\n", "fraction.csv:2: the label '1.5'"),
      ("typo.csv", "1,2x,0\n3,4,1\n", "typo.csv:1: column 2 is not a number: '2x'"),
      ("overflow.csv", "1,1e39,0\n3,4,1\n", "overflow.csv:1: column 2 is out of the range"),
      ("nan.csv", "1,2,0\n3,nan,1\n", "nan.csv:2: column 2 is not a finite number"),
      ("one.csv", "1,2,0\n", "1 sample cannot be split"),
    ]
    for (name, text, expected) in cases {
      let path = try file(name, text, in: folder)
      let report = try #require(outcome(["train", "--data", path, "--epochs", "1"]), "\(name)")
      #expect(report.message.contains(expected), "\(name): \(report.message)")
      #expect(report.status == ErrorReport.dataStatus, "\(name)")
    }
  }

  /// Diverging training stops with an error naming the epoch and step, and the checkpoint file
  /// already there keeps its bytes.
  @Test func divergingTrainingStops() throws {
    let folder = try figureFolder("hostile-divergence")
    let data = try file("tiny.csv", tinyCSV, in: folder)
    let checkpoint = folder.appendingPathComponent("run.safetensors")
    try Data("a good checkpoint".utf8).write(to: checkpoint)
    let runs = [
      ["--optimizer", "adam", "--eps", "0"],
      ["--lr", "1e30"],
    ]
    for options in runs {
      let report = try #require(
        outcome(
          [
            "train", "--data", data, "--epochs", "3", "--batch-size", "2", "--checkpoint",
            checkpoint.path,
          ] + options), "\(options)")
      #expect(report.status == ErrorReport.failureStatus, "\(options)")
      #expect(report.message.hasPrefix("training diverged at epoch 1, step "), "\(report.message)")
      #expect(try Data(contentsOf: checkpoint) == Data("a good checkpoint".utf8))
    }
  }

  /// OneCycleLR whose total_steps is shorter than the run is refused before training, as
  /// PyTorch would raise during it; `descent schedule` uses total_steps = epochs.
  @Test func oneCycleTotalSteps() throws {
    let folder = try figureFolder("hostile-onecycle")
    let data = try file("tiny.csv", tinyCSV, in: folder)
    let report = try #require(
      outcome([
        "train", "--data", data, "--batch-size", "2", "--epochs", "2", "--scheduler",
        "OneCycleLR", "--scheduler-option", "max_lr=0.1", "--scheduler-option", "total_steps=5",
      ]))
    #expect(report.status == ErrorReport.usageStatus)
    #expect(report.message.contains("total_steps = 5") && report.message.contains("8 steps"))
    #expect(
      outcome([
        "train", "--data", data, "--batch-size", "2", "--epochs", "2", "--scheduler",
        "OneCycleLR", "--scheduler-option", "max_lr=0.1",
      ]) == nil)
    let output = folder.appendingPathComponent("schedule.svg").path
    #expect(outcome(["schedule", "OneCycleLR", "--epochs", "20", "--output", output]) == nil)
    let short = try #require(
      outcome([
        "schedule", "OneCycleLR", "--epochs", "20", "--option", "total_steps=10", "--output",
        output,
      ]))
    #expect(short.message.contains("tried to step 11 times") && short.status == 64)
  }

  /// Figure outputs and checkpoints refuse devices, FIFOs, folders and links to them, and the
  /// `--data` file; a link to a regular file is written through.
  @Test func destructiveOutputPaths() throws {
    let folder = try figureFolder("hostile-paths")
    let fifo = folder.appendingPathComponent("fifo.png").path
    #expect(mkfifo(fifo, 0o644) == 0)
    let directory = folder.appendingPathComponent("folder.png").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let nullLink = folder.appendingPathComponent("null.svg").path
    try FileManager.default.createSymbolicLink(atPath: nullLink, withDestinationPath: "/dev/null")
    for path in [fifo, directory, nullLink] {
      #expect(throws: PlotError.self, "\(path)") { try OutputPath(path) }
      let report = try #require(outcome(["ewma", "--output", path]))
      #expect(report.status == ErrorReport.usageStatus)
      #expect(report.message.contains("not a regular file"), "\(report.message)")
    }
    // The library refuses too, at write time.
    var figure = Figure(width: 100, height: 80)
    figure.panel.line(x: [0, 1], y: [0, 1])
    #expect(throws: PlotError.self) { try figure.write(to: URL(fileURLWithPath: nullLink)) }
    #expect(throws: PlotError.self) { try figure.write(to: URL(fileURLWithPath: fifo)) }
    // A link to a regular file stays a link; its target gets the figure.
    let target = folder.appendingPathComponent("target.png")
    try Data("old".utf8).write(to: target)
    let link = folder.appendingPathComponent("link.png").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target.path)
    try OutputPath(link).write(figure)
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target.path)
    #expect(try Data(contentsOf: target).starts(with: [0x89, 0x50, 0x4E, 0x47]))

    let data = try file("d.csv", tinyCSV, in: folder)
    for checkpoint in ["/dev/null", fifo, directory, data, folder.path + "/./d.csv"] {
      let report = try #require(
        outcome(["train", "--data", data, "--checkpoint", checkpoint]), "\(checkpoint)")
      #expect(report.status == ErrorReport.usageStatus, "\(checkpoint): \(report.message)")
    }
    #expect(try String(contentsOfFile: data, encoding: .utf8) == tinyCSV)
    let resume = try #require(outcome(["train", "--resume", "/dev/zero"]))
    #expect(resume.message.contains("not a checkpoint file"))
  }

  /// Long series are thinned for figures: a million samples, steps or epochs draw at most a few
  /// thousand points per series.
  @Test func longSeriesAreThinned() throws {
    let data = EWMACommand.samples(1_000_000, seed: 1)
    let curves = try EWMACommand.curves(
      of: data, betas: [0.9], conventions: [.firstValue, .biasCorrected])
    let figure = EWMACommand.figure(data: data, curves: curves)
    for panel in figure.panels {
      for series in panel.series {
        switch series {
        case .line(let line): #expect(line.x.count <= PlotThinning.maximumPoints + 2)
        case .scatter(let dots): #expect(dots.x.count <= PlotThinning.maximumPoints)
        default: break
        }
      }
    }
    let envelope = PlotThinning.envelope(data)
    #expect(envelope.first == 0 && envelope.last == data.count - 1)
    #expect(zip(envelope, envelope.dropFirst()).allSatisfy { $0 < $1 })
    let kept = envelope.map { data[$0] }
    #expect(kept.max() == data.max() && kept.min() == data.min())
    let points = (0..<200_000).map { PlanePoint(x: Double($0) * 1e-5, y: 0) }
    let drawn = PathsCommand.drawable(points, in: (x: 0...2, y: -1...1))
    #expect(drawn.count == PlotThinning.maximumPoints)
    #expect(drawn.first == points.first && drawn.last == points.last)
  }

  /// The real binary: one line on standard error, the status by kind, and DESCENT_THREADS capped
  /// with a warning.
  @Test func binaryReportsOneLine() throws {
    let folder = try figureFolder("hostile-binary")
    let bad = try file("bad.csv", "1,2,0\n3,4,-1\n", in: folder)
    let runs: [([String], [String: String], Int32, String)] = [
      (["train", "--lr", "-1"], [:], 64, "Error: SGD: invalid lr -1.0"),
      (["train", "--data", bad], [:], 65, "Error: \(bad):2: the label '-1'"),
      (["show", "SGD"], ["DESCENT_THREADS": "100000"], 0, "warning: DESCENT_THREADS=100000"),
    ]
    for (arguments, environment, status, expected) in runs {
      let result = try runDescent(arguments, environment: environment)
      #expect(result.status == status, "\(arguments): \(result.standardError)")
      let lines = result.standardError.split(separator: "\n")
      #expect(lines.count == 1, "\(arguments): \(result.standardError)")
      #expect(result.standardError.hasPrefix(expected), "\(result.standardError)")
    }
  }
}

/// Runs the built `descent` binary with `arguments` and extra `environment` variables.
private func runDescent(_ arguments: [String], environment: [String: String]) throws
  -> (status: Int32, standardError: String)
{
  let process = Process()
  process.executableURL = try descentBinary()
  process.arguments = arguments
  process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  let errors = Pipe()
  process.standardError = errors
  process.standardOutput = FileHandle.nullDevice
  try process.run()
  let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  process.waitUntilExit()
  return (process.terminationStatus, text)
}

/// The `descent` binary built beside the tests (in .build/<config>/).
private func descentBinary() throws -> URL {
  var folders = Bundle.allBundles.map(\.bundleURL).filter { $0.pathExtension == "xctest" }.map {
    $0.deletingLastPathComponent()
  }
  if let executable = Bundle.main.executableURL {
    folders.append(executable.deletingLastPathComponent())
  }
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  folders += ["debug", "release"].map { root.appendingPathComponent(".build/\($0)") }
  let found = folders.map { $0.appendingPathComponent("descent") }.first {
    FileManager.default.isExecutableFile(atPath: $0.path)
  }
  return try #require(found, "no descent binary in \(folders.map(\.path))")
}
