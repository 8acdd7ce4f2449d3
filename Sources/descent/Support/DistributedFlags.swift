import ArgumentParser
import DescentDistributed

/// The options of `descent train` for data-parallel training under `mpirun`.
struct DistributedFlags: ParsableArguments {
  @Flag(
    help: """
      Data-parallel training under mpirun (e.g. mpirun -np 2 descent train --distributed): \
      --batch-size is the global batch, each rank takes its slice of it. Every other option \
      works as without it; all ranks must be given the same options.
      """)
  var distributed = false

  @Option(
    parsing: .unconditional,
    help: """
      With --distributed: shard the training state over the ranks, ZeRO stage 1 (optimizer \
      state) or 2 (optimizer state and gradients).
      """)
  var zero: Int?

  func validate() throws {
    if zero != nil && !distributed { throw ValidationError("--zero needs --distributed") }
    if let zero { try checkOption("--zero", zero, in: 1...2) }
  }

  /// The ZeRO stage `--zero` asks for.
  ///
  /// - Throws: `ValidationError` for a stage other than 1 or 2.
  func zeroStage() throws -> DataParallelStepping<Float>.ZeroStage {
    guard let zero else { return .none }
    guard let stage = DataParallelStepping<Float>.ZeroStage(rawValue: zero), stage != .none else {
      throw ValidationError("--zero \(zero): the stage is 1 or 2")
    }
    return stage
  }

  /// How the training state is kept, for the run's header.
  var stateDescription: String {
    switch zero {
    case 1?: "ZeRO-1 (optimizer state sharded)"
    case 2?: "ZeRO-2 (optimizer state and gradients sharded)"
    default: "replicated optimizer state, gradients all-reduced in buckets during backward"
    }
  }
}
