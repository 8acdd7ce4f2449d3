/// Builds a scheduler from its PyTorch class name and keyword options given as data, e.g.
/// `("StepLR", ["step_size": .number(7), "gamma": .number(0.5)])`; unset options take PyTorch's
/// defaults. SequentialLR and ChainedScheduler take `schedulers`: a list of objects, each naming
/// its class under `"scheduler"` beside its options.
///
/// - Throws: ``SchedulerError`` for an unknown name, an unknown, missing, ill-typed or
///   out-of-range option; LambdaLR and MultiplicativeLR cannot be built from data (their
///   options are functions).
public func makeLRScheduler(
  _ name: String, options: [String: JSONValue], optimizer: any ScheduledOptimizer
) throws -> any LRScheduler {
  var reader = SchedulerOptionReader(scheduler: name, values: options)
  let scheduler = try buildScheduler(name, &reader, optimizer)
  try reader.checkAllRead()
  return scheduler
}

private func buildScheduler(
  _ name: String, _ o: inout SchedulerOptionReader, _ optimizer: any ScheduledOptimizer
) throws -> any LRScheduler {
  switch name {
  case StepLRRule.schedulerName:
    return try StepLR(
      optimizer, stepSize: o.requiredInt("step_size"), gamma: o.double("gamma", 0.1))
  case MultiStepLRRule.schedulerName:
    return try MultiStepLR(
      optimizer, milestones: o.requiredIntList("milestones"), gamma: o.double("gamma", 0.1))
  case ConstantLRRule.schedulerName:
    return try ConstantLR(
      optimizer, factor: o.double("factor", 1.0 / 3), totalIters: o.int("total_iters", 5))
  case LinearLRRule.schedulerName:
    return try LinearLR(
      optimizer, startFactor: o.double("start_factor", 1.0 / 3),
      endFactor: o.double("end_factor", 1.0),
      totalIters: o.int("total_iters", 5))
  case ExponentialLRRule.schedulerName:
    return try ExponentialLR(optimizer, gamma: o.requiredDouble("gamma"))
  case PolynomialLRRule.schedulerName:
    return try PolynomialLR(
      optimizer, totalIters: o.int("total_iters", 5), power: o.double("power", 1.0))
  case CosineAnnealingLRRule.schedulerName:
    return try CosineAnnealingLR(
      optimizer, tMax: o.requiredInt("T_max"), etaMin: o.double("eta_min", 0))
  case CosineAnnealingWarmRestartsRule.schedulerName:
    return try CosineAnnealingWarmRestarts(
      optimizer, t0: o.requiredInt("T_0"), tMult: o.int("T_mult", 1), etaMin: o.double("eta_min", 0)
    )
  case CyclicLRRule.schedulerName:
    return try CyclicLR(
      optimizer, baseLR: o.perGroup("base_lr", nil), maxLR: o.perGroup("max_lr", nil),
      stepSizeUp: o.int("step_size_up", 2000), stepSizeDown: o.optionalInt("step_size_down"),
      mode: o.choice("mode", CyclicLRMode.triangular), gamma: o.double("gamma", 1.0),
      scaleMode: o.choice("scale_mode", CyclicLRScaleMode.cycle),
      cycleMomentum: o.bool("cycle_momentum", true),
      baseMomentum: o.perGroup("base_momentum", 0.8), maxMomentum: o.perGroup("max_momentum", 0.9))
  case OneCycleLRRule.schedulerName:
    return try OneCycleLR(
      optimizer, maxLR: o.perGroup("max_lr", nil), totalSteps: o.optionalInt("total_steps"),
      epochs: o.optionalInt("epochs"), stepsPerEpoch: o.optionalInt("steps_per_epoch"),
      pctStart: o.double("pct_start", 0.3),
      annealStrategy: o.choice("anneal_strategy", OneCycleAnnealStrategy.cos),
      cycleMomentum: o.bool("cycle_momentum", true),
      baseMomentum: o.perGroup("base_momentum", 0.85),
      maxMomentum: o.perGroup("max_momentum", 0.95), divFactor: o.double("div_factor", 25),
      finalDivFactor: o.double("final_div_factor", 1e4), threePhase: o.bool("three_phase", false))
  case ReduceLROnPlateau.schedulerName:
    return try ReduceLROnPlateau(
      optimizer, mode: o.choice("mode", PlateauMode.min), factor: o.double("factor", 0.1),
      patience: o.int("patience", 10), threshold: o.double("threshold", 1e-4),
      thresholdMode: o.choice("threshold_mode", PlateauThresholdMode.rel),
      cooldown: o.int("cooldown", 0),
      minLR: o.perGroup("min_lr", 0), eps: o.double("eps", 1e-8))
  case SequentialLR.schedulerName:
    let inner = try innerSchedulers(o.requiredObjectList("schedulers"), name, optimizer)
    return try SequentialLR(
      optimizer, schedulers: inner, milestones: o.requiredIntList("milestones"))
  case ChainedScheduler.schedulerName:
    return try ChainedScheduler(
      innerSchedulers(o.requiredObjectList("schedulers"), name, optimizer))
  case LambdaLRRule.schedulerName, MultiplicativeLRRule.schedulerName:
    throw SchedulerError.invalidOption(
      scheduler: name, option: "lr_lambda", value: "data",
      requirement: "must be a function, built in code")
  default:
    throw SchedulerError.unknownScheduler(name)
  }
}

/// Builds the inner schedulers of a composite, in order, each from an object naming its class.
private func innerSchedulers(
  _ objects: [[String: JSONValue]], _ composite: String, _ optimizer: any ScheduledOptimizer
) throws -> [any EpochLRScheduler] {
  try objects.enumerated().map { index, object in
    guard case .string(let name) = object["scheduler"] else {
      throw SchedulerError.missingOption(
        scheduler: composite, option: "schedulers[\(index)].scheduler")
    }
    var options = object
    options["scheduler"] = nil
    let built = try makeLRScheduler(name, options: options, optimizer: optimizer)
    guard let stepped = built as? any EpochLRScheduler else {
      throw SchedulerError.invalidComposition(
        scheduler: composite,
        reason: "\(name) at index \(index) needs a metric to step and cannot be composed")
    }
    return stepped
  }
}
