import DescentData
import DescentNN
import DescentOptim
import DescentTensor
import Foundation
import Testing

@testable import DescentDistributed

@Suite struct ShardingTests {
  @Test func samplerVisitsEverySampleOncePerEpochAcrossRanks() throws {
    let dataset = try Dataset(
      features: Tensor<Float>(zeros: [37, 2]), labels: Array(repeating: 0, count: 37))
    let loader = try BatchLoader(dataset, batchSize: 12, seed: 5)
    for size in 1...4 {
      for epoch in 0..<2 {
        var visits = [Int](repeating: 0, count: dataset.count)
        var perRank: [[Int]] = []
        for rank in 0..<size {
          let batches = DistributedSampler(loader, rank: rank, size: size).batches(epoch: epoch)
          #expect(batches.count == loader.batchCount)
          perRank.append(batches.map(\.rows.count))
          for batch in batches { for row in batch.rows { visits[row] += 1 } }
        }
        #expect(visits == [Int](repeating: 1, count: dataset.count))
        // Slices of one global batch differ in size by at most one.
        for batch in 0..<loader.batchCount {
          let sizes = perRank.map { $0[batch] }
          #expect(sizes.max()! - sizes.min()! <= 1)
        }
      }
    }
  }

  @Test func samplerSlicesFollowTheGlobalBatchInOrder() throws {
    let dataset = try Dataset(
      features: Tensor<Float>(zeros: [32, 1]), labels: Array(repeating: 0, count: 32))
    let loader = try BatchLoader(dataset, batchSize: 16, seed: 1)
    let global = loader.batchIndices(epoch: 3)
    let first = DistributedSampler(loader, rank: 0, size: 2).batches(epoch: 3)
    let second = DistributedSampler(loader, rank: 1, size: 2).batches(epoch: 3)
    for index in global.indices {
      #expect(first[index].rows + second[index].rows == global[index])
      #expect(first[index].globalCount == 16)
    }
  }

  @Test func flatLayoutCutsContiguousShards() {
    let layout = FlatLayout(shapes: [[2, 3], [3], [1]])
    #expect(layout.totalCount == 10)
    #expect(layout.offsets == [0, 6, 9])
    #expect(layout.range(ofParameter: 1) == 6..<9)
    #expect(layout.shardLength(ranks: 3) == 4)
    #expect((0..<3).map { layout.shard(rank: $0, ranks: 3) } == [0..<4, 4..<8, 8..<10])
  }

  @Test func bucketsRespectTheCapacityAndKeepLargeParametersWhole() {
    let parameters = [4, 3, 10, 2, 2].map { Parameter(Tensor<Float>(zeros: [$0])) }
    let buckets = GradientBuckets(parameters, capacity: 6)
    #expect(buckets.buckets == [0..<1, 1..<2, 2..<3, 3..<5])
  }

  @Test func bucketedAllReduceScalesEveryGradient() throws {
    let parameters = [3, 2, 4].map { Parameter(Tensor<Float>(zeros: [$0])) }
    for (index, parameter) in parameters.enumerated() {
      parameter.grad = Tensor(
        shape: parameter.shape, scalars: (0..<parameter.count).map { Float(index * 10 + $0) })
    }
    parameters[1].grad = nil
    var buckets = GradientBuckets(parameters, capacity: 4)
    try buckets.allReduce(weight: 0.5, over: SingleProcessCommunicator())
    #expect(parameters[0].grad?.scalars == [0, 0.5, 1])
    #expect(parameters[1].grad?.scalars == [0, 0])
    #expect(parameters[2].grad?.scalars == [10, 10.5, 11, 11.5])
  }

