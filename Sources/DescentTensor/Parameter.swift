/// A trainable tensor: its value, and the gradient that ``Tensor/backward(_:)`` accumulates into it.
///
/// A parameter is a reference type, as in PyTorch: a model and its optimizer share it. Its
/// ``value`` is a leaf of the autograd graph, so any tensor computed from it can back-propagate.
///
/// A parameter owns its elements until it joins a ``ParameterArena``; from then on its value and
/// gradient live in the arena's contiguous buffers, and every property below reads and writes
/// there. Either way a tensor read from ``value`` or ``grad`` is a copy: later steps do not change
/// it.
public final class Parameter<Scalar: TensorScalar> {
  /// The shape of the value.
  public let shape: [Int]
  /// The number of elements.
  public let count: Int
  // The three stored properties below skip the run-time exclusivity check: an optimizer step
  // reads them for every parameter, where the checks cost more than the rest of the bookkeeping.
  // Their accesses never overlap: each is read or written within one method of this class.

  /// The value while the parameter owns it (a contiguous tensor without history; empty once the
  /// parameter is in an arena). Forward passes share its storage; a step writes in place when
  /// nothing else holds it, else on a copy.
  @exclusivity(unchecked) private var ownedValue: Tensor<Scalar>
  /// The gradient while the parameter owns it.
  @exclusivity(unchecked) private var ownedGrad: Tensor<Scalar>?
  /// Where the value and gradient live once the parameter is in an arena.
  @exclusivity(unchecked) private(set) var placement: ArenaPlacement<Scalar>?

  /// A parameter holding `value` (its autograd history, if any, is dropped).
  public init(_ value: Tensor<Scalar>) {
    shape = value.shape
    count = value.count
    ownedValue = value.detached.contiguous()
    ownedGrad = nil
    placement = nil
  }

  /// A parameter of `shape` whose value and gradient live at `placement` from the start.
  init(shape: [Int], placement: ArenaPlacement<Scalar>) {
    self.shape = shape
    count = shape.reduce(1, *)
    ownedValue = Tensor(zeros: [0])
    ownedGrad = nil
    self.placement = placement
  }

  /// The current value, a leaf of the autograd graph; assigning a new tensor keeps it a leaf of
  /// this parameter.
  ///
  /// - Precondition: a new value has the parameter's shape.
  public var value: Tensor<Scalar> {
    get {
      var tensor =
        placement.map { Tensor(copying: UnsafeBufferPointer($0.values), shape: shape) }
        ?? ownedValue
      tensor.node = GradNode(leafOf: self)
      return tensor
    }
    set {
      precondition(
        newValue.shape == shape,
        "parameter of shape \(shape) assigned a tensor of shape \(newValue.shape)")
      if let placement {
        newValue.withUnsafeBufferPointer { _ = placement.values.update(fromContentsOf: $0) }
      } else {
        ownedValue = newValue.detached.contiguous()
      }
    }
  }

  /// The accumulated gradient, or `nil` when none has been computed since the last reset.
  ///
  /// - Precondition: in an arena, a new gradient has the parameter's number of elements.
  public var grad: Tensor<Scalar>? {
    get {
      guard let placement else { return ownedGrad }
      return placement.gradient.map { Tensor(copying: UnsafeBufferPointer($0), shape: shape) }
    }
    set {
      if let placement {
        placement.setGradient(newValue)
      } else {
        ownedGrad = newValue?.detached.contiguous()
      }
    }
    _modify {
      if placement == nil {
        // A stored gradient carries no autograd history (which could lead back to this
        // parameter and keep it alive).
        defer {
          ownedGrad?.node = nil
          if let stored = ownedGrad, !stored.isContiguous { ownedGrad = stored.contiguous() }
        }
        yield &ownedGrad
      } else {
        var gradient = grad
        yield &gradient
        grad = gradient
      }
    }
  }

  /// Called by ``Tensor/backward(_:retainGraph:)`` right after it has added this parameter's
  /// gradient of the pass into ``grad`` (PyTorch's `register_post_accumulate_grad_hook`): the
  /// gradient is then final for that pass. Data parallelism uses it to start combining gradients
  /// across processes while the rest of the backward pass still runs.
  public var postAccumulateGradHook: ((Parameter<Scalar>) -> Void)?

  /// Whether the value and gradient live in a ``ParameterArena`` (as a member or as its flat
  /// parameter).
  public var isInArena: Bool { placement != nil }

