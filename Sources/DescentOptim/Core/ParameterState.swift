import DescentTensor

/// One parameter's optimizer state: its step count, named buffers of the parameter's size, and
/// named scalars (ASGD's `eta` and `mu`, NAdam's `mu_product`). Buffer and scalar names are
/// PyTorch's state keys (`exp_avg`, `momentum_buffer`, ...).
///
/// The buffers live back to back in one array, so an update runs over a single allocation; with
/// an ``encoding`` other than `.plain` they live encoded in ``packed`` (and ``absmax``) instead,
/// and ``buffer(_:)`` decodes them.
public struct ParameterState<Scalar: LaneScalar>: Equatable, Sendable {
  /// The number of steps taken with a gradient.
  public var step: Int
  /// The number of elements of each buffer (the parameter's count).
  public let count: Int
  /// The buffers' names, in storage order.
  public internal(set) var bufferNames: [String]
  /// The buffers, back to back in the order of ``bufferNames`` (empty when encoded).
  public internal(set) var storage: [Scalar]
  /// How the buffers are stored.
  public internal(set) var encoding: StateEncoding = .plain
  /// The encoded buffers, back to back: two bytes (bfloat16) or one byte (8-bit code) per
  /// element.
  public internal(set) var packed: [UInt8] = []
  /// For 8-bit buffers: each buffer's largest magnitude per block of
  /// ``BlockwiseQuantization/blockSize`` elements, buffer after buffer.
  public internal(set) var absmax: [Float] = []
  /// Named scalar state, by name.
  public var scalars: [String: Double] {
    get { Dictionary(uniqueKeysWithValues: zip(scalarNames, scalarValues)) }
    set {
      let sorted = newValue.sorted { $0.key < $1.key }
      scalarNames = sorted.map(\.key)
      scalarValues = sorted.map(\.value)
    }
  }
  /// The scalars' names, sorted (a step reads and writes one or two of them per parameter, so
  /// they are two small arrays rather than a hashed dictionary).
  private var scalarNames: [String] = []
  /// The scalars' values, in the order of `scalarNames`.
  private var scalarValues: [Double] = []

  /// A state at step 0 with the given buffers, each filled with its value, stored as
  /// `encoding` says (an 8-bit buffer starts at zero whatever its fill).
  public init(
    count: Int, buffers: [(name: String, fill: Scalar)] = [], scalars: [String: Double] = [:],
    encoding: StateEncoding = .plain
  ) {
    self.step = 0
    self.count = count
    self.bufferNames = buffers.map(\.name)
    self.encoding = encoding
    if encoding == .plain {
      self.storage = buffers.flatMap { Array(repeating: $0.fill, count: count) }
    } else {
      self.storage = []
      setEncodedBuffers(
        buffers.map { (name: $0.name, values: Array(repeating: $0.fill, count: count)) })
    }
    self.scalars = scalars
  }

  /// The scalar `name`, or `nil` when there is none; setting adds it or replaces its value
  /// (setting `nil` removes it).
  public subscript(scalar name: String) -> Double? {
    get { scalarNames.firstIndex(of: name).map { scalarValues[$0] } }
    set {
      if let index = scalarNames.firstIndex(of: name) {
        if let newValue {
          scalarValues[index] = newValue
        } else {
          scalarNames.remove(at: index)
          scalarValues.remove(at: index)
        }
      } else if let newValue {
        let index = scalarNames.firstIndex { $0 > name } ?? scalarNames.count
        scalarNames.insert(name, at: index)
        scalarValues.insert(newValue, at: index)
      }
    }
  }

  /// Whether a buffer named `name` exists.
  public func hasBuffer(_ name: String) -> Bool { bufferNames.contains(name) }

  /// The elements of buffer `name`, or `nil` when there is none.
  public func buffer(_ name: String) -> [Scalar]? {
    guard let index = bufferNames.firstIndex(of: name) else { return nil }
    if encoding != .plain { return decodedBuffer(index) }
    return Array(storage[index * count..<(index + 1) * count])
  }

  /// Adds buffer `name` filled with `fill` unless it exists (plain state only).
  public mutating func addBuffer(_ name: String, fill: Scalar) {
    guard !hasBuffer(name) else { return }
    precondition(encoding == .plain, "buffers are added to plain state only")
    bufferNames.append(name)
    storage.append(contentsOf: repeatElement(fill, count: count))
  }

  /// Replaces the buffers (used when loading a state dict), encoding them as ``encoding`` says.
  mutating func setBuffers(_ buffers: [(name: String, values: [Scalar])]) {
    bufferNames = buffers.map(\.name)
    if encoding == .plain {
      storage = buffers.flatMap(\.values)
    } else {
      setEncodedBuffers(buffers)
    }
  }
}
