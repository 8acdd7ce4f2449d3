// The in-place operations keep PyTorch's names (`add_`, `mul_`, ...), underscore included.
extension Tensor {
  /// Applies `function(self, other)` into this tensor's own elements (copying its storage first
  /// only when another tensor shares it).
  private mutating func updateInPlace(
    _ function: BinaryFunction<Scalar>, _ other: Tensor, op: String
  ) {
    precondition(
      node == nil || !GradMode.isEnabled,
      "\(op) in place on a tensor that requires grad (use withNoGrad, or the out-of-place op)")
    precondition(
      Broadcast.shape(shape, other.shape) == shape,
      "\(op): shape \(other.shape) does not broadcast to \(shape)")
    makeUniqueAndContiguous()
    let current = self
    Kernels.zip(function, current, other, into: &self)
  }

  /// Applies `function` to this tensor's own elements.
  private mutating func mapInPlace(_ function: UnaryFunction<Scalar>, op: String) {
    precondition(
      node == nil || !GradMode.isEnabled,
      "\(op) in place on a tensor that requires grad (use withNoGrad, or the out-of-place op)")
    makeUniqueAndContiguous()
    let current = self
    Kernels.map(function, current, into: &self)
  }

  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// `self += alpha * other` in place (broadcasting `other`), like `add_`.
  public mutating func add_(_ other: Tensor, alpha: Scalar = 1) {
    updateInPlace(alpha == 1 ? .add : .addScaled(alpha), other, op: "add_")
  }

  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// `self -= alpha * other` in place, like `sub_`.
  public mutating func sub_(_ other: Tensor, alpha: Scalar = 1) {
    updateInPlace(alpha == 1 ? .subtract : .addScaled(-alpha), other, op: "sub_")
  }

  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// `self *= other` in place, like `mul_`.
  public mutating func mul_(_ other: Tensor) { updateInPlace(.multiply, other, op: "mul_") }

  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// `self /= other` in place, like `div_`.
  public mutating func div_(_ other: Tensor) { updateInPlace(.divide, other, op: "div_") }

  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// `self *= scalar` in place, like `mul_(scalar)`.
  public mutating func mul_(_ scalar: Scalar) { mapInPlace(.affine(scalar, 0), op: "mul_") }

  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// `self += scalar` in place, like `add_(scalar)`.
  public mutating func add_(_ scalar: Scalar) { mapInPlace(.affine(1, scalar), op: "add_") }

  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// Every element limited to `min...max` in place, like `clamp_`.
  public mutating func clamp_(min lower: Scalar? = nil, max upper: Scalar? = nil) {
    mapInPlace(.clamp(lower ?? -.infinity, upper ?? .infinity), op: "clamp_")
  }

  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// Every element set to `value`, like `fill_`.
  public mutating func fill_(_ value: Scalar) { copy_(Tensor(value)) }

  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// Every element set to zero, like `zero_`.
  public mutating func zero_() { fill_(0) }

  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// The elements of `source` (broadcast to this shape) copied in, like `copy_`.
  public mutating func copy_(_ source: Tensor) {
    precondition(
      node == nil || !GradMode.isEnabled, "copy_ in place on a tensor that requires grad")
    precondition(
      Broadcast.shape(shape, source.shape) == shape,
      "copy_: shape \(source.shape) does not broadcast to \(shape)")
    makeUniqueAndContiguous()
    Kernels.map(.identity, source, into: &self)
  }
}
