import ArgumentParser

/// The options of `descent train` for data-parallel training under `mpirun`.
struct DistributedFlags: ParsableArguments {
  @Flag(
    help: """
      Data-parallel training under mpirun (e.g. mpirun -np 2 descent train --distributed): \
      --batch-size is the global batch, each rank takes batch/ranks of it.
      """)
  var distributed = false

  @Flag(help: "With --distributed: shard the optimizer state over the ranks (ZeRO stage 1).")
  var zero = false

  @Option(
    parsing: .unconditional,
    help: """
      With --distributed: stop after this many optimizer steps in all (resumed ones included) \
      instead of after --epochs.
      """)
  var steps: Int?

  func validate() throws {
    guard distributed || !(zero || steps != nil) else {
      throw ValidationError("--zero and --steps need --distributed")
    }
    if let steps { try checkOption("--steps", steps, in: 1...1_000_000_000) }
  }
}
