/// A tensor that belongs to a module's state but is not trained, like a buffer registered with
/// `register_buffer` (BatchNorm's `running_mean`): it is in ``Module/stateDict()`` and moves with
/// the model, but no optimizer sees it.
public final class Buffer<Scalar: TensorScalar> {
  /// The current value.
  public var value: Tensor<Scalar>
  /// Whether PyTorch stores it as integers (`num_batches_tracked` is `int64`); the value holds
  /// whole numbers then.
  public let isInteger: Bool

  /// A buffer holding `value` (its autograd history is dropped).
  public init(_ value: Tensor<Scalar>, isInteger: Bool = false) {
    self.value = value.detached
    self.isInteger = isInteger
  }
}

/// A module whose forward pass depends on training or evaluation mode (dropout, batch
/// normalization), as PyTorch's `module.training`.
public protocol ModeDependent: AnyObject {
  /// `true` in training mode (the default), `false` after `eval()`.
  var isTraining: Bool { get set }
}

extension Module {
  /// Sets training mode on this module and every submodule, like `module.train(mode)`;
  /// returns the module.
  @discardableResult
  public func train(_ mode: Bool = true) -> Self {
    for (_, module) in namedModules() {
      (module as? any ModeDependent)?.isTraining = mode
    }
    return self
  }

  /// Sets evaluation mode on this module and every submodule, like `module.eval()`.
  @discardableResult
  public func eval() -> Self { train(false) }

  /// Whether the module is in training mode: its own flag when it has one, else whether all of
  /// its mode-dependent submodules are (`true` when it has none).
  public var isTraining: Bool {
    if let own = self as? any ModeDependent { return own.isTraining }
    return namedModules().allSatisfy { ($0.module as? any ModeDependent)?.isTraining ?? true }
  }

  /// This module (named `""`) and every submodule, with dotted names, depth first in declaration
  /// order, each once, like `named_modules()`.
  public func namedModules() -> [(name: String, module: any Module<Scalar>)] {
    var result: [(String, any Module<Scalar>)] = [("", self)]
    var seen: Set<ObjectIdentifier> = [ObjectIdentifier(self)]
    for (name, member) in namedMembers() {
      guard case .module(let module) = member else { continue }
      for (inner, submodule) in module.namedModules()
      where seen.insert(ObjectIdentifier(submodule)).inserted {
        result.append((inner.isEmpty ? name : "\(name).\(inner)", submodule))
      }
    }
    return result
  }

  /// Every buffer of this module and its submodules, with dotted names, like `named_buffers()`.
  public func namedBuffers() -> [(name: String, buffer: Buffer<Scalar>)] {
    stateEntries().compactMap { entry in
      if case .buffer(let buffer) = entry.member { return (entry.name, buffer) }
      return nil
    }
  }

  /// Parameters and buffers in PyTorch's `state_dict` order: a module's own parameters, then
  /// its own buffers, then each submodule's entries under its name.
  func stateEntries() -> [(name: String, member: ModuleMember<Scalar>)] {
    var own: [(String, ModuleMember<Scalar>)] = []
    var buffers: [(String, ModuleMember<Scalar>)] = []
    var children: [(String, ModuleMember<Scalar>)] = []
    for (name, member) in namedMembers() {
      switch member {
      case .parameter: own.append((name, member))
      case .buffer: buffers.append((name, member))
      case .module(let module):
        for (inner, entry) in module.stateEntries() { children.append(("\(name).\(inner)", entry)) }
      }
    }
    return own + buffers + children
  }
}
