/// An n-dimensional array of `Float` or `Double`: a view (shape, strides, offset) on a shared
/// ``TensorStorage``, with value semantics.
///
/// Reshaping, transposing, slicing and broadcasting make new views of the same storage, not
/// copies; writing through one tensor (``withUnsafeMutableBufferPointer(_:)``, `add_`, ...)
/// first copies the storage when another tensor shares it, so no other tensor changes. A tensor
/// computed from a ``Parameter`` (directly or through differentiable operations) carries a node of
/// the autograd graph, and ``backward(_:)`` on a result fills the gradients of those parameters.
public struct Tensor<Scalar: TensorScalar> {
  /// The memory this tensor is a view on.
  public private(set) var storage: TensorStorage<Scalar>
  /// The extent of each axis; `[]` for a scalar tensor.
  public private(set) var shape: [Int]
  /// How many elements of the storage one step along each axis moves (0 along a broadcast axis).
  public private(set) var strides: [Int]
  /// The storage index of the first element.
  public private(set) var offset: Int
  /// The autograd node that produced this tensor, or `nil` for a constant.
  @usableFromInline internal var node: GradNode<Scalar>?

  /// A view of `storage` with the given layout (checked by the caller).
  init(storage: TensorStorage<Scalar>, shape: [Int], strides: [Int], offset: Int) {
    self.storage = storage
    self.shape = shape
    self.strides = strides
    self.offset = offset
    self.node = nil
  }

  /// A fresh contiguous tensor of `shape` whose elements are not yet set (every kernel that makes
  /// one writes all of them).
  init(uninitializedShape shape: [Int]) {
    let count = Tensor.elementCount(shape)
    self.init(
      storage: TensorStorage(uninitializedCapacity: count), shape: shape,
      strides: Tensor.contiguousStrides(shape), offset: 0)
  }

  /// A tensor of the given shape and row-major elements.
  ///
  /// - Precondition: `scalars.count` equals the product of `shape`, and no extent is negative.
  public init(shape: [Int], scalars: [Scalar]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
    precondition(
      Tensor.elementCount(shape) == scalars.count,
      "shape \(shape) holds \(Tensor.elementCount(shape)) elements, not \(scalars.count)")
    let storage = scalars.withUnsafeBufferPointer { TensorStorage(copying: $0) }
    self.init(
      storage: storage, shape: shape, strides: Tensor.contiguousStrides(shape), offset: 0)
  }

  /// A contiguous tensor of `shape` holding a copy of `elements`.
  init(copying elements: UnsafeBufferPointer<Scalar>, shape: [Int]) {
    precondition(
      Tensor.elementCount(shape) == elements.count, "\(elements.count) elements for \(shape)")
    self.init(
      storage: TensorStorage(copying: elements), shape: shape,
      strides: Tensor.contiguousStrides(shape), offset: 0)
  }

  /// A one-dimensional tensor of the given elements.
  public init(_ scalars: [Scalar]) {
    self.init(shape: [scalars.count], scalars: scalars)
  }

  /// A two-dimensional tensor from its rows, which must all have the same length.
  public init(rows: [[Scalar]]) {
    let columns = rows.first?.count ?? 0
    precondition(rows.allSatisfy { $0.count == columns }, "rows of different lengths")
    self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
  }

  /// A scalar (rank 0) tensor.
  public init(_ scalar: Scalar) {
    self.init(
      storage: TensorStorage(repeating: scalar, capacity: 1), shape: [], strides: [], offset: 0)
  }

  /// A tensor of the given shape with every element equal to `value`.
  public init(repeating value: Scalar, shape: [Int]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
    let count = Tensor.elementCount(shape)
    self.init(
      storage: TensorStorage(repeating: value, capacity: count), shape: shape,
      strides: Tensor.contiguousStrides(shape), offset: 0)
  }

  /// A tensor of zeros of the given shape.
  public init(zeros shape: [Int]) {
    self.init(repeating: 0, shape: shape)
  }

  /// A tensor of ones of the given shape.
  public init(ones shape: [Int]) {
    self.init(repeating: 1, shape: shape)
  }

  /// The number of elements.
  public var count: Int { Tensor.elementCount(shape) }
  /// The number of axes.
  public var rank: Int { shape.count }
  /// Whether gradients flow back through this tensor (it was computed from a parameter, or from a
  /// tensor marked with ``requiringGrad(_:)``, with gradient recording on).
  public var requiresGrad: Bool { node != nil }

