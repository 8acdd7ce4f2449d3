@_exported import DescentTensor

/// A building block of a network, like `torch.nn.Module`.
///
/// A module is a class with a `forward` method. Its parameters and submodules are its stored
/// properties, found by reflection in declaration order, so a network is a few lines:
/// ```swift
/// final class SimpleNet: Module {
///   let fc1 = Linear<Float>(10, 100)
///   let fc2 = Linear<Float>(100, 5)
///   func forward(_ x: Tensor<Float>) -> Tensor<Float> { fc2(fc1(x).relu()) }
/// }
/// ```
/// Parameters get dotted names from the property path (`fc1.weight`); arrays of modules are
/// numbered (`layers.0.weight`), and a leading underscore in a property's name is dropped.
public protocol Module<Scalar>: AnyObject, CustomStringConvertible {
  /// The element type of the module's tensors.
  associatedtype Scalar: TensorScalar

  /// Computes the module's output for `input`.
  func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar>

  /// What the module prints inside its parentheses, e.g. `in_features=5, out_features=1, bias=True`.
  var extraDescription: String { get }

  /// The direct submodules and parameters with their names; found by reflection unless a module
  /// says otherwise (``Sequential`` names its layers 0, 1, …).
  func namedMembers() -> [(name: String, member: ModuleMember<Scalar>)]
}

extension Module {
  /// Calls ``forward(_:)``.
  public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { forward(input) }

  /// Nothing extra by default.
  public var extraDescription: String { "" }

  /// The direct submodules and parameters, in declaration order, with their names.
  public func namedMembers() -> [(name: String, member: ModuleMember<Scalar>)] {
    var members: [(String, ModuleMember<Scalar>)] = []
    var mirror: Mirror? = Mirror(reflecting: self)
    var levels: [[(String, ModuleMember<Scalar>)]] = []
    while let current = mirror {
      var level: [(String, ModuleMember<Scalar>)] = []
      for child in current.children {
        guard var name = child.label else { continue }
        if name.hasPrefix("_") { name.removeFirst() }
        if name.hasPrefix("$__lazy_storage_$_") { continue }
        level.append(contentsOf: ModuleMember<Scalar>.members(named: name, in: child.value))
      }
      levels.append(level)
      mirror = current.superclassMirror
    }
    // Superclass properties come first, as they are declared first.
    for level in levels.reversed() { members.append(contentsOf: level) }
    return members
  }

  /// Every parameter of this module and its submodules, with dotted names, in declaration order.
  public func namedParameters() -> [(name: String, parameter: Parameter<Scalar>)] {
    var result: [(String, Parameter<Scalar>)] = []
    var seen = Set<ObjectIdentifier>()
    for (name, member) in namedMembers() {
      switch member {
      case .parameter(let parameter):
        if seen.insert(ObjectIdentifier(parameter)).inserted { result.append((name, parameter)) }
      case .module(let module):
        for (inner, parameter) in module.namedParameters()
        where seen.insert(ObjectIdentifier(parameter)).inserted {
          result.append(("\(name).\(inner)", parameter))
        }
      case .buffer: continue
      }
    }
    return result
  }

  /// Every parameter, in declaration order (shared parameters once).
  public func parameters() -> [Parameter<Scalar>] { namedParameters().map(\.parameter) }

  /// The number of scalar parameters.
  public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

  /// Clears the gradients of all parameters (to `nil` by default, as PyTorch's `set_to_none`).
  public func zeroGrad(setToNil: Bool = true) {
    for parameter in parameters() { parameter.zeroGrad(setToNil: setToNil) }
  }

  /// PyTorch's printed layout: `Name(extra)` for a leaf, and for a container
  /// ```
  /// Name(
  ///   (child): ChildDescription
  /// )
  /// ```
  public var description: String {
    let name = Self.typeName(of: self)
    let children = namedMembers().compactMap { entry -> (String, any Module<Scalar>)? in
      if case .module(let module) = entry.member { return (entry.name, module) }
      return nil
    }
    if children.isEmpty { return "\(name)(\(extraDescription))" }
    var lines = ["\(name)(" + (extraDescription.isEmpty ? "" : extraDescription)]
    for (childName, child) in children {
      let text = child.description.split(separator: "\n", omittingEmptySubsequences: false)
        .joined(separator: "\n  ")
      lines.append("  (\(childName)): \(text)")
    }
    lines.append(")")
    return lines.joined(separator: "\n")
  }

  /// The type's name without generic arguments (`Linear`, not `Linear<Float>`).
  static func typeName(of module: AnyObject) -> String {
    let full = String(describing: type(of: module))
    return String(full.prefix { $0 != "<" })
  }
}

/// A stored property of a module that matters to it: a parameter or a submodule.
public enum ModuleMember<Scalar: TensorScalar> {
  /// A trainable tensor.
  case parameter(Parameter<Scalar>)
  /// A nested module.
  case module(any Module<Scalar>)
  /// A tensor of the module's state that is not trained.
  case buffer(Buffer<Scalar>)

  /// The members found in a property's value: a parameter, a buffer, a module, an optional of
  /// any, or an array of modules or parameters (numbered).
  static func members(named name: String, in value: Any) -> [(String, ModuleMember)] {
    if let parameter = value as? Parameter<Scalar> { return [(name, .parameter(parameter))] }
    if let buffer = value as? Buffer<Scalar> { return [(name, .buffer(buffer))] }
    if let module = value as? any Module<Scalar> { return [(name, .module(module))] }
    if let modules = value as? [any Module<Scalar>] {
      return modules.enumerated().map { ("\(name).\($0.offset)", .module($0.element)) }
    }
    if let parameters = value as? [Parameter<Scalar>] {
      return parameters.enumerated().map { ("\(name).\($0.offset)", .parameter($0.element)) }
    }
    return []
  }
}
