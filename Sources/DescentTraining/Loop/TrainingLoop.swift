import DescentData
import DescentNN
import DescentOptim
import Foundation

/// One training run of a ``Trainer`` under a ``TrainingPlan``: epochs of steps, the scheduler
/// stepped per step or per epoch, the weight average updated, divergence checked before anything
/// is saved, and checkpoints written and resumed. The same loop runs on one process and on every
/// rank of a data-parallel job (the trainer's ``StepStrategy``); only rank 0 writes files.
///
/// ```swift
/// let trainer = Trainer(model: model, optimizer: adam, loader: loader)
/// let loop = try TrainingLoop(trainer: trainer, plan: plan)
/// try loop.run(test: test) { report in print(report.epoch, report.test.accuracy) }
/// ```
public final class TrainingLoop<Scalar: TensorScalar> {
  /// The trainer whose epochs the loop runs.
  public let trainer: Trainer<Scalar>
  /// What the run does around the optimizer.
  public let plan: TrainingPlan
  /// The learning-rate scheduler (SWALR under SWA), if any.
  public let scheduler: (any LRScheduler)?
  /// The weight average, if any.
  public let averaging: AveragedModel<Scalar>?
  /// Whether the scheduler steps after every optimizer step (OneCycleLR, CyclicLR) rather than
  /// after every epoch.
  public let stepsSchedulerPerStep: Bool
  /// What resuming found, when the plan resumes: the saved progress.
  public private(set) var resumedFrom: TrainingProgress?
  /// The hyperparameters the resumed checkpoint set to other values than the optimizer was
  /// built with (a checkpoint's state wins, as in PyTorch's `load_state_dict`), one sentence each,
  /// e.g. `momentum: 0.9 from the checkpoint replaces 0.5`. The learning rate is left out when a
  /// scheduler drives it.
  public private(set) var resumeNotes: [String] = []

  /// A loop of `trainer` under `plan`: sets the trainer's accumulation and clipping, builds the
  /// scheduler and the average, and resumes from `plan.resume`. Collective.
  ///
  /// - Throws: ``TrainingError`` for invalid options, ``SchedulerError`` for an invalid schedule
  ///   (OneCycleLR shorter than the run), ``CheckpointError`` for a checkpoint that does not fit.
  public init(trainer: Trainer<Scalar>, plan: TrainingPlan) throws {
    self.trainer = trainer
    self.plan = plan
    try trainer.setAccumulationSteps(plan.accumulate)
    try trainer.setClipNorm(plan.clipNorm)
    let optimizer = trainer.optimizer
    let totalSteps = plan.steps ?? plan.epochs * trainer.stepsPerEpoch
    switch (plan.scheduler, plan.averaging) {
    case (let chosen?, _):
      var options = chosen.options
      if chosen.name == "OneCycleLR", options["total_steps"] == nil, options["epochs"] == nil {
        options["total_steps"] = .number(Double(totalSteps))
      }
      let built = try makeLRScheduler(chosen.name, options: options, optimizer: optimizer)
      if let oneCycle = built as? OneCycleLR, oneCycle.rule.totalSteps < totalSteps {
        throw SchedulerError.invalidOption(
          scheduler: chosen.name, option: "total_steps", value: "\(oneCycle.rule.totalSteps)",
          requirement: "the run takes \(totalSteps) steps, and PyTorch raises when OneCycleLR "
            + "is stepped past total_steps")
      }
      scheduler = built
      stepsSchedulerPerStep = ["OneCycleLR", "CyclicLR"].contains(chosen.name)
    case (nil, .stochastic(_, let lr)?):
      scheduler = try SWALR(optimizer, swaLR: .all(lr ?? optimizer.learningRate(ofGroup: 0)))
      stepsSchedulerPerStep = false
    case (nil, _):
      scheduler = nil
      stepsSchedulerPerStep = false
    }
    switch plan.averaging {
    case .exponential(let decay, let warmup)?:
      averaging = AveragedModel(
        trainer.model,
        rule: try .exponential(decay: decay, warmup: warmup ? .inverseGamma() : .none))
    case .stochastic?: averaging = AveragedModel(trainer.model)
    case nil: averaging = nil
    }
    if let resume = plan.resume { try self.resume(from: resume) }
  }

  /// The first epoch still to train (1 unless resumed).
  public var nextEpoch: Int { trainer.epochsDone + 1 }

  /// The optimizer step the run stops after.
  public var lastStep: Int { plan.steps ?? plan.epochs * trainer.stepsPerEpoch }

  /// Whether every step of the plan is done.
  public var isFinished: Bool { trainer.stepsDone >= lastStep }

  /// Runs the remaining epochs, calling `afterEpoch` with each epoch's report (test loss and
  /// accuracy of the model after the epoch) on every process. Collective.
  ///
  /// - Throws: ``TrainingError/diverged(epoch:step:what:)`` (nothing is saved after a divergence),
  ///   ``SchedulerError``, ``CheckpointError``, or a failed collective.
  public func run(test: Dataset<Scalar>, afterEpoch: (EpochReport) throws -> Void) throws {
    while !isFinished {
      let clock = ContinuousClock()
      let start = clock.now
      let epoch = nextEpoch
      let fit = try runEpoch(testLoss: { Trainer.evaluate(trainer.model, on: test).loss })
      let elapsed = start.duration(to: clock.now)
      let seconds =
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
      try afterEpoch(
        EpochReport(
          epoch: epoch, train: fit, test: Trainer.evaluate(trainer.model, on: test),
          seconds: seconds))
    }
  }

