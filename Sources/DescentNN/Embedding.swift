/// Why indices given as a tensor cannot select rows of an ``Embedding``.
public enum EmbeddingIndexError: Error, Equatable, CustomStringConvertible {
  /// The element at `position` (row-major) is not a whole number.
  case notWhole(position: Int, value: Double)
  /// The element at `position` is a whole number outside `0..<count`.
  case outOfRange(position: Int, value: Double, count: Int)

  /// A sentence naming the element.
  public var description: String {
    switch self {
    case .notWhole(let position, let value):
      return "index \(value) at position \(position) is not a whole number"
    case .outOfRange(let position, let value, let count):
      let index = abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
      return "index \(index) at position \(position) is outside 0..<\(count)"
    }
  }
}

/// A lookup table of learnable rows, like `torch.nn.Embedding`: index `i` selects row `i` of the
/// `[numEmbeddings, embeddingDim]` weight, so indices of shape `S` give `S + [embeddingDim]`.
///
/// The weight starts standard normal (PyTorch's default), with the padding row, if any, zero;
/// the padding row receives no gradient. The gradient of the weight adds up the incoming
/// gradient's rows at the rows they were taken from.
public final class Embedding<Scalar: TensorScalar>: Module {
  /// The number of rows.
  public let numEmbeddings: Int
  /// The length of each row.
  public let embeddingDim: Int
  /// The row that stands for padding (never updated by gradients), in `0..<numEmbeddings`.
  public let paddingIdx: Int?
  /// The table, `[numEmbeddings, embeddingDim]`.
  public let weight: Parameter<Scalar>

  /// A table of `numEmbeddings` rows of `embeddingDim` values drawn from `generator`.
  /// A negative `paddingIdx` counts from the end, as in PyTorch.
  ///
  /// - Precondition: both sizes positive; `paddingIdx` in `-numEmbeddings..<numEmbeddings`.
  public convenience init(
    numEmbeddings: Int, embeddingDim: Int, paddingIdx: Int? = nil,
    generator: inout SeededGenerator
  ) {
    Embedding.checkArguments(numEmbeddings, embeddingDim, paddingIdx)
    let weight = Tensor<Scalar>(normal: [numEmbeddings, embeddingDim], generator: &generator)
    self.init(weight: weight, paddingIdx: paddingIdx)
  }

  /// A table whose values are drawn from the global generator (see
  /// ``GlobalGenerator/manualSeed(_:)``).
  ///
  /// - Precondition: both sizes positive; `paddingIdx` in `-numEmbeddings..<numEmbeddings`.
  public convenience init(numEmbeddings: Int, embeddingDim: Int, paddingIdx: Int? = nil) {
    Embedding.checkArguments(numEmbeddings, embeddingDim, paddingIdx)
    let weight = GlobalGenerator.withGenerator { generator in
      Tensor<Scalar>(normal: [numEmbeddings, embeddingDim], generator: &generator)
    }
    self.init(weight: weight, paddingIdx: paddingIdx)
  }

  /// A table holding `weight` (`[numEmbeddings, embeddingDim]`) except for the padding row,
  /// which is set to zero.
  ///
  /// - Precondition: `weight` is 2-D and not empty; `paddingIdx` in
  ///   `-numEmbeddings..<numEmbeddings`.
  public init(weight: Tensor<Scalar>, paddingIdx: Int? = nil) {
    precondition(weight.rank == 2, "Embedding: expected a 2-D weight, got shape \(weight.shape)")
    let (rows, columns) = (weight.shape[0], weight.shape[1])
    Embedding.checkArguments(rows, columns, paddingIdx)
    numEmbeddings = rows
    embeddingDim = columns
    let padding = paddingIdx.map { $0 < 0 ? $0 + rows : $0 }
    self.paddingIdx = padding
    var table = weight.detached
    if let padding {
      table.withUnsafeMutableBufferPointer { values in
        for column in 0..<columns { values[padding * columns + column] = 0 }
      }
    }
    self.weight = Parameter(table)
  }

  /// Stops with a message naming the argument unless the sizes and padding index are valid.
  private static func checkArguments(_ rows: Int, _ columns: Int, _ paddingIdx: Int?) {
    precondition(rows > 0, "Embedding: num_embeddings must be positive, not \(rows)")
    precondition(columns > 0, "Embedding: embedding_dim must be positive, not \(columns)")
    if let paddingIdx {
      precondition(
        paddingIdx >= -rows && paddingIdx < rows,
        "Embedding: padding_idx \(paddingIdx) must be within num_embeddings (\(rows))")
    }
  }

  /// The indices held by `input` (whole numbers, as PyTorch's integer index tensors), checked
  /// against the table: use this on indices from outside input before ``forward(_:)``.
  ///
  /// - Throws: ``EmbeddingIndexError`` for the first fractional or out-of-range element.
  public func indices(of input: Tensor<Scalar>) throws(EmbeddingIndexError) -> [Int] {
    var result: [Int] = []
    result.reserveCapacity(input.count)
    for (position, value) in input.scalars.enumerated() {
      guard value.isFinite, value == value.rounded() else {
        throw .notWhole(position: position, value: Double(value))
      }
      guard value >= 0, value < Scalar(numEmbeddings) else {
        throw .outOfRange(position: position, value: Double(value), count: numEmbeddings)
      }
      result.append(Int(value))
    }
    return result
  }

  /// The rows at the indices held by `indices` (whole numbers in `0..<numEmbeddings`), of shape
  /// `indices.shape + [embeddingDim]`.
  ///
  /// - Precondition: every element is a whole number in range (see ``indices(of:)``).
  public func forward(_ indices: Tensor<Scalar>) -> Tensor<Scalar> {
    do {
      return forward(indices: try self.indices(of: indices), shape: indices.shape)
    } catch {
      preconditionFailure("Embedding(\(extraDescription)): \(error)")
    }
  }

  /// The rows at `indices`, arranged in `shape` (by default one axis), giving
  /// `shape + [embeddingDim]`.
  ///
  /// - Precondition: every index is in `0..<numEmbeddings`; `shape` holds `indices.count`
  ///   elements.
  public func forward(indices: [Int], shape: [Int]? = nil) -> Tensor<Scalar> {
    let shape = shape ?? [indices.count]
    precondition(
      shape.reduce(1, *) == indices.count,
      "Embedding: \(indices.count) indices do not fill the shape \(shape)")
    if let bad = indices.firstIndex(where: { $0 < 0 || $0 >= numEmbeddings }) {
      let error = EmbeddingIndexError.outOfRange(
        position: bad, value: Double(indices[bad]), count: numEmbeddings)
      preconditionFailure("Embedding(\(extraDescription)): \(error)")
    }
    return weight.value.embedding(indices: indices, shape: shape, paddingIndex: paddingIdx)
  }

  /// PyTorch's `10, 4` or `8, 3, padding_idx=0`.
  public var extraDescription: String {
    "\(numEmbeddings), \(embeddingDim)" + (paddingIdx.map { ", padding_idx=\($0)" } ?? "")
  }
}
