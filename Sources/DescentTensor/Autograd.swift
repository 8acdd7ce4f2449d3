import Synchronization

/// Which inputs of an operation need a gradient, handed to its pullback so that it computes only
/// those.
public struct GradientNeeds: Sendable {
  let bits: UInt64
  /// Whether input `index` (in the order the operation lists its inputs) needs a gradient.
  /// Inputs past the 64th are not tracked and always report `true` (an unneeded gradient is
  /// dropped).
  public subscript(index: Int) -> Bool { index >= 64 || bits & (1 << UInt64(index)) != 0 }
}

/// One recorded operation of the autograd graph: the nodes of its inputs and the function that
/// turns the gradient of its output into gradients of those inputs; or a leaf, whose gradient goes
/// to a ``Parameter`` or stays in the node (for a tensor marked with
/// ``Tensor/requiringGrad(_:)``).
public final class GradNode<Scalar: TensorScalar> {
  /// The nodes of the inputs, `nil` for inputs that need no gradient.
  let inputs: [GradNode<Scalar>?]
  /// Maps the gradient of the output to the gradients of the inputs that need one (`nil` for the
  /// rest), each of its input's shape. Released after a backward pass, with what it saved.
  var pullback: ((Tensor<Scalar>, GradientNeeds) -> [Tensor<Scalar>?])?
  /// For a parameter's leaf: the parameter whose `grad` receives the gradient (held strongly: the
  /// parameter does not hold its leaves, so there is no cycle).
  let parameter: Parameter<Scalar>?
  /// Whether this is a leaf (a parameter's value or a tensor that requires a gradient).
  let isLeaf: Bool
  /// A tensor leaf's accumulated gradient.
  var leafGradient: Tensor<Scalar>?
  /// The gradient arriving during a backward pass.
  var pending: Tensor<Scalar>?
  /// The backward pass that last visited this node.
  var visited: UInt64 = 0

  /// An operation's node.
  init(
    inputs: [GradNode<Scalar>?],
    pullback: @escaping (Tensor<Scalar>, GradientNeeds) -> [Tensor<Scalar>?]
  ) {
    self.inputs = inputs
    self.pullback = pullback
    parameter = nil
    isLeaf = false
  }

  /// A leaf: of `parameter`, or of a plain tensor when `nil`.
  init(leafOf parameter: Parameter<Scalar>?) {
    inputs = []
    pullback = nil
    self.parameter = parameter
    isLeaf = true
  }

