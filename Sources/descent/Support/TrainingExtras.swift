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

  @Option(help: "Resume from this checkpoint (written by --checkpoint with the same options).")
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

/// One run of `descent train` with its extras: steps schedulers, updates averages, clips,
/// accumulates, and saves or resumes checkpoints.
final class TrainingSession {
  let trainer: Trainer<Float>
  let scheduler: (any LRScheduler)?
  let averaging: AveragedModel<Float>?
  let swaStart: Int?
  let perStepScheduler: Bool
  let checkpoint: TrainingCheckpoint<Float>
  let checkpointURL: URL?
  /// The epoch to start from (1 unless resumed).
  private(set) var firstEpoch = 1

  init(flags: TrainingExtrasFlags, trainer: Trainer<Float>, model: any Module<Float>, epochs: Int)
    throws
  {
    self.trainer = trainer
    try trainer.setAccumulationSteps(flags.accumulate)
    try trainer.setClipNorm(flags.clipNorm)
    let stepsPerEpoch = (trainer.loader.batchCount + flags.accumulate - 1) / flags.accumulate
    let optimizer = trainer.optimizer
    if let name = flags.scheduler {
      var options = try flags.parsedSchedulerOptions()
      if name == "OneCycleLR", options["total_steps"] == nil, options["epochs"] == nil {
        options["total_steps"] = .number(Double(epochs * stepsPerEpoch))
      }
      let built = try makeLRScheduler(name, options: options, optimizer: optimizer)
      scheduler = built
      perStepScheduler = ["OneCycleLR", "CyclicLR"].contains(name)
      let steps = epochs * stepsPerEpoch
      if let oneCycle = built as? OneCycleLR, oneCycle.rule.totalSteps < steps {
        throw SchedulerError.invalidOption(
          scheduler: name, option: "total_steps", value: "\(oneCycle.rule.totalSteps)",
          requirement: "the run takes \(steps) steps (\(epochs) epochs of \(stepsPerEpoch)), "
            + "and PyTorch raises when OneCycleLR is stepped past total_steps")
      }
    } else if flags.swa {
      let lr = flags.swaLR ?? optimizer.learningRate(ofGroup: 0)
      scheduler = try SWALR(optimizer, swaLR: .all(lr))
      perStepScheduler = false
    } else {
      scheduler = nil
      perStepScheduler = false
    }
    if let decay = flags.ema {
      averaging = AveragedModel(
        model,
        rule: try .exponential(decay: decay, warmup: flags.emaWarmup ? .inverseGamma() : .none))
    } else if flags.swa {
      averaging = AveragedModel(model)
    } else {
      averaging = nil
    }
    swaStart = flags.swa ? (flags.swaStart ?? max(1, epochs * 3 / 4)) : nil
    checkpoint = TrainingCheckpoint(
      model: model, optimizer: optimizer, scheduler: scheduler, averaging: averaging)
    checkpointURL = flags.checkpointURL
    if let resume = flags.resume {
      let progress = try checkpoint.load(from: URL(fileURLWithPath: resume))
      trainer.epochsDone = progress.epoch
      firstEpoch = progress.epoch + 1
      print("resumed from \(resume) after epoch \(progress.epoch)")
    }
  }

  /// Trains epoch `epoch` and does what follows it; `testLoss` is evaluated after training.
  ///
  /// - Throws: ``TrainingError/diverged(epoch:step:what:)`` when a loss or a parameter is not
  ///   finite (before anything is saved), ``SchedulerError`` for a step past the schedule's end.
  func runEpoch(_ epoch: Int, testLoss: () -> Double) throws -> Evaluation {
    let ema = swaStart == nil ? averaging : nil
    var schedulerError: (any Error)?
    let fit = trainer.trainEpoch { _, _ in
      ema?.updateParameters()
      if perStepScheduler, schedulerError == nil, let stepped = scheduler as? any EpochLRScheduler {
        do { try stepped.checkedStep() } catch { schedulerError = error }
      }
    }
    try trainer.checkFinite()
    if let schedulerError { throw schedulerError }
    if let swaStart {
      if epoch >= swaStart {
        averaging?.updateParameters()
        try (scheduler as? any EpochLRScheduler)?.checkedStep()
      }
    } else if let plateau = scheduler as? ReduceLROnPlateau {
      plateau.step(metric: testLoss())
    } else if !perStepScheduler, let stepped = scheduler as? any EpochLRScheduler {
      try stepped.checkedStep()
    }
    if let checkpointURL {
      try checkpoint.save(to: checkpointURL, progress: TrainingProgress(epoch: epoch))
    }
    return fit
  }

  /// Runs `body` with the averaged weights in the model when averaging has begun.
  func withAveragedWeights<R>(_ body: () throws -> R) rethrows -> R? {
    guard let averaging, averaging.nAveraged > 0 else { return nil }
    return try averaging.withAveragedWeights(body)
  }
}
