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

  @Option(
    help: """
      Comma-separated sizes: 4K, 1M, 50M, 1000, 200x4096 (default: 4K,1M,50M,200x4096); at most \
      1000M parameters each, and as many as fit in memory.
      """)
  var sizes: String?

  @Flag(help: "Small sizes only (4K, 1M, 200x4096) and fewer runs.")
  var quick = false

  @Option(
    parsing: .unconditional,
    help: """
      Threads (default: DESCENT_THREADS, else one per processor); at most 4 per processor and 256.
      """)
  var threads: Int?

  @Option(parsing: .unconditional, help: "Timed runs per figure (the median is shown).")
  var runs: Int?

  @Option(parsing: .unconditional, help: "Untimed warm-up runs before each figure.")
  var warmups: Int?

  @Flag(help: "Skip the optimizer step table.")
  var skipSteps = false

  @Flag(help: "Skip the training throughput table.")
  var skipTraining = false

  @Flag(
    help: "Only the engine: user-written MLPs' Adam steps and element-wise ops on 16M floats.")
  var engine = false

  @Option(
    parsing: .unconditional,
    help: "Also measure data-parallel training with 1 and this many MPI ranks (e.g. 2).")
  var ranks: Int?

  @Flag(name: .customLong("mpi-worker"), help: .hidden)
  var mpiWorker = false

  /// The most threads: 4 per processor and 256 in all, the cap `WorkerPool.defaultThreadCount`
  /// puts on `DESCENT_THREADS`.
  static var maximumThreads: Int {
    min(4 * max(1, ProcessInfo.processInfo.activeProcessorCount), 256)
  }

  func validate() throws {
    if let threads { try checkOption("--threads", threads, in: 1...Self.maximumThreads) }
    if let runs { try checkOption("--runs", runs, in: 1...10_000) }
    if let warmups { try checkOption("--warmups", warmups, in: 0...10_000) }
    if let ranks { try checkOption("--ranks", ranks, in: 2...1024) }
    if let sizes { _ = try asValidationError { try Self.layouts(sizes) } }
  }

  /// The layouts of `--sizes`, each refused when it would not fit in memory.
  ///
  /// - Throws: ``TrainingError`` for a malformed or too large size, ``CommandError`` for one
  ///   larger than this machine's memory.
  static func layouts(_ text: String) throws -> [BenchLayout] {
    try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
      let layout = try BenchLayout(parsing: String(part).trimmingCharacters(in: .whitespaces))
      // Values, gradients and up to three state buffers of float32; several tensors are also
      // measured as one tensor and in an arena, three copies in all. Half the memory is left to
      // the rest of the machine.
      let copies = layout.tensorCount > 1 ? 3 : 1
      let bytes = Double(layout.parameterCount) * 4 * 5 * Double(copies)
      let memory = Double(ProcessInfo.processInfo.physicalMemory)
      guard bytes <= 0.5 * memory else {
        throw CommandError.invalidNumber(
          option: "--sizes", text: String(part),
          requirement: String(
            format: "needs about %.1f GB of memory, more than half of this machine's %.1f GB",
            bytes / 1e9, memory / 1e9))
      }
      return layout
    }
  }

  func run() throws {
    if mpiWorker { return try DistributedBench.worker() }
    let timing = BenchTiming(warmups: warmups ?? (quick ? 1 : 2), runs: runs ?? (quick ? 3 : 7))
    let pool = threads.map { WorkerPool(threadCount: $0) } ?? .shared
    print("threads: \(pool.threadCount)")
    if engine { return try runEngine(timing: timing) }
    if !skipSteps {
      let layouts =
        try sizes.map(Self.layouts) ?? (quick ? BenchLayout.quick : BenchLayout.standard)
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
    if let ranks { try DistributedBench.run(ranks: ranks) }
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
    let workloads = try [ModelKind.cnn, .transformer].map {
      try EngineBench.workload($0, epochs: quick ? 3 : 10)
    }
    print("\nCNN on digits (Adam), transformer on the max-of-digits task (AdamW):")
    print(BenchReport.workloadTable(workloads))
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
