import ArgumentParser
import DescentData
import DescentDistributed
import DescentOptim
import DescentTraining
import Foundation

extension TrainCommand {
  /// `descent train --distributed`: the digits MLP (or the CSV's) trained data-parallel over the
  /// ranks of `mpirun`; rank 0 prints and writes the checkpoint. Every rank stops with the same
  /// error when the ranks disagree or the setting is invalid.
  func runDistributed() throws {
    let communicator = try MPICommunicator()
    do {
      try trainDistributed(over: communicator)
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

  private func trainDistributed(over communicator: MPICommunicator) throws {
    let batchSize = self.batchSize ?? 32
    let flags = parallel
    let unsupported = [
      ("--scheduler", extras.scheduler != nil), ("--ema", extras.ema != nil), ("--swa", extras.swa),
      ("--clip-norm", extras.clipNorm != nil), ("--accumulate", extras.accumulate != 1),
    ].filter(\.1).map(\.0)
    guard unsupported.isEmpty else {
      throw ValidationError(
        "\(unsupported.joined(separator: ", ")) cannot be combined with --distributed yet")
    }
    let (dataset, train, test) = try communicator.agree("to load the data") {
      let dataset = try loadDataset()
      let (train, test) = try dataset.splitForTraining(
        testFraction: 0.2, seed: seed, source: data ?? "digits")
      return (dataset, train, test)
    }
    guard model == .mlp else {
      throw ValidationError("--model \(model.rawValue) cannot be combined with --distributed yet")
    }
    let model = try makeModel(for: dataset).model
    let trainer = try DataParallelTrainer(
      model: model, loader: try BatchLoader(train, batchSize: batchSize, seed: seed),
      communicator: communicator, mode: flags.zero ? .zero : .replicated,
      makeOptimizer: makeOptimizer(for:))
    let root = communicator.isRoot
    if let resume = extras.resume {
      let progress = try trainer.loadCheckpoint(from: URL(fileURLWithPath: resume))
      if root { print("resumed from \(resume) at step \(progress.step)") }
    }
    if root {
      print(
        "\(communicator.size) ranks, \(batchSize / communicator.size) samples each per batch of "
          + "\(batchSize); \(flags.zero ? "ZeRO-1" : "replicated") optimizer state")
      print(
        "\(train.count) training and \(test.count) test samples; \(model.parameterCount) parameters"
      )
      print(trainer.optimizerDescription)
    }
    let perEpoch = trainer.batchesPerEpoch
    let target = flags.steps ?? epochs * perEpoch
    var (loss, correct, seen) = (0.0, 0, 0)
    var savedAt: Int?
    func save(_ path: String) throws {
      try trainer.saveCheckpoint(to: URL(fileURLWithPath: path).resolvingSymlinksInPath())
      savedAt = trainer.stepsDone
      if root { print("checkpoint written to \(path) at step \(trainer.stepsDone)") }
    }
    try trainer.train(until: target) { step, batchLoss, batchCorrect in
      // Every rank holds the same weights after a step, so all see a divergence at once; it is
      // checked before anything is printed or saved at the end of an epoch.
      if step % perEpoch == 0 || step == target,
        let what = Trainer<Float>.nonFiniteParameter(model.parameters())
      {
        throw TrainingError.diverged(
          epoch: (step + perEpoch - 1) / perEpoch, step: (step - 1) % perEpoch + 1, what: what)
      }
      let size = min(batchSize, train.count - (step - 1) % perEpoch * batchSize)
      loss += batchLoss * Double(size)
      correct += batchCorrect
      seen += size
      if root, step % perEpoch == 0 || step == target {
        let check = Trainer.evaluate(model, on: test)
        print(
          String(
            format: "epoch %3d  step %5d  loss %.4f  train acc %.4f  test loss %.4f  test acc %.4f",
            (step + perEpoch - 1) / perEpoch, step, loss / Double(seen),
            Double(correct) / Double(seen), check.loss, check.accuracy))
        (loss, correct, seen) = (0, 0, 0)
      }
      if step % perEpoch == 0, let path = extras.checkpoint { try save(path) }
    }
    let counts = try communicator.allGatherWords([UInt64(trainer.stateElementCount)])
    if root {
      let states = counts.map { String($0[0]) }.joined(separator: " ")
      print("optimizer state elements per rank: \(states)")
    }
    if let path = extras.checkpoint, savedAt != trainer.stepsDone { try save(path) }
  }
}
