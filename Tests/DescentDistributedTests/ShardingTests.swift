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

  @Test func bucketsFollowBackwardOrderRespectTheCapacityAndKeepLargeParametersWhole() {
    let parameters = [4, 3, 10, 2, 2].map { Parameter(Tensor<Float>(zeros: [$0])) }
    let reducer = GradientReducer(
      parameters, communicator: SingleProcessCommunicator(), capacity: 6)
    #expect(reducer.buckets == [3..<5, 2..<3, 1..<2, 0..<1])
  }

  /// A backward pass through the reducer on one rank leaves each gradient as backward made it;
  /// a parameter that got none reads as zeros, and only the final pass of a step is reduced.
  @Test(arguments: [true, false])
  func reducingOnOneRankKeepsTheGradients(overlap: Bool) throws {
    let parameters = [3, 2, 4].map { Parameter(Tensor<Float>(zeros: [$0])) }
    let reducer = GradientReducer(
      parameters, communicator: SingleProcessCommunicator(), overlap: overlap, capacity: 4)
    let weights = [0, 2].map { index in
      Tensor<Float>(
        shape: parameters[index].shape,
        scalars: (0..<parameters[index].count).map { Float(index * 10 + $0) })
    }
    func pass() {
      ((parameters[0].value * weights[0]).sum() + (parameters[2].value * weights[1]).sum())
        .backward()
    }
    reducer.prepare(finalPass: false)
    pass()
    reducer.prepare(finalPass: true)
    pass()
    try reducer.finish()
    #expect(parameters[0].grad?.scalars == [0, 2, 4])
    #expect(parameters[1].grad?.scalars == [0, 0])
    #expect(parameters[2].grad?.scalars == [40, 42, 44, 46])
  }

  /// ZeRO-2 on one rank: the shard is the whole gradient, and the parameters' own are freed.
  @Test func reduceScatterReleasingFreesTheGradients() throws {
    let parameters = [3, 2].map { Parameter(Tensor<Float>(zeros: [$0])) }
    let reducer = GradientReducer(
      parameters, communicator: SingleProcessCommunicator(), mode: .reduceScatter(releasing: true))
    reducer.prepare(finalPass: true)
    (parameters[0].value.sum() * 2 + parameters[1].value.sum() * 3).backward()
    try reducer.finish()
    #expect(reducer.shardGradient == [2, 2, 2, 3, 3])
    #expect(parameters.allSatisfy { $0.grad == nil })
    #expect(reducer.gradientElementCount == 5 + 5)
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
      var flat = [Float](repeating: 0, count: zero.layout.totalCount)
      flat.withUnsafeMutableBufferPointer { zero.layout.pack(sharded, into: $0) { $0.grad } }
      zero.slice.grad = Tensor(shape: [flat.count], scalars: flat)
      try zero.step()
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
    #expect("\(DistributedError.notLaunchedByMPI)".contains("mpirun"))
    #expect(
      "\(DistributedError.rankMismatch(part: "the optimizer", ranks: [1]))".contains(
        "rank 1 disagrees"))
  }
}

@Suite struct BenchmarkTests {
  @Test func oneRankReportsTimesAndNoBusTraffic() throws {
    let report = try DistributedBenchmark.measure(over: SingleProcessCommunicator(), steps: 1)
    #expect(report.ranks == 1)
    #expect(report.allReduce.map(\.elements) == [1024, 65536, 1_048_576])
    #expect(report.allReduce.allSatisfy { $0.busGigabytesPerSecond == 0 && $0.seconds >= 0 })
    #expect(report.steps.map(\.setting).count == 4)
    #expect(report.steps.allSatisfy { $0.seconds > 0 && (0...1).contains($0.waitShare) })
    // 784·1024 + 1024 + 1024·1024 + 1024 + 1024·10 + 10 parameters; Adam keeps two buffers.
    let parameters = 1_863_690
    #expect(report.steps.map(\.stateElements) == [2, 2, 2, 2].map { $0 * parameters })
  }
}

@Suite struct BenchmarkLaunchTests {
  @Test func launchDecodesTheReportARankPrints() throws {
    _ = try MPILauncher.mpirun()
    let report = DistributedBenchReport(
      ranks: 2,
      allReduce: [.init(elements: 1024, seconds: 1e-5, busGigabytesPerSecond: 0.4)],
      steps: [
        .init(
          setting: "ZeRO-2", seconds: 0.002, waitShare: 0.1, stateElements: 4,
          gradientElements: 2)
      ])
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