  @Test func shardedStepOnOneRankEqualsTheOptimizer() throws {
    let shapes = [[3, 2], [2]]
    func parameters() -> [Parameter<Float>] {
      shapes.enumerated().map { index, shape in
        Parameter(
          Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float($0 + index) / 7 }))
      }
    }
    let plain = parameters()
    let sharded = parameters()
    let reference = try Adam(plain, lr: 0.1)
    let zero = try ShardedOptimizer(sharded, communicator: SingleProcessCommunicator()) {
      try Adam($0, lr: 0.1)
    }
    for step in 0..<3 {
      for (a, b) in zip(plain, sharded) {
        let gradient = Tensor<Float>(
          shape: a.shape, scalars: (0..<a.count).map { Float(($0 * 7 + step * 3) % 5) - 2 })
        a.grad = gradient
        b.grad = gradient
      }
      reference.step()
      try zero.step(weight: 1)
    }
    #expect(plain.map(\.value) == sharded.map(\.value))
    #expect(zero.stateElementCount == 2 * 8)
    // The gathered state is the unsharded optimizer's, so it loads into one.
    let gathered = try zero.gatheredStateDict()
    #expect(gathered == reference.stateDict())
    let fresh = try ShardedOptimizer(parameters(), communicator: SingleProcessCommunicator()) {
      try Adam($0, lr: 0.1)
    }
    try fresh.loadGathered(reference.stateDict(), source: "memory")
    #expect(try fresh.gatheredStateDict() == gathered)
  }

  @Test func zeroRejectsOptimizersThatAreNotElementwise() throws {
    let parameters = [Parameter(Tensor<Float>(zeros: [4, 3]))]
    #expect {
      _ = try ShardedOptimizer(parameters, communicator: SingleProcessCommunicator()) {
        try Adafactor($0)
      }
    } throws: { error in
      guard case DistributedError.notShardable(let name, _) = error else { return false }
      return name == "Adafactor" && "\(error)".contains("not element-wise")
    }
  }

  @Test func loadingAStateOfAnotherShapeThrowsAndSaysWhere() throws {
    let parameters = [Parameter(Tensor<Float>(zeros: [4]))]
    let zero = try ShardedOptimizer(parameters, communicator: SingleProcessCommunicator()) {
      try Adam($0)
    }
    let other = Parameter(Tensor<Float>(zeros: [5]))
    other.grad = Tensor(zeros: [5])
    let adam = try Adam([other])
    adam.step()
    #expect(throws: DistributedError.self) {
      try zero.loadGathered(adam.stateDict(), source: "a.safetensors")
    }
    #expect(zero.stateElementCount == 0)
  }

  @Test func errorsSayWhatToDo() {
    #expect(
      "\(DistributedError.batchNotDivisible(batchSize: 31, ranks: 2))".contains("multiple of 2"))
    #expect("\(DistributedError.notLaunchedByMPI)".contains("mpirun"))
    #expect(
      "\(DistributedError.rankMismatch(part: "the optimizer", ranks: [1]))".contains(
        "rank 1 disagrees"))
  }
}

@Suite struct BenchmarkTests {
  @Test func oneRankReportsTimesAndNoBusTraffic() throws {
    let dataset = try Digits.load(as: Float.self)
    let report = try DistributedBenchmark.measure(
      over: SingleProcessCommunicator(), dataset: dataset, steps: 2)
    #expect(report.ranks == 1)
    #expect(report.allReduce.map(\.elements) == [1024, 65536, 1_048_576])
    #expect(report.allReduce.allSatisfy { $0.busGigabytesPerSecond == 0 && $0.seconds >= 0 })
    #expect(report.replicatedStepSeconds > 0 && report.zeroStepSeconds > 0)
  }
}

@Suite struct BenchmarkLaunchTests {
  @Test func launchDecodesTheReportARankPrints() throws {
    _ = try MPILauncher.mpirun()
    let report = DistributedBenchReport(
      ranks: 2,
      allReduce: [.init(elements: 1024, seconds: 1e-5, busGigabytesPerSecond: 0.4)],
      replicatedStepSeconds: 0.002, zeroStepSeconds: 0.003)
    let line = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
    let echoed = try DistributedBenchmark.launch(
      ranks: 1, executable: URL(fileURLWithPath: "/bin/echo"), arguments: [line])
    #expect(echoed == report)
    #expect(throws: DistributedError.self) {
      try DistributedBenchmark.launch(
        ranks: 1, executable: URL(fileURLWithPath: "/bin/true"), arguments: [])
    }
  }
}
