import DescentData
import DescentNN
import DescentOptim
import DescentTensor
import DescentTraining
import Testing

@testable import DescentDistributed

/// Data parallelism over one rank (no MPI) takes exactly the steps of one process, for every
/// model: the gradient reducer, the synchronized batch normalization and the ZeRO stages
/// change nothing when there is nobody to share with.
@Suite struct OneRankTests {
  @Test(arguments: [ModelKind.mlp, .cnn, .transformer], [0, 1, 2])
  func oneRankEqualsOneProcess(model kind: ModelKind, stage: Int) throws {
    let dataset = try kind.defaultDataset(seed: 0)
    func train(_ parallel: Bool) throws -> [[Float]] {
      let model = try kind.make(for: dataset, hidden: [16], seed: 0).model
      let strategy: any StepStrategy<Float> =
        parallel
        ? try DataParallelStepping(
          model: model, communicator: SingleProcessCommunicator(),
          stage: .init(rawValue: stage)!, overlap: stage != 1, bucketCapacity: 300
        ) { try Adam($0, lr: 0.01) }
        : LocalStepping(try Adam(model.parameters(), lr: 0.01))
      let trainer = Trainer(
        model: model, loader: try BatchLoader(dataset, batchSize: 16, seed: 0), strategy: strategy)
      try trainer.trainEpoch(stoppingAt: 5)
      return model.parameters().map(\.value.scalars)
    }
    let (plain, parallel) = (try train(false), try train(true))
    for (index, (a, b)) in zip(parallel, plain).enumerated() {
      let difference = zip(a, b).map { abs($0 - $1) }.max() ?? 0
      #expect(difference <= 1e-6, "parameter \(index) differs by \(difference)")
    }
  }
}
