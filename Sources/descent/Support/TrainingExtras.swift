import ArgumentParser
import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Foundation

/// The options of `descent train` around the optimizer: schedules, averaging, clipping,
/// accumulation and checkpoints.
struct TrainingExtrasFlags: ParsableArguments {
  @Option(
    help:
      "A learning-rate scheduler: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, OneCycleLR, ..."
  )
  var scheduler: String?

  @Option(
    name: .customLong("scheduler-option"),
    help:
      "A scheduler option as name=value with PyTorch's name, e.g. step_size=5, gamma=0.5, milestones=5,10 (repeatable)."
  )
  var schedulerOptions: [String] = []

  @Option(
    parsing: .unconditional,
    help: "Keep an exponential moving average of the weights with this decay (e.g. 0.999).")
  var ema: Double?

  @Flag(
    name: .customLong("ema-warmup"), help: "Warm the EMA's decay up (timm's inverse-gamma warm-up)."
  )
  var emaWarmup = false

  @Flag(help: "Stochastic weight averaging: average the weights from --swa-start on, with SWALR.")
  var swa = false

  @Option(
    name: .customLong("swa-start"), parsing: .unconditional,
    help: "With --swa: the first epoch averaged (default: 3/4 of the epochs).")
  var swaStart: Int?

  @Option(
    name: .customLong("swa-lr"), parsing: .unconditional,
    help: "With --swa: the learning rate SWALR anneals to (default: the optimizer's).")
  var swaLR: Double?

  @Option(
    name: .customLong("clip-norm"), parsing: .unconditional,
    help: "Clip the gradients' global 2-norm to this value before each step.")
  var clipNorm: Double?

  @Option(
    parsing: .unconditional,
    help: "Accumulate the gradients of this many batches into each step (at most 1000000).")
  var accumulate: Int = 1

  @Option(
    help: """
      Save a checkpoint to this file after every epoch (atomically; a symbolic link is written \
      through). It must not be the --data file, a folder, a device or a FIFO.
      """)
  var checkpoint: String?

  @Option(
    help: """
      Resume from this checkpoint (written by --checkpoint). Its optimizer state wins over the \
      command line's hyperparameters; a differing one is reported.
      """)
  var resume: String?

  /// The most batches accumulated into one step.
  static let maximumAccumulation = 1_000_000

  func validate() throws {
    if swa && scheduler != nil {
      throw ValidationError("--swa brings its own scheduler (SWALR): leave out --scheduler")
    }
    if swa && ema != nil { throw ValidationError("choose one of --ema and --swa") }
    if !schedulerOptions.isEmpty && scheduler == nil {
      throw ValidationError("--scheduler-option needs --scheduler")
    }
    for (option, given) in [("--swa-start", swaStart != nil), ("--swa-lr", swaLR != nil)]
    where given && !swa {
      throw ValidationError("\(option) needs --swa")
    }
    if emaWarmup && ema == nil { throw ValidationError("--ema-warmup needs --ema") }
    try checkFinite("--ema", ema)
    try checkFinite("--swa-lr", swaLR, minimum: 0)
    try checkFinite("--clip-norm", clipNorm, positive: true)
    if let swaStart { try checkOption("--swa-start", swaStart, in: 1...TrainCommand.maximumEpochs) }
    try checkOption("--accumulate", accumulate, in: 1...Self.maximumAccumulation)
    _ = try asValidationError { try parsedSchedulerOptions() }
    if let resume, case .special(let kind) = FileKind(path: resume) {
      throw ValidationError("--resume \(resume) is \(kind), not a checkpoint file")
    }
    if let checkpoint {
      if case .special(let kind) = FileKind(path: checkpoint) {
        throw ValidationError(
          "--checkpoint \(checkpoint) is \(kind), not a regular file: refusing to replace it")
      }
      let folder = URL(fileURLWithPath: checkpoint).deletingLastPathComponent().path
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder),
        isFolder.boolValue,
        FileManager.default.isWritableFile(atPath: folder)
      else {
        throw ValidationError(
          "--checkpoint \(checkpoint): the folder \(folder) does not exist or cannot be written")
      }
    }
  }

  /// Where checkpoints are written: `--checkpoint` with symbolic links followed, so that a link
  /// to a file is written through instead of being replaced.
  var checkpointURL: URL? {
    checkpoint.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath() }
  }

  /// The scheduler options as JSON values by PyTorch name (parsed as `descent schedule` does).
  ///
  /// - Throws: ``CommandError`` for a malformed or repeated `--scheduler-option`.
  func parsedSchedulerOptions() throws -> [String: JSONValue] {
    try ScheduleCommand.parse(schedulerOptions, option: "--scheduler-option")
  }
}

extension TrainingExtrasFlags {
  /// The plan these flags describe for a run of `epochs` epochs (or `steps` optimizer steps)
  /// whose data is split and shuffled with `seed`.
  ///
  /// - Throws: ``CommandError`` for a malformed `--scheduler-option`.
  func plan(epochs: Int, steps: Int?, seed: UInt64) throws -> TrainingPlan {
    var plan = TrainingPlan(epochs: epochs)
    plan.steps = steps
    plan.accumulate = accumulate
    plan.clipNorm = clipNorm
    if let scheduler {
      plan.scheduler = .init(name: scheduler, options: try parsedSchedulerOptions())
    }
    if let ema {
      plan.averaging = .exponential(decay: ema, warmup: emaWarmup)
    } else if swa {
      plan.averaging = .stochastic(startEpoch: swaStart, lr: swaLR)
    }
    plan.checkpoint = checkpointURL
    plan.resume = resume.map { URL(fileURLWithPath: $0) }
    plan.seed = seed
    return plan
  }
}
