import DescentOptim
import DescentTensor

/// One optimizer step measured beside its roofline.
public struct StepBenchRow: Sendable, Equatable {
  /// The optimizer's name (PyTorch's class name).
  public var optimizer: String
  /// The parameters stepped.
  public var layout: BenchLayout
  /// Median nanoseconds per parameter of one step.
  public var nsPerParameter: Double
  /// The step's memory traffic in GB/s (10^9 bytes).
  public var gigabytesPerSecond: Double
  /// Median nanoseconds per parameter of the streaming kernel moving the same bytes.
  public var rooflineNsPerParameter: Double
  /// For several tensors: nanoseconds per parameter of the same step on one tensor of the same
  /// total size (`nil` for one tensor).
  public var singleTensorNsPerParameter: Double?
  /// For several tensors: nanoseconds per parameter of the same step with the tensors in a
  /// ``ParameterArena``, stepped through its flat parameter (`nil` for one tensor).
  public var arenaNsPerParameter: Double?
  /// The same step in the outside baselines, measured in the same runs.
  public var baselines: [BaselineFigure] = []

  /// Descent's figure the baselines are compared with: the arena's for several tensors (a
  /// baseline steps them as one array or in one fused call), else the step's.
  public var comparedNsPerParameter: Double { arenaNsPerParameter ?? nsPerParameter }

  /// Step time over roofline time (1 is the memory-bandwidth limit).
  public var rooflineRatio: Double { nsPerParameter / rooflineNsPerParameter }
  /// For several tensors: their step time over one tensor's (1 means no per-tensor cost).
  public var singleTensorRatio: Double? {
    singleTensorNsPerParameter.map { nsPerParameter / $0 }
  }
  /// For several tensors: the arena's step time over one tensor's.
  public var arenaRatio: Double? {
    guard let arena = arenaNsPerParameter, let single = singleTensorNsPerParameter else {
      return nil
    }
    return arena / single
  }
  /// The roofline kernel's GB/s.
  public var rooflineGigabytesPerSecond: Double {
    gigabytesPerSecond * rooflineRatio
  }
}

/// An outside baseline's figure for one step: ``StepBaseline``'s seconds per parameter, and
/// Descent's time over it.
public struct BaselineFigure: Sendable, Equatable {
  /// The baseline's label (`C`, `PyTorch`).
  public var label: String
  /// How the baseline ran the step (`fused`, `foreach`, ...), or empty.
  public var implementation: String
  /// Median nanoseconds per parameter of the baseline's step.
  public var nsPerParameter: Double
  /// The median over the runs of Descent's time over the baseline's in the same run (below 1:
  /// Descent is faster).
  public var ratio: Double
}

/// Measures optimizer steps on float32 parameters against a streaming kernel that moves the same
/// bytes, on the same threads.
public enum OptimizerBench {
  /// The optimizers whose update is element-wise (those the fused kernel runs), in catalog order
  /// (`AdamBF16` is Adam with bfloat16 moments).
  public static var elementwiseNames: [String] {
    OptimizerCatalog.entries.filter(\.isElementwise).map(\.name)
  }

  /// The options a benchmark uses: PyTorch's defaults, with momentum 0.9 for SGD (plain SGD has
  /// no state and is not what anyone benchmarks).
  public static func options(for name: String) -> [String: HyperparameterValue] {
    name == "SGD" ? ["lr": .number(0.01), "momentum": .number(0.9)] : [:]
  }

