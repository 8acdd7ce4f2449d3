/// An optimizer that can say how many bytes its per-parameter state takes, whatever its encoding
/// (float32, bfloat16 or 8-bit codes with their scales): what a benchmark needs to size the
/// traffic of a step.
public protocol StateMemoryReporting: AnyObject {
  /// The bytes of every parameter's state buffers (0 before the first step for lazily created
  /// state).
  var stateByteCount: Int { get }
}

extension Optimizer: StateMemoryReporting {
  /// The bytes of every parameter's state buffers.
  public var stateByteCount: Int {
    parameters.reduce(0) { total, parameter in
      guard let state = state(of: parameter) else { return total }
      return total + state.storage.count * MemoryLayout<Scalar>.stride + state.packed.count
        + state.absmax.count * MemoryLayout<Float>.stride
    }
  }
}
