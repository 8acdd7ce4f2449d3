/// Parameters whose values and gradients live back to back in two contiguous buffers, with one
/// flat parameter that covers them all, so that an optimizer steps every member in one pass.
///
/// The members stay the same objects (a model keeps using them; autograd accumulates their
/// gradients straight into the arena), and ``flat`` is one parameter of shape `[count]` whose value
/// and gradient are all of theirs in order, like PyTorch FSDP's flat parameter. Give ``flat`` to an
/// optimizer, and its state is contiguous too:
///
/// ```swift
/// let arena = try ParameterArena(model.parameters())
/// let optimizer = try Adam([arena.flat], lr: 1e-3)
/// ```
///
/// For element-wise optimizers (all but Adafactor and LBFGS's outer logic) a step of ``flat``
/// gives exactly the numbers of a step of the members, when every member has a gradient. A
/// member without a gradient counts as a zero gradient in ``flat``'s (where a per-member
/// optimizer would skip it). All members share ``flat``'s hyperparameters: make one arena per
/// parameter group.
public final class ParameterArena<Scalar: TensorScalar> {
  /// The members, in the order given.
  public let members: [Parameter<Scalar>]
  /// One parameter of shape `[count]` holding every member's value and gradient in order.
  public let flat: Parameter<Scalar>

  /// Moves the values and gradients of `parameters` into one arena.
  ///
  /// - Throws: ``ParameterArenaError`` when a parameter is given twice or is already in an arena
  ///   (nothing is moved then).
  public init(_ parameters: [Parameter<Scalar>]) throws(ParameterArenaError) {
    var seen = Set<ObjectIdentifier>()
    for (index, parameter) in parameters.enumerated() {
      guard seen.insert(ObjectIdentifier(parameter)).inserted else {
        throw .duplicateParameter(index: index)
      }
      guard parameter.placement == nil else { throw .alreadyInArena(index: index) }
    }
    let storage = ArenaStorage<Scalar>(counts: parameters.map(\.count))
    for (index, parameter) in parameters.enumerated() {
      parameter.move(into: ArenaPlacement(storage: storage, member: index))
    }
    members = parameters
    flat = Parameter(
      shape: [storage.count], placement: ArenaPlacement(storage: storage, member: nil))
  }

  /// The number of elements over all members.
  public var count: Int { flat.count }
}

/// Why a ``ParameterArena`` could not be made.
public enum ParameterArenaError: Error, Equatable, CustomStringConvertible {
  /// The parameter at `index` was given earlier in the list too.
  case duplicateParameter(index: Int)
  /// The parameter at `index` is already in an arena (or is an arena's flat parameter).
  case alreadyInArena(index: Int)

  /// A sentence saying what was wrong and where.
  public var description: String {
    switch self {
    case .duplicateParameter(let index):
      return "parameter \(index) appears twice in the arena's list"
    case .alreadyInArena(let index):
      return "parameter \(index) is already in an arena"
    }
  }
}
