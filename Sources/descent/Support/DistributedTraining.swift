import ArgumentParser
import DescentDistributed
import DescentTraining
import Foundation

extension TrainCommand {
  /// `descent train --distributed`: any model, with every option of `descent train`, trained
  /// data-parallel over the ranks of `mpirun`; rank 0 prints and writes the checkpoint. Every
  /// rank stops with the same error when the ranks disagree or the setting is invalid.
  func runDistributed() throws {
    let communicator = try MPICommunicator()
    do {
      try train(over: communicator)
    } catch {
      // Errors here were agreed on by every rank (each says its own), except a failed MPI call,
      // after which no collective can be trusted: there, leave the teardown to mpirun.
      FileHandle.standardError.write(
        Data("Error: rank \(communicator.rank) of \(communicator.size): \(error)\n".utf8))
      if case DistributedError.call = error { throw ExitCode.failure }
      try? communicator.barrier()
      try? communicator.finalize()
      throw ExitCode.failure
    }
    try communicator.finalize()
  }

  /// Every option that changes the run, as the ranks must agree on it at start-up: a rank
  /// started differently stops every rank with the option's name, instead of hanging in a
  /// collective the others never reach. Files (data, checkpoint to resume) are compared by
  /// content.
  func runSettings() -> [(name: String, text: String)] {
    [
      ("--epochs and --steps", "\(epochs) \(steps.map(String.init) ?? "-")"),
      ("--batch-size", "\(batchSize.map(String.init) ?? "default")"),
      ("--seed", "\(seed)"),
      ("--model and its sizes", "\(model.rawValue) \(hidden?.description ?? "default")"),
      (
        "the optimizer and its hyperparameters",
        "\(optimizer) \(lr.map { "\($0)" } ?? "-") \(momentum.map { "\($0)" } ?? "-") "
          + hyperparameters.joined(separator: " ")
      ),
      (
        "--data and --task",
        (data.map { "\($0) \(FileDigest.describe(path: $0))" } ?? "digits") + " \(task)"
      ),
      (
        "--scheduler and its options",
        "\(extras.scheduler ?? "-") \(extras.schedulerOptions.joined(separator: " "))"
      ),
      (
        "--ema and --swa",
        "\(extras.ema.map { "\($0)" } ?? "-") \(extras.emaWarmup) \(extras.swa) "
          + "\(extras.swaStart.map(String.init) ?? "-") \(extras.swaLR.map { "\($0)" } ?? "-")"
      ),
      ("--clip-norm", "\(extras.clipNorm.map { "\($0)" } ?? "-")"),
      ("--accumulate", "\(extras.accumulate)"),
      ("--checkpoint", extras.checkpoint ?? "-"),
      ("--resume", extras.resume.map { "\($0) \(FileDigest.describe(path: $0))" } ?? "-"),
      ("--zero", "\(parallel.zero.map(String.init) ?? "-")"),
    ]
  }
}