  /// Steps optimizer `name` on `layout` and runs the roofline kernel of the same traffic, both on
  /// `pool`; for several tensors, also steps one tensor of the same total size, and the same
  /// tensors placed in a ``ParameterArena`` through its flat parameter; and asks each of
  /// `baselines` for the same step. The cases are timed in turn within each run (see
  /// ``BenchTiming/rounds(of:)``), so their ratios do not depend on which was measured first.
  ///
  /// - Throws: ``OptimizerError`` for an unknown name; ``TrainingError/invalidOption(_:_:)`` for
  ///   an optimizer that is not element-wise; ``TrainingError/baselineFailed(_:_:)`` when a
  ///   baseline fails.
  public static func measure(
    _ name: String, layout: BenchLayout, timing: BenchTiming, pool: WorkerPool,
    baselines: [StepBaseline] = []
  ) throws -> StepBenchRow {
    let count = layout.parameterCount
    let repeats = repetitions(count)
    let stepped = try steppedOptimizer(name, layout: layout, pool: pool)
    // The roofline streams float32 arrays moving the step's bytes: the parameter (read and
    // written), the gradient (read) and the state (read and written), rounded to whole arrays.
    let stateArrays = stepped.stateBytesPerParameter / Double(MemoryLayout<Float>.stride)
    let writeCount = 1 + Int(stateArrays)
    let readCount = max(writeCount + 1, Int((3 + 2 * stateArrays).rounded()) - writeCount)
    let roofline = StreamingKernel(readCount: readCount, writeCount: writeCount, count: count)
    var cases: [() throws(any Error) -> Double] = [
      BenchTiming.timed { for _ in 0..<repeats { stepped.optimizer.step() } },
      BenchTiming.timed { for _ in 0..<repeats { roofline.run(on: pool) } },
    ]
    if layout.tensorCount > 1 {
      let whole = try steppedOptimizer(name, layout: try BenchLayout(tensorSize: count), pool: pool)
      let arena = try steppedOptimizer(name, layout: layout, pool: pool, inArena: true)
      cases.append(BenchTiming.timed { for _ in 0..<repeats { whole.optimizer.step() } })
      cases.append(BenchTiming.timed { for _ in 0..<repeats { arena.optimizer.step() } })
    }
    var answered: [(StepBaseline, implementation: String)] = []
    for baseline in baselines {
      guard let answer = try baseline.time(name, layout: layout, repeats: 1) else { continue }
      answered.append((baseline, answer.implementation))
      cases.append { () throws(any Error) in
        try baseline.time(name, layout: layout, repeats: repeats)?.seconds ?? .nan
      }
    }
    let rounds = try timing.rounds(of: cases)
    let column = { (index: Int) in BenchTiming.median(rounds.map { $0[index] }) }
    let perParameter = 1e9 / Double(count * repeats)
    var row = StepBenchRow(
      optimizer: name, layout: layout, nsPerParameter: column(0) * perParameter,
      gigabytesPerSecond: Double(roofline.bytesPerPass * repeats) / column(0) / 1e9,
      rooflineNsPerParameter: column(1) * perParameter,
      singleTensorNsPerParameter: layout.tensorCount > 1 ? column(2) * perParameter : nil,
      arenaNsPerParameter: layout.tensorCount > 1 ? column(3) * perParameter : nil)
    let compared = layout.tensorCount > 1 ? 3 : 0
    let first = cases.count - answered.count
    for (offset, (baseline, implementation)) in answered.enumerated() {
      let index = first + offset
      row.baselines.append(
        BaselineFigure(
          label: baseline.label, implementation: implementation,
          nsPerParameter: column(index) * perParameter,
          ratio: BenchTiming.median(rounds.map { $0[compared] / $0[index] })))
    }
    return row
  }

  /// Steps per timed run: enough that a run lasts milliseconds at small sizes.
  static func repetitions(_ count: Int) -> Int { max(1, 10_000_000 / count) }

  /// An optimizer `name` over parameters laid out as `layout` with gradients (or over the flat
  /// parameter of an arena holding them), on `pool`, after one step (so its state exists), and
  /// its state's bytes per parameter.
  private static func steppedOptimizer(
    _ name: String, layout: BenchLayout, pool: WorkerPool, inArena: Bool = false
  ) throws -> (optimizer: any TrainingOptimizer<Float>, stateBytesPerParameter: Double) {
    let parameters = (0..<layout.tensorCount).map { _ in
      let parameter = Parameter(Tensor<Float>(repeating: 1, shape: [layout.tensorSize]))
      parameter.grad = Tensor(repeating: 0.01, shape: [layout.tensorSize])
      return parameter
    }
    let optimizer = try OptimizerCatalog.make(
      name, parameters: inArena ? [try ParameterArena(parameters).flat] : parameters,
      options: options(for: name))
    guard let fused = optimizer as? FusedStepping else {
      throw TrainingError.invalidOption("optimizers", "\(name) (its update is not element-wise)")
    }
    fused.workerPool = pool
    optimizer.step()
    let bytes = (optimizer as? StateMemoryReporting)?.stateByteCount ?? 0
    return (optimizer, Double(bytes) / Double(layout.parameterCount))
  }
}
