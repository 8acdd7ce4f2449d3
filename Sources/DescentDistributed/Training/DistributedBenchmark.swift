import DescentData
import DescentNN
import DescentOptim
import DescentTensor
import DescentTraining

/// What ``DistributedBenchmark/measure(over:dataset:optimizer:batchSize:steps:)`` found, on one
/// rank count. Codable, so a worker launched by `mpirun` can print it as JSON for `descent bench`.
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

  /// The number of ranks.
  public var ranks: Int
  /// All-reduce timings, smallest size first.
  public var allReduce: [AllReduce]
  /// Mean seconds per data-parallel step of the digits MLP with replicated optimizer state.
  public var replicatedStepSeconds: Double
  /// Mean seconds per step with ZeRO-1 sharded state.
  public var zeroStepSeconds: Double
}

/// Timings for `descent bench`: all-reduce bandwidth and data-parallel step time on the ranks of
/// a communicator (``SingleProcessCommunicator`` for one rank, ``MPICommunicator`` under
/// `mpirun -np N`). Every function is collective.
public enum DistributedBenchmark {
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

  /// Mean seconds per step of `trainer` over `steps` steps (after one warm-up step), the slowest
  /// rank's.
  public static func stepSeconds<Scalar: LaneScalar>(
    _ trainer: DataParallelTrainer<Scalar>, steps: Int
  ) throws -> Double {
    try trainer.train(until: trainer.stepsDone + 1)
    try trainer.communicator.barrier()
    let target = trainer.stepsDone + steps
    return try slowest(over: trainer.communicator) { try trainer.train(until: target) }
      / Double(steps)
  }

  /// All-reduce timings at 1 Ki, 64 Ki and 1 Mi elements, and the step time of the digits MLP
  /// (`optimizer` with its default options but `lr`, global batch `batchSize`) with replicated
  /// and with sharded state.
  public static func measure(
    over communicator: any Communicator, dataset: Dataset<Float>, optimizer: String = "Adam",
    batchSize: Int = 32, steps: Int = 20
  ) throws -> DistributedBenchReport {
    let sizes = [1 << 10, 1 << 16, 1 << 20]
    let allReduce = try sizes.map { try Self.allReduce(elements: $0, over: communicator) }
    func step(_ mode: DataParallelTrainer<Float>.Mode) throws -> Double {
      let trainer = try DataParallelTrainer(
        model: DigitsMLP.make(seed: 0, as: Float.self),
        loader: try BatchLoader(dataset, batchSize: batchSize, seed: 0),
        communicator: communicator, mode: mode
      ) { try OptimizerCatalog.make(optimizer, parameters: $0) }
      return try stepSeconds(trainer, steps: steps)
    }
    return DistributedBenchReport(
      ranks: communicator.size, allReduce: allReduce, replicatedStepSeconds: try step(.replicated),
      zeroStepSeconds: try step(.zero))
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
