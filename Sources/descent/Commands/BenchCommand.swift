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
      With --c-baseline and --torch-baseline, each step is also timed, in the same runs, by a plain \
      C loop of the same update and by PyTorch, and the table gives Descent's time over theirs (the \
      median of the per-run ratios; for several tensors, Descent's arena); scripts/bench-steps.sh \
      builds and passes both. \
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

  @Option(
    help: """
      A program that times the steps as a plain C loop: scripts/reference/steps.c, compiled \
      (gcc -O3 -march=native -fno-math-errno -fopenmp); it runs with OMP_NUM_THREADS=--threads.
      """)
  var cBaseline: String?

  @Option(
    help: """
      A command (words split at spaces) that times the steps in PyTorch: e.g. \
      "python3 scripts/reference/torch-steps.py" with torch installed.
      """)
  var torchBaseline: String?

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
      let baselines = try startBaselines(threads: pool.threadCount)
      // The first row of a run starts on idle processors and found the C loop up to 3 times
      // slower than later rows: it is measured once more first, as a warm-up of everything.
      if let name = try optimizerNames().first, let layout = layouts.first {
        _ = try OptimizerBench.measure(
          name, layout: layout, timing: timing, pool: pool,
          baselines: baselines)
      }
      var rows: [StepBenchRow] = []
      for name in try optimizerNames() {
        for layout in layouts {
          rows.append(
            try OptimizerBench.measure(
              name, layout: layout, timing: timing, pool: pool, baselines: baselines))
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

  /// The outside baselines asked for, started, each running on `threads` threads. Their OpenMP
  /// threads spin about as long as Descent's workers before sleeping (GNU OpenMP's default of
  /// milliseconds would take the processors from the case timed after them; the steps
  /// themselves, back to back, run as fast either way).
  private func startBaselines(threads: Int) throws -> [StepBaseline] {
    let environment = ["OMP_NUM_THREADS": String(threads), "GOMP_SPINCOUNT": "2000"]
    var baselines: [StepBaseline] = []
    if let cBaseline {
      baselines.append(
        try StepBaseline(label: "C", command: [cBaseline], environment: environment))
    }
    if let torchBaseline {
      let words = torchBaseline.split(separator: " ").map(String.init)
      baselines.append(
        try StepBaseline(label: "PyTorch", command: words, environment: environment))
    }
    return baselines
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
