/// Splits axis `dim` of the input into `sizes`, like `torch.nn.Unflatten` (a view): a digits row
/// of 64 features becomes a 1x8x8 image with `Unflatten(dim: 1, sizes: [1, 8, 8])`.
public final class Unflatten<Scalar: TensorScalar>: Module {
  /// The axis split (negative counts from the end).
  public let dim: Int
  /// The extents it is split into.
  public let sizes: [Int]

  /// A layer splitting axis `dim` into `sizes`.
  ///
  /// - Precondition: `sizes` is non-empty with positive extents.
  public init(dim: Int, sizes: [Int]) {
    precondition(
      !sizes.isEmpty && sizes.allSatisfy { $0 > 0 }, "Unflatten(dim: \(dim), sizes: \(sizes))")
    self.dim = dim
    self.sizes = sizes
  }

  /// The input with axis `dim` split.
  ///
  /// - Precondition: that axis's extent is the product of `sizes`.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    let axis = dim < 0 ? dim + input.rank : dim
    precondition(
      axis >= 0 && axis < input.rank && input.shape[axis] == sizes.reduce(1, *),
      "Unflatten(dim: \(dim), sizes: \(sizes)) of an input of shape \(input.shape)")
    var shape = input.shape
    shape.replaceSubrange(axis...axis, with: sizes)
    return input.reshaped(shape)
  }

  /// `dim=…, unflattened_size=(…)`, as PyTorch prints it.
  public var extraDescription: String {
    "dim=\(dim), unflattened_size=(\(sizes.map(String.init).joined(separator: ", "))\(sizes.count == 1 ? "," : ""))"
  }
}