  /// The elements in row-major order (a copy).
  public var scalars: [Scalar] {
    withUnsafeBufferPointer { Array($0) }
  }

  /// The single element of a tensor that holds exactly one.
  public var item: Scalar {
    precondition(count == 1, "item of a tensor of shape \(shape)")
    return storage.base[offset]
  }

  /// The same values without any autograd history, like `tensor.detach()`.
  public var detached: Tensor {
    var copy = self
    copy.node = nil
    return copy
  }

  /// Whether the elements lie in the storage in row-major order without gaps (always, for a
  /// tensor without elements, as in PyTorch).
  public var isContiguous: Bool {
    if shape.contains(0) { return true }
    var expected = 1
    for axis in shape.indices.reversed() where shape[axis] != 1 {
      if strides[axis] != expected { return false }
      expected *= shape[axis]
    }
    return true
  }

  /// The same values laid out contiguously: this tensor itself when it already is, else a copy
  /// (differentiable).
  public func contiguous() -> Tensor {
    if isContiguous { return self }
    return .record(copiedValues(), self) { grad, _ in [grad] }
  }

  /// A contiguous copy of the values (no autograd).
  func copiedValues() -> Tensor {
    var out = Tensor(uninitializedShape: shape)
    Kernels.map(.identity, self, into: &out)
    return out
  }

  /// Calls `body` with the elements in row-major order, read-only (without copying them when the
  /// tensor is contiguous).
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R)
    rethrows -> R
  {
    if isContiguous {
      return try withExtendedLifetime(storage) {
        try body(UnsafeBufferPointer(start: storage.base + offset, count: count))
      }
    }
    return try copiedValues().withUnsafeBufferPointer(body)
  }

  /// Calls `body` with the elements to change them in place; the shape and autograd node stay.
  /// The storage is first made contiguous and unshared, so no other tensor sees the change.
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    makeUniqueAndContiguous()
    var buffer = UnsafeMutableBufferPointer(start: storage.base + offset, count: count)
    return try withExtendedLifetime(storage) { try body(&buffer) }
  }

  /// Makes this tensor the only user of a contiguous storage, copying when needed.
  mutating func makeUniqueAndContiguous() {
    if !isKnownUniquelyReferenced(&storage) || !isContiguous {
      let node = self.node
      self = copiedValues()
      self.node = node
    }
  }

  /// Replaces the elements by `newScalars`, keeping shape and autograd node.
  ///
  /// - Precondition: `newScalars.count == count`.
  public mutating func assign(_ newScalars: [Scalar]) {
    precondition(
      newScalars.count == count, "assigning \(newScalars.count) elements to shape \(shape)")
    withUnsafeMutableBufferPointer { target in
      newScalars.withUnsafeBufferPointer { _ = target.update(fromContentsOf: $0) }
    }
  }

  /// The same elements converted to another scalar type (a constant, without autograd history).
  public func converted<Other: TensorScalar>(to _: Other.Type = Other.self) -> Tensor<Other> {
    Tensor<Other>(shape: shape, scalars: scalars.map { Other($0) })
  }

  /// The product of the extents.
  static func elementCount(_ shape: [Int]) -> Int {
    var count = 1
    for extent in shape { count *= extent }
    return count
  }

  /// Row-major strides of `shape`.
  static func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var running = 1
    for axis in shape.indices.reversed() {
      strides[axis] = running
      running *= Swift.max(shape[axis], 1)
    }
    return strides
  }
}

extension Tensor: Equatable {
  /// Two tensors are equal when their shapes and elements are; layout and autograd history are
  /// ignored.
  public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
    lhs.shape == rhs.shape && lhs.scalars == rhs.scalars
  }
}

extension Tensor: Codable {
  private enum CodingKeys: String, CodingKey { case shape, data }

  /// Decodes `{"shape": [...], "data": [...]}` and checks that the two agree.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let shape = try container.decode([Int].self, forKey: .shape)
    let data = try container.decode([Scalar].self, forKey: .data)
    var product = 1
    var overflow = false
    for extent in shape where !overflow {
      (product, overflow) = product.multipliedReportingOverflow(by: extent)
    }
    guard shape.allSatisfy({ $0 >= 0 }), !overflow, product == data.count else {
      throw DecodingError.dataCorruptedError(
        forKey: .data, in: container,
        debugDescription: "shape \(shape) does not hold \(data.count) elements")
    }
    self.init(shape: shape, scalars: data)
  }

  /// Encodes the shape and the row-major elements.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(shape, forKey: .shape)
    try container.encode(scalars, forKey: .data)
  }
}
