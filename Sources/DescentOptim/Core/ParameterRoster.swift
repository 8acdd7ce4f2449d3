import DescentTensor

/// The parameters an optimizer has been given, to refuse one given twice, or one whose memory
/// another already covers (an arena's flat parameter beside one of its members would be
/// stepped twice).
struct ParameterRoster<Scalar: TensorScalar> {
  /// What is wrong with a parameter being added.
  enum Conflict {
    /// The same parameter is already in the roster.
    case duplicate
    /// An arena's flat parameter and one of its members would both be in the roster.
    case overlap
  }

  /// Position by parameter identity.
  private(set) var positions: [ObjectIdentifier: Int] = [:]
  /// For each arena with a parameter in the roster, whether that parameter is its flat one.
  private var arenaRoles: [ObjectIdentifier: Bool] = [:]

  /// Adds `parameter` at `position`, or says why it cannot be added (the roster is then
  /// unchanged).
  mutating func add(_ parameter: Parameter<Scalar>, at position: Int) -> Conflict? {
    let identity = ObjectIdentifier(parameter)
    guard positions[identity] == nil else { return .duplicate }
    if let arena = parameter.arenaIdentity {
      // Members of one arena may go together; its flat parameter overlaps every one of them.
      if let earlierIsFlat = arenaRoles[arena], earlierIsFlat || parameter.isArenaFlat {
        return .overlap
      }
      arenaRoles[arena] = parameter.isArenaFlat
    }
    positions[identity] = position
    return nil
  }
}
