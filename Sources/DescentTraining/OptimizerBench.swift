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
  /// tensors placed in a ``ParameterArena`` through its flat parameter. The cases are
  /// timed in turn within each run (see ``BenchTiming/medianSeconds(of:)``), so their ratios do
  /// not depend on which was measured first.
  ///
  /// - Throws: ``OptimizerError`` for an unknown name; ``TrainingError/invalidOption(_:_:)`` for
  ///   an optimizer that is not element-wise.
  public static func measure(
    _ name: String, layout: BenchLayout, timing: BenchTiming, pool: WorkerPool
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
    var cases: [() -> Void] = [
      { for _ in 0..<repeats { stepped.optimizer.step() } },
      { for _ in 0..<repeats { roofline.run(on: pool) } },
    ]
    if layout.tensorCount > 1 {
      let whole = try steppedOptimizer(name, layout: try BenchLayout(tensorSize: count), pool: pool)
      let arena = try steppedOptimizer(name, layout: layout, pool: pool, inArena: true)
      cases.append { for _ in 0..<repeats { whole.optimizer.step() } }
      cases.append { for _ in 0..<repeats { arena.optimizer.step() } }
    }
    let seconds = timing.medianSeconds(of: cases)
    let perParameter = 1e9 / Double(count * repeats)
    return StepBenchRow(
      optimizer: name, layout: layout, nsPerParameter: seconds[0] * perParameter,
      gigabytesPerSecond: Double(roofline.bytesPerPass * repeats) / seconds[0] / 1e9,
      rooflineNsPerParameter: seconds[1] * perParameter,
      singleTensorNsPerParameter: seconds.count > 2 ? seconds[2] * perParameter : nil,
      arenaNsPerParameter: seconds.count > 3 ? seconds[3] * perParameter : nil)
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
