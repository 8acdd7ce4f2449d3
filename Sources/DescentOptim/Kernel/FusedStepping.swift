import DescentTensor

/// An optimizer whose updates all run through the fused element-wise kernel: what a benchmark
/// needs to size its memory traffic and to choose its threads.
public protocol FusedStepping: AnyObject {
  /// The threads its steps run on.
  var workerPool: WorkerPool { get set }
  /// The number of elements in every parameter's state buffers (0 before the first step for
  /// lazily created state).
  var stateElementCount: Int { get }
}

extension Optimizer: FusedStepping where Algorithm: ElementwiseAlgorithm {
  /// The number of elements in every parameter's state buffers.
  public var stateElementCount: Int {
    parameters.reduce(0) { total, parameter in
      total + (state(of: parameter).map { $0.count * $0.bufferNames.count } ?? 0)
    }
  }
}