  /// Trains the next epoch (or what is left of it before the plan's last step) and does what
  /// follows it: scheduler, average, divergence check, checkpoint. `testLoss` is called after
  /// training when ReduceLROnPlateau needs it. Collective.
  ///
  /// - Throws: ``TrainingError/diverged(epoch:step:what:)`` when a loss or a parameter is not
  ///   finite (before anything is saved), ``SchedulerError`` for a step past the schedule's end,
  ///   ``CheckpointError`` for a failed write.
  @discardableResult
  public func runEpoch(testLoss: () -> Double) throws -> Evaluation {
    let epoch = nextEpoch
    let ema = plan.swaStartEpoch == nil ? averaging : nil
    var schedulerError: (any Error)?
    let perStep = stepsSchedulerPerStep ? scheduler as? any EpochLRScheduler : nil
    let fit = try trainer.trainEpoch(stoppingAt: lastStep) { _, _ in
      ema?.updateParameters()
      if let perStep, schedulerError == nil {
        do { try perStep.checkedStep() } catch { schedulerError = error }
      }
    }
    try trainer.checkFinite()
    if let schedulerError { throw schedulerError }
    let finishedEpoch = trainer.epochsDone == epoch
    if finishedEpoch {
      if let swaStart = plan.swaStartEpoch {
        if epoch >= swaStart {
          averaging?.updateParameters()
          try (scheduler as? any EpochLRScheduler)?.checkedStep()
        }
      } else if let plateau = scheduler as? ReduceLROnPlateau {
        plateau.step(metric: testLoss())
      } else if perStep == nil, let stepped = scheduler as? any EpochLRScheduler {
        try stepped.checkedStep()
      }
    }
    if let url = plan.checkpoint, finishedEpoch || isFinished { try save(to: url) }
    return fit
  }

  /// Runs `body` with the averaged weights in the model when averaging has begun; `nil` before.
  public func withAveragedWeights<R>(_ body: () throws -> R) rethrows -> R? {
    guard let averaging, averaging.nAveraged > 0 else { return nil }
    return try averaging.withAveragedWeights(body)
  }

  /// Writes a checkpoint of the model, optimizer, scheduler, average and progress to `url`
  /// (rank 0 writes; every rank fails when the write does). Collective.
  ///
  /// - Throws: ``CheckpointError``.
  public func save(to url: URL) throws {
    let strategy = trainer.strategy
    let optimizer = try strategy.checkpointedOptimizer()
    let progress = TrainingProgress(
      epoch: trainer.epochsDone, step: trainer.stepsDone, seed: plan.seed)
    try strategy.agree("to write checkpoint \(url.path)") {
      guard strategy.rank == 0 else { return }
      try TrainingCheckpoint(
        model: trainer.model, optimizer: optimizer, scheduler: scheduler, averaging: averaging
      ).save(to: url, progress: progress)
    }
  }

  /// Restores the model, optimizer, scheduler, average and progress from `url`, written by this
  /// loop on any number of processes. Collective.
  ///
  /// - Throws: ``CheckpointError`` saying what does not fit.
  public func resume(from url: URL) throws {
    let strategy = trainer.strategy
    let before = trainer.optimizer.stateDict().paramGroups
    let progress = try strategy.agree("to load checkpoint \(url.path)") {
      // A schedule or average in the file that this run would drop is an error, not a silent loss.
      let contents = try CheckpointContents(of: url)
      var dropped: [String] = []
      if scheduler == nil, let kind = contents.scheduler { dropped.append("a \(kind) scheduler") }
      if averaging == nil, let rule = contents.averaging { dropped.append("an \(rule) average") }
      if let saved = contents.progress.seed, let seed = plan.seed, saved != seed {
        throw TrainingError.invalidOption(
          "resume",
          "\(url.path): it was written by a run with seed \(saved), this one has \(seed) (its "
            + "data split and batches would differ: resume with --seed \(saved))")
      }
      guard dropped.isEmpty else {
        throw TrainingError.invalidOption(
          "resume",
          "\(url.path): it holds \(dropped.joined(separator: " and ")) that this run has not "
            + "(resume with the same --scheduler, --ema or --swa options)")
      }
      var progress = TrainingProgress()
      try strategy.restoreOptimizer { optimizer in
        progress = try TrainingCheckpoint(
          model: trainer.model, optimizer: optimizer, scheduler: scheduler, averaging: averaging
        ).load(from: url)
      }
      return progress
    }
    // A checkpoint that counts epochs only resumes at the start of the next epoch.
    trainer.epochsDone = progress.epoch
    trainer.stepsDone = max(progress.step, progress.epoch * trainer.stepsPerEpoch)
    resumedFrom = progress
    let after = trainer.optimizer.stateDict().paramGroups
    resumeNotes = []
    for (index, (given, loaded)) in zip(before, after).enumerated() {
      for name in given.hyperparameters.keys.sorted() {
        guard let old = given.hyperparameters[name], let new = loaded.hyperparameters[name],
          old != new, !(name == "lr" && scheduler != nil)
        else { continue }
        let group = before.count > 1 ? " (group \(index))" : ""
        resumeNotes.append("\(name)\(group): \(new) from the checkpoint replaces \(old)")
      }
    }
  }
}
