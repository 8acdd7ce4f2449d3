import ArgumentParser
import DescentData
import DescentOptim
import DescentTensor
import DescentTraining
import Foundation

/// `descent bench`: optimizer steps against the memory roofline, and training throughput.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure optimizer steps against the memory roofline, and training throughput.",
    discussion: """
      For each element-wise optimizer and size: nanoseconds per parameter and GB/s of one step on \
      float32 parameters, beside a streaming kernel that moves the same bytes on the same threads \
      (the roofline), and their ratio; for several tensors, the time relative to one tensor of the \
      same total size, both as separate tensors and in a ParameterArena (stepped in one pass). \
      Then the digits MLP's training throughput (64-100-10, batch 32). With --engine, only the \
      engine: Adam steps of user-written MLPs (64-100-10 batch 32, 784-1024-1024-10 batch 256) \
      and element-wise ops on 16M floats, to set beside scripts/compare-torch.sh. \
      Build with -c release; each figure is the median of --runs timed runs after --warmups.
        descent bench --quick
        descent bench --optimizers adam,sgd --sizes 50M,200x4096 --threads 2
      """)

  @Option(help: "Comma-separated optimizers (default: every element-wise one).")
  var optimizers: String?

  @Option(help: "Comma-separated sizes: 4K, 1M, 50M, 1000, 200x4096 (default: 4K,1M,50M,200x4096).")
  var sizes: String?

  @Flag(help: "Small sizes only (4K, 1M, 200x4096) and fewer runs.")
  var quick = false

  @Option(help: "Threads (default: DESCENT_THREADS, else one per processor).")
  var threads: Int?

  @Option(help: "Timed runs per figure (the median is shown).")
  var runs: Int?

  @Option(help: "Untimed warm-up runs before each figure.")
  var warmups: Int?

  @Flag(help: "Skip the optimizer step table.")
  var skipSteps = false

  @Flag(help: "Skip the training throughput table.")
  var skipTraining = false

  @Flag(
    help: "Only the engine: user-written MLPs' Adam steps and element-wise ops on 16M floats.")
  var engine = false

  @Option(help: "Also measure data-parallel training with 1 and this many MPI ranks (e.g. 2).")
  var ranks: Int?

  @Flag(name: .customLong("mpi-worker"), help: .hidden)
  var mpiWorker = false

  func validate() throws {
    if let threads, threads < 1 { throw ValidationError("--threads \(threads): must be >= 1") }
    if let runs, runs < 1 { throw ValidationError("--runs \(runs): must be >= 1") }
    if let warmups, warmups < 0 { throw ValidationError("--warmups \(warmups): must be >= 0") }
    if let ranks, ranks < 2 { throw ValidationError("--ranks \(ranks): must be >= 2") }
  }

  func run() throws {
    if mpiWorker { return try DistributedBench.worker(dataset: try Digits.load()) }
    let timing = BenchTiming(warmups: warmups ?? (quick ? 1 : 2), runs: runs ?? (quick ? 3 : 7))
    let pool = threads.map { WorkerPool(threadCount: $0) } ?? .shared
    print("threads: \(pool.threadCount)")
    if engine { return try runEngine(timing: timing) }
    if !skipSteps {
      let layouts =
        try sizes.map { try $0.split(separator: ",").map { try BenchLayout(parsing: String($0)) } }
        ?? (quick ? BenchLayout.quick : BenchLayout.standard)
      var rows: [StepBenchRow] = []
      for name in try optimizerNames() {
        for layout in layouts {
          rows.append(try OptimizerBench.measure(name, layout: layout, timing: timing, pool: pool))
        }
      }
      print(BenchReport.stepTable(rows))
    }
    if !skipTraining {
      let dataset: Dataset<Float> = try Digits.load()
      let rows = try TrainingBench.standard.map {
        try TrainingBench.measure($0, dataset: dataset, timing: timing)
      }
      print("\nDigits MLP 64-100-10, batch 32:")
      print(BenchReport.trainingTable(rows))
    }
    if let ranks { try DistributedBench.run(ranks: ranks, dataset: try Digits.load()) }
  }

  /// The engine rows, named as `scripts/compare-torch.py` names PyTorch's.
  private func runEngine(timing: BenchTiming) throws {
    let steps = try EngineBench.models.map { model in
      try EngineBench.trainingStep(
        widths: model.widths, batch: model.batch, steps: model.batch > 64 ? 20 : 200,
        timing: timing)
    }
    let operations = EngineBench.operations(count: 1 << 24, timing: timing)
    print(BenchReport.engineTable(steps: steps, operations: operations))
  }

  /// The optimizers asked for, by PyTorch name; every element-wise one by default.
  private func optimizerNames() throws -> [String] {
    let elementwise = OptimizerBench.elementwiseNames
    guard let optimizers else { return elementwise }
    return try optimizers.split(separator: ",").map { text in
      let name = try optimizerClassName(String(text).trimmingCharacters(in: .whitespaces))
      guard elementwise.contains(name) else {
        throw CommandError.unknownName(
          kind: "element-wise optimizer", name: name, choices: elementwise)
      }
      return name
    }
  }
}
