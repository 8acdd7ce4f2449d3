/// A trainable tensor: its value, and the gradient that ``Tensor/backward(_:)`` accumulates into it.
///
/// A parameter is a reference type, as in PyTorch: a model and its optimizer share it. Its
/// ``value`` is a leaf of the autograd graph, so any tensor computed from it can back-propagate.
public final class Parameter<Scalar: TensorScalar> {
  /// The current value; assigning a new tensor keeps it a leaf of this parameter.
  ///
  /// - Precondition: a new value has the parameter's shape.
  public var value: Tensor<Scalar> {
    get { storage }
    set {
      precondition(
        newValue.shape == storage.shape,
        "parameter of shape \(storage.shape) assigned a tensor of shape \(newValue.shape)")
      storage.assign(newValue.scalars)
    }
  }
  /// The value with its leaf node; mutated in place so that steps never copy it.
  private var storage: Tensor<Scalar>
  /// The accumulated gradient, or `nil` when none has been computed since the last reset.
  public var grad: Tensor<Scalar>?

  /// A parameter holding `value` (its autograd history, if any, is dropped).
  public init(_ value: Tensor<Scalar>) {
    self.storage = value.detached
    self.grad = nil
    self.storage.attachLeaf(of: self)
  }

  /// The shape of the value.
  public var shape: [Int] { value.shape }
  /// The number of elements.
  public var count: Int { value.count }

  /// Calls `body` with the value's elements to change them in place, as an optimizer step does.
  public func withUnsafeMutableValues<R>(_ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R)
    rethrows -> R
  {
    try withStorage { tensor in try tensor.withUnsafeMutableBufferPointer { try body($0) } }
  }

  /// Whether a gradient is present, without copying it.
  public var hasGradient: Bool {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    get {
      grad != nil
    }
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
    guard let gradient = grad?.withUnsafeBufferPointer({ $0 }) else { return nil }
    let value = storage.withUnsafeMutableBufferPointer { buffer in buffer }
    precondition(
      gradient.count == value.count,
      "gradient of \(gradient.count) elements for a parameter of \(value.count)")
    guard let valueBase = value.baseAddress, let gradientBase = gradient.baseAddress else {
      return nil
    }
    return (valueBase, gradientBase, value.count)
  }

  func withStorage<R>(_ body: (inout Tensor<Scalar>) throws -> R) rethrows -> R {
    try body(&storage)
  }

  /// Clears the gradient: sets it to `nil` (PyTorch's default, `set_to_none=True`) or to zeros.
  public func zeroGrad(setToNil: Bool = true) {
    if setToNil {
      grad = nil
    } else if grad != nil {
      grad = Tensor(zeros: shape)
    }
  }

  /// Adds `gradient` into ``grad`` (or sets it, when there is none yet).
  ///
  /// - Precondition: `gradient` has the parameter's shape.
  public func accumulateGrad(_ gradient: Tensor<Scalar>) {
    precondition(gradient.shape == shape, "gradient of shape \(gradient.shape) for shape \(shape)")
    if let existing = grad {
      grad = existing.adding(gradient)
    } else {
      grad = gradient.detached
    }
  }
}

extension Parameter: CustomStringConvertible {
  /// `Parameter(shape: [...])`.
  public var description: String { "Parameter(shape: \(shape))" }
}