  /// The identity of the arena holding the value and gradient, or `nil` for a parameter that
  /// owns them; parameters of one arena share it.
  public var arenaIdentity: ObjectIdentifier? { placement.map { ObjectIdentifier($0.storage) } }

  /// Whether this is an arena's flat parameter (whose elements are all of its members').
  public var isArenaFlat: Bool { placement != nil && placement?.member == nil }

  /// Whether a gradient is present, without copying it.
  public var hasGradient: Bool {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    get {
      placement?.hasGradient ?? (ownedGrad != nil)
    }
  }

  /// Calls `body` with the value's elements, read-only and without copying them.
  public func withUnsafeValues<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
    if let placement { return try body(UnsafeBufferPointer(placement.values)) }
    return try ownedValue.withUnsafeBufferPointer { try body($0) }
  }

  /// Calls `body` with the value's elements to change them in place, as an optimizer step does.
  public func withUnsafeMutableValues<R>(_ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R)
    rethrows -> R
  {
    if let placement { return try body(placement.values) }
    return try ownedValue.withUnsafeMutableBufferPointer { try body($0) }
  }

  /// Calls `body` with the gradient's elements to change them in place (a fused backward pass
  /// writes them so); returns `nil` without calling it when there is no gradient.
  public func withUnsafeMutableGradient<R>(
    _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R? {
    if let placement {
      guard let gradient = placement.gradient else { return nil }
      return try body(gradient)
    }
    guard ownedGrad != nil else { return nil }
    return try ownedGrad!.withUnsafeMutableBufferPointer { try body($0) }
  }

  /// What an optimizer step needs, without copying a tensor: the value's elements (made
  /// uniquely referenced, so writes change this parameter only), the gradient's, and their count;
  /// `nil` without a gradient.
  ///
  /// The pointers stay valid while the parameter keeps this value and gradient storage: until
  /// either is replaced, reassigned or copied on write. An optimizer uses them within one step.
  ///
  /// - Precondition: the gradient has the value's number of elements.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func stepBuffers() -> (
    value: UnsafeMutablePointer<Scalar>, gradient: UnsafePointer<Scalar>, count: Int
  )? {
    let value: UnsafeMutableBufferPointer<Scalar>
    let gradient: UnsafeBufferPointer<Scalar>
    if let placement {
      guard let inArena = placement.gradient else { return nil }
      value = placement.values
      gradient = UnsafeBufferPointer(inArena)
    } else {
      guard ownedGrad != nil else { return nil }
      gradient = ownedGrad!.withUnsafeBufferPointer { $0 }
      value = ownedValue.withUnsafeMutableBufferPointer { $0 }
    }
    precondition(
      gradient.count == value.count,
      "gradient of \(gradient.count) elements for a parameter of \(value.count)")
    guard let valueBase = value.baseAddress, let gradientBase = gradient.baseAddress else {
      return nil
    }
    return (valueBase, gradientBase, value.count)
  }

  /// Clears the gradient: sets it to `nil` (PyTorch's default, `set_to_none=True`) or to zeros.
  public func zeroGrad(setToNil: Bool = true) {
    if let placement {
      placement.clearGradient(setToNil: setToNil)
    } else if setToNil {
      ownedGrad = nil
    } else if ownedGrad != nil {
      ownedGrad = Tensor(zeros: shape)
    }
  }

  /// Adds `gradient` into ``grad`` (or sets it, when there is none yet).
  ///
  /// - Precondition: `gradient` has the parameter's shape.
  public func accumulateGrad(_ gradient: Tensor<Scalar>) {
    precondition(gradient.shape == shape, "gradient of shape \(gradient.shape) for shape \(shape)")
    if let placement {
      placement.accumulateGradient(gradient)
    } else if ownedGrad != nil {
      ownedGrad!.accumulate(gradient.detached)
    } else {
      ownedGrad = gradient.detached.contiguous()
    }
  }

  /// Moves the value and gradient into `placement` (the arena's buffers are already allocated);
  /// the parameter owns nothing afterwards.
  func move(into placement: ArenaPlacement<Scalar>) {
    precondition(self.placement == nil, "a parameter can join only one arena")
    _ = ownedValue.withUnsafeBufferPointer { placement.values.update(fromContentsOf: $0) }
    placement.setGradient(ownedGrad)
    ownedValue = Tensor(zeros: [0])
    ownedGrad = nil
    self.placement = placement
  }
}

extension Parameter: CustomStringConvertible {
  /// `Parameter(shape: [...])`.
  public var description: String { "Parameter(shape: \(shape))" }
}
