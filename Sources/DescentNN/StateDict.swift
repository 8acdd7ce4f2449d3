import Foundation

/// Why a module's `loadStateDict(_:strict:)` refused a state dict (nothing is loaded then).
public enum StateDictError: Error, Equatable, CustomStringConvertible {
  /// Entries the module has and the state dict lacks, and entries it has that the module lacks.
  case keysDiffer(missing: [String], unexpected: [String])
  /// An entry's shape differs from the module's.
  case shapeMismatch(key: String, expected: [Int], found: [Int])
  /// An entry holds a value that is not finite, or not a whole number for an integer buffer.
  case invalidValue(key: String, reason: String)

  /// A sentence naming the entries.
  public var description: String {
    switch self {
    case .keysDiffer(let missing, let unexpected):
      var parts: [String] = []
      if !missing.isEmpty { parts.append("missing keys \(missing.joined(separator: ", "))") }
      if !unexpected.isEmpty {
        parts.append("unexpected keys \(unexpected.joined(separator: ", "))")
      }
      return "state dict does not fit the model: " + parts.joined(separator: "; ")
    case .shapeMismatch(let key, let expected, let found):
      return "state dict entry '\(key)' has shape \(found), the model's has shape \(expected)"
    case .invalidValue(let key, let reason):
      return "state dict entry '\(key)': \(reason)"
    }
  }
}

extension StateDictError: LocalizedError {
  /// The same sentence as ``description``.
  public var errorDescription: String? { description }
}

extension Module {
  /// The module's parameters and buffers by PyTorch's `state_dict()` names and in its order
  /// (`0.weight`, `1.running_mean`, `attention.in_proj_weight`, ...); the values are copies in
  /// the sense of value semantics: later training does not change them.
  public func stateDict() -> [(name: String, tensor: Tensor<Scalar>)] {
    stateEntries().compactMap { name, member in
      switch member {
      case .parameter(let parameter): return (name, parameter.value.detached)
      case .buffer(let buffer): return (name, buffer.value)
      case .module: return nil
      }
    }
  }

  /// Loads parameters and buffers by name, like `load_state_dict`. With `strict` (the default)
  /// the keys must be exactly the module's; without, missing and extra keys are skipped. Shapes
  /// must match, and integer buffers must hold whole numbers.
  ///
  /// - Throws: ``StateDictError``; nothing is loaded then.
  public func loadStateDict(_ entries: [String: Tensor<Scalar>], strict: Bool = true)
    throws(StateDictError)
  {
    let targets = stateEntries()
    let names = Set(targets.map(\.name))
    if strict {
      let missing = targets.map(\.name).filter { entries[$0] == nil }
      let unexpected = entries.keys.filter { !names.contains($0) }.sorted()
      if !missing.isEmpty || !unexpected.isEmpty {
        throw .keysDiffer(missing: missing, unexpected: unexpected)
      }
    }
    for (name, member) in targets {
      guard let tensor = entries[name] else { continue }
      let expected: [Int]
      switch member {
      case .parameter(let parameter): expected = parameter.shape
      case .buffer(let buffer):
        expected = buffer.value.shape
        if buffer.isInteger, tensor.scalars.contains(where: { $0 != $0.rounded() }) {
          throw .invalidValue(key: name, reason: "an integer buffer holds a fraction")
        }
      case .module: continue
      }
      guard tensor.shape == expected else {
        throw .shapeMismatch(key: name, expected: expected, found: tensor.shape)
      }
    }
    for (name, member) in targets {
      guard let tensor = entries[name] else { continue }
      switch member {
      case .parameter(let parameter): parameter.value = tensor
      case .buffer(let buffer): buffer.value = tensor.detached
      case .module: continue
      }
    }
  }

  /// Loads the entries of a ``stateDict()``, as PyTorch's
  /// `model.load_state_dict(other.state_dict())`: the same as loading them as a dictionary.
  ///
  /// - Throws: ``StateDictError/invalidValue(key:reason:)`` when two entries share a name, or
  ///   what the dictionary form throws; nothing is loaded then.
  public func loadStateDict(
    _ entries: [(name: String, tensor: Tensor<Scalar>)], strict: Bool = true
  ) throws(StateDictError) {
    var dictionary: [String: Tensor<Scalar>] = [:]
    for (name, tensor) in entries {
      guard dictionary.updateValue(tensor, forKey: name) == nil else {
        throw .invalidValue(key: name, reason: "the state dict holds it twice")
      }
    }
    try loadStateDict(dictionary, strict: strict)
  }
}
