import DescentData
import DescentDistributed
import DescentNN
import DescentOptim
import DescentTraining
import Foundation
import Testing

/// The README's data-parallel snippet ("In Swift", under MPI), line for line (`ReadmeSyncTests`
/// checks it). It runs under `mpirun` only: here it compiles, and run outside `mpirun` it stops
/// at its first line with the error that says so, before training anything.
@Suite("README distributed snippet")
struct ReadmeSnippetTests {
  /// The snippet, given the model, data and plan of the README's training-loop snippet.
  static func snippet(
    model: some Module<Float>, train: Dataset<Float>, test: Dataset<Float>, plan: TrainingPlan
  ) throws {
    let communicator = try MPICommunicator()
    let strategy = try DataParallelStepping(model: model, communicator: communicator, stage: .two) {
      try AdamW($0, lr: 1e-3)
    }
    let trainer = Trainer(
      model: model, loader: try BatchLoader(train, batchSize: 256), strategy: strategy)
    let loop = try TrainingLoop(trainer: trainer, plan: plan)
    try loop.run(test: test) { report in if communicator.isRoot { print(report.test.accuracy) } }
    try communicator.finalize()
  }

  @Test func outsideMPIRunItStopsAtItsFirstLine() throws {
    try #require(
      !MPICommunicator.isLaunchedByMPI,
      "this test runs outside mpirun")
    let digits: Dataset<Float> = try Digits.load()
    let (train, test) = digits.split(testFraction: 0.2, seed: 0)
    let model = DigitsMLP.make(hidden: 8, seed: 0, as: Float.self)
    let before = model.parameters().map(\.value.scalars)
    #expect(throws: DistributedError.notLaunchedByMPI) {
      try Self.snippet(model: model, train: train, test: test, plan: TrainingPlan(epochs: 1))
    }
    #expect(model.parameters().map(\.value.scalars) == before)
  }
}
