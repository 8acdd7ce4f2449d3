/// The memory of a ``ParameterArena``: every member's value back to back in one allocation, their
/// gradients likewise in another, and which members have a gradient.
///
/// A member without a gradient leaves its stretch of the gradient buffer unspecified; reading the
/// whole buffer (the arena's flat parameter does) first fills such stretches with zeros.
final class ArenaStorage<Scalar: TensorScalar> {
  /// The number of elements over all members.
  let count: Int
  /// Each member's elements within the buffers.
  let ranges: [Range<Int>]
  /// The values.
  let values: UnsafeMutableBufferPointer<Scalar>
  /// The gradients.
  let gradients: UnsafeMutableBufferPointer<Scalar>
  /// Whether each member has a gradient.
  private var hasGradient: [Bool]
  /// How many members have a gradient.
  private var gradientCount = 0

  /// Zero-filled buffers for members of the given element counts.
  init(counts: [Int]) {
    var ranges: [Range<Int>] = []
    var end = 0
    for count in counts {
      ranges.append(end..<end + count)
      end += count
    }
    self.ranges = ranges
    count = end
    values = .allocate(capacity: end)
    values.initialize(repeating: 0)
    gradients = .allocate(capacity: end)
    gradients.initialize(repeating: 0)
    hasGradient = Array(repeating: false, count: counts.count)
  }

  deinit {
    values.deallocate()
    gradients.deallocate()
  }

  /// The elements of `member`, or of every member for `nil`.
  func range(of member: Int?) -> Range<Int> {
    member.map { ranges[$0] } ?? 0..<count
  }

  /// Whether `member` has a gradient (for `nil`, whether any member has).
  func hasGradient(_ member: Int?) -> Bool {
    member.map { hasGradient[$0] } ?? (gradientCount > 0)
  }

  /// Records whether `member` (every member for `nil`) has a gradient.
  func setHasGradient(_ present: Bool, for member: Int?) {
    for index in member.map({ $0..<$0 + 1 }) ?? ranges.indices where hasGradient[index] != present {
      hasGradient[index] = present
      gradientCount += present ? 1 : -1
    }
  }

  /// Fills the gradients of the members that have none with zeros, so that the whole buffer is
  /// a gradient.
  func zeroMissingGradients() {
    guard gradientCount < ranges.count else { return }
    for (index, range) in ranges.enumerated() where !hasGradient[index] {
      UnsafeMutableBufferPointer(rebasing: gradients[range]).update(repeating: 0)
    }
  }
}

/// Where a parameter's elements live in an arena: one member's stretch, or all of it for the
/// arena's flat parameter.
struct ArenaPlacement<Scalar: TensorScalar> {
  /// The arena's memory.
  let storage: ArenaStorage<Scalar>
  /// The member's index, or `nil` for the whole arena.
  let member: Int?

  /// The values.
  var values: UnsafeMutableBufferPointer<Scalar> {
    UnsafeMutableBufferPointer(rebasing: storage.values[storage.range(of: member)])
  }

  /// Whether there is a gradient.
  var hasGradient: Bool { storage.hasGradient(member) }

  /// The gradient's elements, or `nil` when there is none (for the whole arena, members without
  /// a gradient read as zeros).
  var gradient: UnsafeMutableBufferPointer<Scalar>? {
    guard storage.hasGradient(member) else { return nil }
    if member == nil { storage.zeroMissingGradients() }
    return UnsafeMutableBufferPointer(rebasing: storage.gradients[storage.range(of: member)])
  }

  /// Replaces the gradient by a copy of `newValue`, or removes it.
  ///
  /// - Precondition: `newValue` has this placement's number of elements.
  func setGradient(_ newValue: Tensor<Scalar>?) {
    guard let newValue else {
      storage.setHasGradient(false, for: member)
      return
    }
    let target = UnsafeMutableBufferPointer(rebasing: storage.gradients[storage.range(of: member)])
    precondition(
      newValue.count == target.count,
      "gradient of \(newValue.count) elements for a parameter of \(target.count)")
    newValue.withUnsafeBufferPointer { _ = target.update(fromContentsOf: $0) }
    storage.setHasGradient(true, for: member)
  }

  /// Adds `addend` into the gradient, or sets it when there is none.
  func accumulateGradient(_ addend: Tensor<Scalar>) {
    guard let target = gradient else {
      setGradient(addend)
      return
    }
    addend.withUnsafeBufferPointer { source in
      for index in target.indices { target[index] += source[index] }
    }
    storage.setHasGradient(true, for: member)
  }

  /// Removes the gradient, or (unless `setToNil`) sets an existing one to zeros.
  func clearGradient(setToNil: Bool) {
    if setToNil {
      storage.setHasGradient(false, for: member)
    } else if let target = gradient {
      target.update(repeating: 0)
      storage.setHasGradient(true, for: member)
    }
  }
}
