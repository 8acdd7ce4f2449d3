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

  /// Step time over roofline time (1 is the memory-bandwidth limit).
  public var rooflineRatio: Double { nsPerParameter / rooflineNsPerParameter }
  /// The roofline kernel's GB/s.
  public var rooflineGigabytesPerSecond: Double {
    gigabytesPerSecond * rooflineRatio
  }
}

/// Measures optimizer steps on float32 parameters against a streaming kernel that moves the same
/// bytes, on the same threads.
public enum OptimizerBench {
  /// The optimizers whose update is element-wise (those the fused kernel runs), in catalog order.
  public static var elementwiseNames: [String] {
    OptimizerCatalog.names.filter { name in
      let probe = Parameter(Tensor<Float>(zeros: [1]))
      return (try? OptimizerCatalog.make(name, parameters: [probe], options: options(for: name)))
        is FusedStepping
    }
  }

  /// The options a benchmark uses: PyTorch's defaults, with momentum 0.9 for SGD (plain SGD has
  /// no state and is not what anyone benchmarks).
  public static func options(for name: String) -> [String: HyperparameterValue] {
    name == "SGD" ? ["lr": .number(0.01), "momentum": .number(0.9)] : [:]
  }

  /// Steps optimizer `name` on `layout` and runs the roofline kernel of the same traffic, both on
  /// `pool`; for several tensors, also steps one tensor of the same total size.
  ///
  /// - Throws: ``OptimizerError`` for an unknown name; ``TrainingError/invalidOption(_:_:)`` for
  ///   an optimizer that is not element-wise.
  public static func measure(
    _ name: String, layout: BenchLayout, timing: BenchTiming, pool: WorkerPool
  ) throws -> StepBenchRow {
    let (step, bufferCount) = try stepSeconds(name, layout: layout, timing: timing, pool: pool)
    let count = layout.parameterCount
    let roofline = StreamingKernel(
      readCount: 2 + bufferCount, writeCount: 1 + bufferCount, count: count)
    let repeats = repetitions(count)
    let rooflineSeconds = timing.medianSeconds {
      for _ in 0..<repeats { roofline.run(on: pool) }
    }
    var single: Double?
    if layout.tensorCount > 1 {
      let whole = try BenchLayout(tensorSize: count)
      single = try stepSeconds(name, layout: whole, timing: timing, pool: pool).seconds
    }
    let perParameter = 1e9 / Double(count * repeats)
    return StepBenchRow(
      optimizer: name, layout: layout, nsPerParameter: step * perParameter,
      gigabytesPerSecond: Double(roofline.bytesPerPass * repeats) / step / 1e9,
      rooflineNsPerParameter: rooflineSeconds * perParameter,
      singleTensorNsPerParameter: single.map { $0 * perParameter })
  }

  /// Steps per timed run: enough that a run lasts milliseconds at small sizes.
  static func repetitions(_ count: Int) -> Int { max(1, 10_000_000 / count) }

  /// The median seconds of ``repetitions(_:)`` steps, and the state buffers per parameter.
  private static func stepSeconds(
    _ name: String, layout: BenchLayout, timing: BenchTiming, pool: WorkerPool
  ) throws -> (seconds: Double, bufferCount: Int) {
    let parameters = (0..<layout.tensorCount).map { _ in
      let parameter = Parameter(Tensor<Float>(repeating: 1, shape: [layout.tensorSize]))
      parameter.grad = Tensor(repeating: 0.01, shape: [layout.tensorSize])
      return parameter
    }
    let optimizer = try OptimizerCatalog.make(
      name, parameters: parameters, options: options(for: name))
    guard let fused = optimizer as? FusedStepping else {
      throw TrainingError.invalidOption("optimizers", "\(name) (its update is not element-wise)")
    }
    fused.workerPool = pool
    optimizer.step()
    let bufferCount = fused.stateElementCount / layout.parameterCount
    let repeats = repetitions(layout.parameterCount)
    let seconds = timing.medianSeconds {
      for _ in 0..<repeats { optimizer.step() }
    }
    return (seconds, bufferCount)
  }
}
