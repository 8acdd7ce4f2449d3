/// A dense, row-major, n-dimensional array of `Float` or `Double` with value semantics.
///
/// Storage is a Swift array, so copies are cheap and copy-on-write. A tensor that was computed
/// from a ``Parameter`` (directly or through differentiable operations) carries a node of the
/// autograd graph, and ``backward(_:)`` on a result fills the gradients of those parameters.
public struct Tensor<Scalar: TensorScalar> {
  /// The extent of each axis; `[]` for a scalar tensor.
  public private(set) var shape: [Int]
  /// The elements in row-major order.
  public private(set) var scalars: [Scalar]
  /// The autograd node that produced this tensor, or `nil` for a constant.
  @usableFromInline internal var node: GradNode<Scalar>?

  /// A tensor of the given shape and row-major elements.
  ///
  /// - Precondition: `scalars.count` equals the product of `shape`, and no extent is negative.
  public init(shape: [Int], scalars: [Scalar]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
    precondition(
      shape.reduce(1, *) == scalars.count,
      "shape \(shape) holds \(shape.reduce(1, *)) elements, not \(scalars.count)")
    self.shape = shape
    self.scalars = scalars
    self.node = nil
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
    self.init(shape: [], scalars: [scalar])
  }

  /// A tensor of the given shape with every element equal to `value`.
  public init(repeating value: Scalar, shape: [Int]) {
    self.init(shape: shape, scalars: Array(repeating: value, count: shape.reduce(1, *)))
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
  public var count: Int { scalars.count }
  /// The number of axes.
  public var rank: Int { shape.count }
  /// Whether gradients flow back through this tensor.
  public var requiresGrad: Bool { node != nil }

  /// The single element of a tensor that holds exactly one.
  public var item: Scalar {
    precondition(count == 1, "item of a tensor of shape \(shape)")
    return scalars[0]
  }

  /// The same values without any autograd history.
  public var detached: Tensor {
    var copy = self
    copy.node = nil
    return copy
  }

  /// Calls `body` with the elements, read-only.
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R)
    rethrows -> R
  {
    try scalars.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with the elements to change them in place; the shape and autograd node stay.
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try scalars.withUnsafeMutableBufferPointer(body)
  }

  /// Replaces the elements by `newScalars`, keeping shape and autograd node.
  ///
  /// - Precondition: `newScalars.count == count`.
  public mutating func assign(_ newScalars: [Scalar]) {
    precondition(
      newScalars.count == count, "assigning \(newScalars.count) elements to shape \(shape)")
    scalars = newScalars
  }

  /// The same elements converted to another scalar type (a constant, without autograd history).
  public func converted<Other: TensorScalar>(to _: Other.Type = Other.self) -> Tensor<Other> {
    Tensor<Other>(shape: shape, scalars: scalars.map { Other($0) })
  }
}

extension Tensor: Equatable {
  /// Two tensors are equal when their shapes and elements are; autograd history is ignored.
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
    guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == data.count else {
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

extension Tensor: CustomStringConvertible {
  /// A short description in PyTorch's spirit: `tensor([1.0, 2.0], shape: [2])`.
  public var description: String {
    let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
    let more = count > 8 ? ", ..." : ""
    return "tensor([\(shown)\(more)], shape: \(shape)\(requiresGrad ? ", requiresGrad" : ""))"
  }
}
