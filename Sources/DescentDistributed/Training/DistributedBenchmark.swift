import DescentData
import DescentNN
import DescentOptim
import DescentTensor
import DescentTraining

/// What ``DistributedBenchmark/measure(over:steps:)`` found, on one rank count. Codable, so a
/// worker launched by `mpirun` can print it as JSON for `descent bench`.
public struct DistributedBenchReport: Codable, Equatable, Sendable {
  /// One all-reduce size.
  public struct AllReduce: Codable, Equatable, Sendable {
    /// `Float` elements summed.
    public var elements: Int
    /// Mean seconds per all-reduce (the slowest rank's).
    public var seconds: Double
    /// Bus bandwidth in GB/s: `2 (N − 1) / N × bytes / seconds`, the traffic a ring all-reduce
    /// moves per rank (NCCL's convention; 0 for one rank).
    public var busGigabytesPerSecond: Double
  }

  /// One way of stepping, timed.
  public struct Step: Codable, Equatable, Sendable {
    /// What was timed: `replicated, overlapped`, `replicated, after backward`, `ZeRO-1`, `ZeRO-2`.
    public var setting: String
    /// Mean seconds per step (the slowest rank's).
    public var seconds: Double
    /// The fraction of the step spent waiting for gradient reductions after the backward pass
    /// (the slowest rank's).
    public var waitShare: Double
    /// Optimizer-state elements on rank 0.
    public var stateElements: Int
    /// Gradient elements rank 0 holds between steps.
    public var gradientElements: Int
  }

  /// The number of ranks.
  public var ranks: Int
  /// All-reduce timings, smallest size first.
  public var allReduce: [AllReduce]
  /// Step timings of the benchmark model.
  public var steps: [Step]
}

/// Timings for `descent bench --ranks N`: all-reduce bandwidth and the data-parallel step time
/// of a compute-bound MLP (784-1024-1024-10, Adam, global batch 256) on the ranks of a
/// communicator (``SingleProcessCommunicator`` for one rank, ``MPICommunicator`` under
/// `mpirun -np N`), with gradient reductions overlapped with the backward pass or not, and with
/// ZeRO stages 1 and 2. Every function is collective.
public enum DistributedBenchmark {
  /// The model's widths.
  public static let widths = [784, 1024, 1024, 10]
  /// The global batch.
  public static let batchSize = 256

  /// Mean seconds per all-reduce of `elements` `Float`s over `repetitions` runs (after one
  /// warm-up), the slowest rank's.
  public static func allReduce(
    elements: Int, repetitions: Int = 20, over communicator: any Communicator
  ) throws -> DistributedBenchReport.AllReduce {
    var buffer = [Float](repeating: 1, count: elements)
    try communicator.allReduceSum(&buffer)
    try communicator.barrier()
    let seconds =
      try slowest(over: communicator) {
        for _ in 0..<repetitions { try communicator.allReduceSum(&buffer) }
      } / Double(repetitions)
    let ranks = Double(communicator.size)
    let bytes = Double(elements * MemoryLayout<Float>.size)
    return .init(
      elements: elements, seconds: seconds,
      busGigabytesPerSecond: seconds > 0 ? 2 * (ranks - 1) / ranks * bytes / seconds / 1e9 : 0)
  }

  /// The benchmark model, the same on every rank.
  public static func model(seed: UInt64 = 0) -> Sequential<Float> {
    var generator = SeededGenerator(seed: seed)
    var layers: [any Module<Float>] = []
    for (index, (inputs, outputs)) in zip(widths, widths.dropFirst()).enumerated() {
      if index > 0 { layers.append(ReLU<Float>()) }
      layers.append(Linear<Float>(inputs, outputs, generator: &generator))
    }
    return Sequential(layers)
  }

  /// Random images of the model's input width with random labels: `batches` global batches.
  public static func data(batches: Int, seed: UInt64 = 0) throws -> Dataset<Float> {
    var generator = SeededGenerator(seed: seed)
    let count = batches * batchSize
    let features = Tensor<Float>(uniform: [count, widths[0]], generator: &generator)
    let labels = (0..<count).map { _ in Int.random(in: 0..<widths.last!, using: &generator) }
    return try Dataset(features: features, labels: labels)
  }

  /// Times `steps` steps (after two warm-up steps) of each setting: replicated state with
  /// reductions overlapped and after the backward pass, ZeRO-1 and ZeRO-2.
  public static func measure(over communicator: any Communicator, steps: Int = 10) throws
    -> DistributedBenchReport
  {
    let sizes = [1 << 10, 1 << 16, 1 << 20]
    let allReduce = try sizes.map { try Self.allReduce(elements: $0, over: communicator) }
    let dataset = try data(batches: steps + 2)
    let settings: [(String, DataParallelStepping<Float>.ZeroStage, Bool)] = [
      ("replicated, overlapped", .none, true), ("replicated, after backward", .none, false),
      ("ZeRO-1", .one, true), ("ZeRO-2", .two, true),
    ]
    let rows = try settings.map { name, stage, overlap in
      let model = Self.model()
      let strategy = try DataParallelStepping(
        model: model, communicator: communicator, stage: stage, overlap: overlap
      ) { try Adam($0, lr: 1e-3) }
      let trainer = Trainer(
        model: model, loader: try BatchLoader(dataset, batchSize: batchSize, shuffle: false),
        strategy: strategy)
      try trainer.trainEpoch(stoppingAt: 2)
      strategy.reducer.resetWaitSeconds()
      try communicator.barrier()
      let seconds = try slowest(over: communicator) {
        try trainer.trainEpoch(stoppingAt: steps + 2)
      }
      let waits = try communicator.allGather([strategy.reducer.waitSeconds])
      return DistributedBenchReport.Step(
        setting: name, seconds: seconds / Double(steps),
        waitShare: (waits.max() ?? 0) / max(seconds, 1e-12),
        stateElements: strategy.stateElementCount,
        gradientElements: strategy.gradientElementCount)
    }
    return DistributedBenchReport(ranks: communicator.size, allReduce: allReduce, steps: rows)
  }

  /// The largest over ranks of the seconds `body` takes.
  private static func slowest(over communicator: any Communicator, _ body: () throws -> Void)
    throws -> Double
  {
    let clock = ContinuousClock()
    let elapsed = try clock.measure(body)
    let seconds =
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return try communicator.allGather([seconds]).max() ?? seconds
  }
}
