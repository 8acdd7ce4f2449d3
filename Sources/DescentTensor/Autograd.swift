/// One recorded operation of the autograd graph: the nodes of its differentiable inputs and the
/// function that turns the gradient of its output into gradients of those inputs.
public final class GradNode<Scalar: TensorScalar> {
  /// The nodes of the inputs that need gradients, in the order `pullback` returns them.
  let inputs: [GradNode<Scalar>]
  /// Maps the gradient of the output to the gradients of `inputs`, each of its input's shape.
  let pullback: (Tensor<Scalar>) -> [Tensor<Scalar>]
  /// For a leaf: the parameter whose `grad` receives the gradient. A strong reference (the graph
  /// keeps its parameters alive, as PyTorch's does); the parameter does not keep its leaves, so
  /// there is no cycle, and no weak reference that would slow every retain of a parameter.
  let parameter: Parameter<Scalar>?

  init(
    inputs: [GradNode<Scalar>], parameter: Parameter<Scalar>? = nil,
    pullback: @escaping (Tensor<Scalar>) -> [Tensor<Scalar>]
  ) {
    self.inputs = inputs
    self.parameter = parameter
    self.pullback = pullback
  }
}

/// Whether operations record the autograd graph in the current task (see ``withNoGrad(_:)``).
public enum GradMode {
  /// `true` unless inside ``withNoGrad(_:)``.
  @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording the autograd graph, like `torch.no_grad()`.
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
  try GradMode.$isEnabled.withValue(false, operation: body)
}

extension Tensor {
  /// Builds the result of a differentiable operation.
  ///
  /// `value` is the result's constant value; `pullback` receives the gradient of the result and
  /// returns one gradient per element of `inputs`, each of that input's shape. When no input needs
  /// gradients, or inside ``withNoGrad(_:)``, the result is a constant and `pullback` is dropped.
  /// This is how every operation of Descent is made differentiable, and it is public so that a
  /// user can add an operation of their own.
  public static func differentiable(
    _ value: Tensor, inputs: [Tensor], pullback: @escaping (Tensor) -> [Tensor]
  ) -> Tensor {
    guard GradMode.isEnabled, inputs.contains(where: { $0.node != nil }) else {
      return value.detached
    }
    let tracked = inputs.indices.filter { inputs[$0].node != nil }
    let nodes = tracked.map { inputs[$0].node! }
    var result = value.detached
    if tracked.count == inputs.count {
      result.node = GradNode(inputs: nodes, pullback: pullback)
    } else {
      result.node = GradNode(inputs: nodes) { grad in
        let all = pullback(grad)
        return tracked.map { all[$0] }
      }
    }
    return result
  }

  /// Back-propagates from this tensor and adds the gradients into the `grad` of every parameter
  /// it depends on, accumulating like PyTorch.
  ///
  /// - Parameter seed: the gradient of the final objective with respect to this tensor; by
  ///   default 1, which requires this tensor to hold a single element.
  public func backward(_ seed: Tensor? = nil) {
    guard let root = node else { return }
    let start: Tensor
    if let seed {
      precondition(seed.shape == shape, "backward seed of shape \(seed.shape) for shape \(shape)")
      start = seed.detached
    } else {
      precondition(count == 1, "backward() without a seed needs one element, not shape \(shape)")
      start = Tensor(repeating: 1, shape: shape)
    }
    // Reverse topological order by an iterative depth-first search.
    var order: [GradNode<Scalar>] = []
    var visited = Set<ObjectIdentifier>()
    var stack: [(GradNode<Scalar>, Bool)] = [(root, false)]
    while let (current, expanded) = stack.popLast() {
      if expanded {
        order.append(current)
        continue
      }
      guard visited.insert(ObjectIdentifier(current)).inserted else { continue }
      stack.append((current, true))
      for input in current.inputs where !visited.contains(ObjectIdentifier(input)) {
        stack.append((input, false))
      }
    }
    var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): start]
    for current in order.reversed() {
      guard let grad = grads.removeValue(forKey: ObjectIdentifier(current)) else { continue }
      if let parameter = current.parameter {
        parameter.accumulateGrad(grad)
        continue
      }
      let inputGrads = current.pullback(grad)
      for (input, inputGrad) in zip(current.inputs, inputGrads) {
        let key = ObjectIdentifier(input)
        if let existing = grads[key] {
          grads[key] = existing.adding(inputGrad)
        } else {
          grads[key] = inputGrad
        }
      }
    }
  }

  /// Element-wise sum of two constants of the same shape (used to accumulate gradients).
  func adding(_ other: Tensor) -> Tensor {
    precondition(
      shape == other.shape, "accumulating gradient of shape \(other.shape) into \(shape)")
    var result = detached
    result.withUnsafeMutableBufferPointer { target in
      other.withUnsafeBufferPointer { source in
        for index in target.indices { target[index] += source[index] }
      }
    }
    return result
  }
}
