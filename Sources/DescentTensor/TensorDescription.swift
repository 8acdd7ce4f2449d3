extension Tensor: CustomStringConvertible {
  /// PyTorch's printed form: nested brackets, the middle of long axes elided (`...`) beyond
  /// 1000 elements, then the shape when it is not plain from the brackets, and whether it
  /// requires a gradient:
  /// ```
  /// tensor([[1.0000, 2.0000],
  ///         [3.0000, 4.0000]])
  /// ```
  public var description: String {
    let values = scalars
    let summarize = values.count > 1000
    let finite = values.filter(\.isFinite)
    let integral = !finite.isEmpty && finite.allSatisfy { $0 == $0.rounded() }
    let largest = finite.map { Swift.abs($0) }.max() ?? 0
    let scientific = !integral && (largest >= 1e8 || (largest > 0 && largest < 1e-4))
    func format(_ value: Scalar) -> String {
      if value.isNaN { return "nan" }
      if value.isInfinite { return value > 0 ? "inf" : "-inf" }
      if integral { return "\(Int(value))." }
      if scientific { return Tensor.scientific(Double(value)) }
      return Tensor.fixed(Double(value), digits: 4)
    }
    let texts = values.map(format)
    let width = texts.map(\.count).max() ?? 0
    func padded(_ index: Int) -> String {
      String(repeating: " ", count: width - texts[index].count) + texts[index]
    }
    let strides = Tensor.contiguousStrides(shape)
    func render(axis: Int, base: Int, indent: Int) -> String {
      if axis == rank { return padded(base) }
      let extent = shape[axis]
      let shown: [Int?] =
        summarize && extent > 6 ? Array(0..<3) + [nil] + Array((extent - 3)..<extent) : Array(0..<extent)
      let parts = shown.map { index -> String in
        guard let index else { return "..." }
        return render(axis: axis + 1, base: base + index * strides[axis], indent: indent + 1)
      }
      let separator =
        axis == rank - 1
        ? ", "
        : "," + String(repeating: "\n", count: rank - axis - 1) + String(repeating: " ", count: indent + 1)
      return "[" + parts.joined(separator: separator) + "]"
    }
    let body = rank == 0 ? format(values.first ?? 0) : render(axis: 0, base: 0, indent: 7)
    var suffix = ""
    if count == 0 || summarize { suffix += ", size=\(shape)" }
    if Scalar.self == Double.self { suffix += ", dtype=torch.float64" }
    if requiresGrad { suffix += ", requires_grad=True" }
    return "tensor(" + body + suffix + ")"
  }

  /// `value` with `digits` digits after the point.
  static func fixed(_ value: Double, digits: Int) -> String {
    let scale = Double.pow(10, Double(digits))
    let rounded = (Swift.abs(value) * scale).rounded() / scale
    let whole = Int(rounded)
    let fraction = Int(((rounded - Double(whole)) * scale).rounded())
    let fractionText = String(fraction)
    let sign = value < 0 && rounded != 0 ? "-" : ""
    return sign + "\(whole)." + String(repeating: "0", count: digits - fractionText.count) + fractionText
  }

  /// `value` as PyTorch writes it in scientific notation, `1.2346e+08`.
  static func scientific(_ value: Double) -> String {
    guard value != 0 else { return "0.0000e+00" }
    var exponent = Int(Double.log10(Swift.abs(value)).rounded(.down))
    var mantissa = value / Double.pow(10, Double(exponent))
    if Swift.abs((mantissa * 1e4).rounded() / 1e4) >= 10 {
      exponent += 1
      mantissa /= 10
    }
    let sign = exponent < 0 ? "-" : "+"
    let magnitude = Swift.abs(exponent)
    return fixed(mantissa, digits: 4) + "e" + sign + (magnitude < 10 ? "0" : "") + "\(magnitude)"
  }
}
