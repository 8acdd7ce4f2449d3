/// The rectified linear unit as a module, `max(x, 0)`.
public final class ReLU<Scalar: TensorScalar>: Module {
  /// A ReLU layer.
  public init() {}
  /// `input.relu()`.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input.relu() }
}

/// The logistic sigmoid as a module.
public final class Sigmoid<Scalar: TensorScalar>: Module {
  /// A sigmoid layer.
  public init() {}
  /// `input.sigmoid()`.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input.sigmoid() }
}

/// The hyperbolic tangent as a module.
public final class Tanh<Scalar: TensorScalar>: Module {
  /// A tanh layer.
  public init() {}
  /// `input.tanh()`.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input.tanh() }
}

/// Modules applied one after another, like `torch.nn.Sequential`; children are named 0, 1, ….
public final class Sequential<Scalar: TensorScalar>: Module {
  /// The layers, in order.
  public let layers: [any Module<Scalar>]

  /// A chain of `layers`.
  public init(_ layers: [any Module<Scalar>]) { self.layers = layers }

  /// A chain of `layers`.
  public convenience init(_ layers: any Module<Scalar>...) { self.init(layers) }

  /// Feeds `input` through every layer in turn.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    layers.reduce(input) { $1.forward($0) }
  }

  /// Sequential's children are its layers, named by position.
  public func namedMembers() -> [(name: String, member: ModuleMember<Scalar>)] {
    layers.enumerated().map { ("\($0.offset)", .module($0.element)) }
  }
}