  /// Adds `gradient` to the gradient arriving at this node.
  func receive(_ gradient: Tensor<Scalar>) {
    if pending == nil {
      pending = gradient
    } else {
      pending!.accumulate(gradient)
    }
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

/// Numbers the backward passes, so that a pass marks the nodes it has seen without a set.
private let backwardPasses = Atomic<UInt64>(0)

extension Tensor {
  /// Builds the result of a differentiable operation of any number of inputs.
  ///
  /// `value` is the result's constant value; `pullback` receives the gradient of the result and
  /// returns one gradient per element of `inputs`, each of that input's shape. When no input needs
  /// gradients, or inside ``withNoGrad(_:)``, the result is a constant and `pullback` is dropped.
  /// This is how a user adds an operation of their own.
  public static func differentiable(
    _ value: Tensor, inputs: [Tensor], pullback: @escaping (Tensor) -> [Tensor]
  ) -> Tensor {
    record(value, inputs: inputs) { grad, _ in pullback(grad).map { $0 } }
  }

  /// The result of an operation of one input; `pullback` returns the input's gradient.
  @inline(__always)
  static func record(
    _ value: Tensor, _ input: Tensor,
    _ pullback: @escaping (Tensor, GradientNeeds) -> [Tensor?]
  ) -> Tensor {
    guard input.node != nil, GradMode.isEnabled else { return value.detached }
    var result = value
    result.node = GradNode(inputs: [input.node], pullback: pullback)
    return result
  }

  /// The result of an operation of two inputs; `pullback` returns their gradients (only those
  /// that the needs ask for may be non-`nil`).
  @inline(__always)
  static func record(
    _ value: Tensor, _ first: Tensor, _ second: Tensor,
    _ pullback: @escaping (Tensor, GradientNeeds) -> [Tensor?]
  ) -> Tensor {
    guard first.node != nil || second.node != nil, GradMode.isEnabled else {
      return value.detached
    }
    var result = value
    result.node = GradNode(inputs: [first.node, second.node], pullback: pullback)
    return result
  }

  /// The result of an operation of `inputs`.
  static func record(
    _ value: Tensor, inputs: [Tensor],
    _ pullback: @escaping (Tensor, GradientNeeds) -> [Tensor?]
  ) -> Tensor {
    guard inputs.contains(where: { $0.node != nil }), GradMode.isEnabled else {
      return value.detached
    }
    var result = value
    result.node = GradNode(inputs: inputs.map(\.node), pullback: pullback)
    return result
  }

  /// This tensor as a leaf of the autograd graph whose gradient ``grad`` collects, like
  /// `requires_grad_()`; `false` gives the values without history, like `detach()`.
  public func requiringGrad(_ requires: Bool = true) -> Tensor {
    var result = detached
    if requires { result.node = GradNode(leafOf: nil) }
    return result
  }

  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// Makes this tensor a leaf that collects its gradient (or, with `false`, drops its history),
  /// in place, like `requires_grad_()`.
  public mutating func requiresGrad_(_ requires: Bool = true) {
    self = requiringGrad(requires)
  }

  /// The gradient accumulated by backward passes into this tensor, when it is a leaf made by
  /// ``requiringGrad(_:)``; `nil` otherwise or before any pass reached it.
  public var grad: Tensor? {
    guard let node, node.isLeaf, node.parameter == nil else { return nil }
    return node.leafGradient
  }

  /// Back-propagates from this tensor and adds the gradients into the `grad` of every parameter
  /// (and leaf tensor) it depends on, accumulating like PyTorch. The graph's saved tensors are
  /// released afterwards unless `retainGraph` is true (PyTorch's `retain_graph`); a second pass
  /// through a released graph adds nothing.
  ///
  /// - Parameter seed: the gradient of the final objective with respect to this tensor; by
  ///   default 1, which requires this tensor to hold a single element.
  public func backward(_ seed: Tensor? = nil, retainGraph: Bool = false) {
    guard let root = node else { return }
    let start: Tensor
    if let seed {
      precondition(seed.shape == shape, "backward seed of shape \(seed.shape) for shape \(shape)")
      start = seed.detached
    } else {
      precondition(count == 1, "backward() without a seed needs one element, not shape \(shape)")
      start = Tensor(repeating: 1, shape: shape)
    }
    let pass = backwardPasses.add(1, ordering: .relaxed).newValue
    // Reverse topological order by an iterative depth-first search.
    var order: [GradNode<Scalar>] = []
    var stack: [(GradNode<Scalar>, Bool)] = [(root, false)]
    while let (current, expanded) = stack.popLast() {
      if expanded {
        order.append(current)
        continue
      }
      guard current.visited != pass else { continue }
      current.visited = pass
      stack.append((current, true))
      for case let input? in current.inputs where input.visited != pass {
        stack.append((input, false))
      }
    }
    // A parameter read several times in the forward pass has several leaves: its hook runs
    // after the last of them has added its gradient.
    var hookedLeaves: [ObjectIdentifier: Int] = [:]
    for node in order where node.isLeaf && node.parameter?.postAccumulateGradHook != nil {
      hookedLeaves[ObjectIdentifier(node.parameter!), default: 0] += 1
    }
    root.receive(start)
    for current in order.reversed() {
      guard let grad = current.pending else { continue }
      current.pending = nil
      if current.isLeaf {
        if let parameter = current.parameter {
          parameter.accumulateGrad(grad)
          if let hook = parameter.postAccumulateGradHook {
            let remaining = hookedLeaves[ObjectIdentifier(parameter), default: 1] - 1
            hookedLeaves[ObjectIdentifier(parameter)] = remaining
            if remaining == 0 { hook(parameter) }
          }
        } else if current.leafGradient == nil {
          current.leafGradient = grad.detached
        } else {
          current.leafGradient!.accumulate(grad)
        }
        continue
      }
      guard let pullback = current.pullback else { continue }
      var bits: UInt64 = 0
      for (index, input) in current.inputs.enumerated() where input != nil && index < 64 {
        bits |= 1 << UInt64(index)
      }
      let inputGrads = pullback(grad, GradientNeeds(bits: bits))
      if !retainGraph { current.pullback = nil }
      for (input, inputGrad) in zip(current.inputs, inputGrads) {
        guard let input, let inputGrad else { continue }
        input.receive(inputGrad)
      }
    }
  }

  /// Adds a constant of the same shape into this tensor's values, in place when its storage is
  /// not shared (how gradients accumulate).
  mutating func accumulate(_ other: Tensor) {
    precondition(
      shape == other.shape, "accumulating gradient of shape \(other.shape) into \(shape)")
    let keep = node
    makeUniqueAndContiguous()
    let current = self
    Kernels.zip(.add, current, other, into: &self)
    node = keep
  }
}
