import Foundation

extension Tensor: CustomStringConvertible {
  /// PyTorch's printed form (`torch/_tensor_str.py` with the default print options): nested
  /// brackets, lines wrapped at 80 columns, the middle of long axes elided (`...`) beyond 1000
  /// elements, then `size=` for an empty tensor that is not 1-D, the dtype when it is not
  /// `float32`, and whether it requires a gradient:
  /// ```
  /// tensor([[1.0000, 2.5000],
  ///         [3.0000, 4.0000]])
  /// ```
  /// The elements are all written alike: as integers with a trailing point when all are
  /// integral, else with four decimals, or in scientific notation when the nonzero finite
  /// magnitudes span more than a factor 1000, exceed 1e8 or go below 1e-4.
  public var description: String {
    let prefix = "tensor("
    var suffixes: [String] = []
    var body = "[]"
    if count == 0 {
      if rank != 1 { suffixes.append("size=" + TensorPrinter.tuple(shape)) }
    } else {
      let printer = TensorPrinter(values: scalars.map { Double($0) }, shape: shape)
      body = printer.render(indent: prefix.count)
    }
    if Scalar.dtypeName != "float32" { suffixes.append("dtype=torch.\(Scalar.dtypeName)") }
    if requiresGrad { suffixes.append("requires_grad=True") }
    return TensorPrinter.addingSuffixes(prefix + body, suffixes, indent: prefix.count)
  }
}

/// PyTorch's tensor printing (`_tensor_str.py`) for one non-empty tensor's row-major values.
private struct TensorPrinter {
  /// PyTorch's default print options.
  static let precision = 4
  static let threshold = 1000
  static let edgeItems = 3
  static let lineWidth = 80

  /// How every element is written: PyTorch's `_Formatter`.
  enum Mode {
    /// `12.`: every nonzero finite element is an integer.
    case integral
    /// `1.2500`.
    case fixed
    /// `1.2500e+08`.
    case scientific
  }

  let values: [Double]
  let shape: [Int]
  let strides: [Int]
  /// Whether the middle of long axes is elided.
  let summarize: Bool
  let mode: Mode
  /// The width every element is padded to.
  let width: Int

  init(values: [Double], shape: [Int]) {
    let strides = Tensor<Double>.contiguousStrides(shape)
    let summarize = values.count > Self.threshold
    // The format is chosen from the nonzero finite elements that are shown.
    var shown: [Double] = []
    func gather(axis: Int, base: Int) {
      if axis == shape.count {
        let value = values[base]
        if value.isFinite && value != 0 { shown.append(value) }
        return
      }
      for index in Self.shownIndices(extent: shape[axis], summarize: summarize) {
        if let index { gather(axis: axis + 1, base: base + index * strides[axis]) }
      }
    }
    gather(axis: 0, base: 0)
    var mode = Mode.integral
    if let smallest = shown.map(Swift.abs).min(), let largest = shown.map(Swift.abs).max() {
      if largest / smallest > 1000 || largest > 1e8 || smallest < 1e-4 {
        mode = .scientific
      } else if !shown.allSatisfy({ $0 == $0.rounded(.up) }) {
        mode = .fixed
      }
    }
    self.values = values
    self.shape = shape
    self.strides = strides
    self.summarize = summarize
    self.mode = mode
    width = shown.reduce(1) { Swift.max($0, Self.text($1, mode: mode).count) }
  }

  /// The indices shown along an axis of `extent`, `nil` standing for the elided middle.
  static func shownIndices(extent: Int, summarize: Bool) -> [Int?] {
    guard summarize && extent > 2 * edgeItems else { return Array(0..<extent) }
    return Array(0..<edgeItems) + [nil] + Array((extent - edgeItems)..<extent)
  }

  /// `value` written in `mode`, without padding (Python's `format`, whose rounding of the exact
  /// binary value, half to even, C's `printf` shares).
  static func text(_ value: Double, mode: Mode) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value > 0 ? "inf" : "-inf" }
    switch mode {
    case .integral: return String(format: "%.0f.", value)
    case .fixed: return String(format: "%.\(precision)f", value)
    case .scientific: return String(format: "%.\(precision)e", value)
    }
  }

  /// `value` written and padded on the left to the common width.
  func formatted(_ value: Double) -> String {
    let text = Self.text(value, mode: mode)
    return String(repeating: " ", count: Swift.max(width - text.count, 0)) + text
  }

  /// The bracketed body, whose continuation lines start after `indent` columns.
  func render(indent: Int) -> String {
    shape.isEmpty ? formatted(values[0]) : render(axis: 0, base: 0, indent: indent)
  }

  private func render(axis: Int, base: Int, indent: Int) -> String {
    let shown = Self.shownIndices(extent: shape[axis], summarize: summarize)
    if axis == shape.count - 1 {
      // A row: wrapped at the line width, the elision standing as one more element.
      let items = shown.map { index in index.map { formatted(values[base + $0]) } ?? " ..." }
      let perLine = Swift.max(1, (Self.lineWidth - indent) / (width + 2))
      let lines = stride(from: 0, to: items.count, by: perLine).map {
        items[$0..<Swift.min($0 + perLine, items.count)].joined(separator: ", ")
      }
      return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
    }
    let slices = shown.map { index in
      index.map { render(axis: axis + 1, base: base + $0 * strides[axis], indent: indent + 1) }
        ?? "..."
    }
    let separator =
      "," + String(repeating: "\n", count: shape.count - axis - 1)
      + String(repeating: " ", count: indent + 1)
    return "[" + slices.joined(separator: separator) + "]"
  }

  /// A shape as Python writes a tuple: `(0, 3)`, `(0,)`.
  static func tuple(_ shape: [Int]) -> String {
    shape.count == 1
      ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
  }

  /// `text` closed with `suffixes`, each after `, ` or, when the line would pass the line width,
  /// on a new line indented by `indent` (`_add_suffixes`, including its count of the last line).
  static func addingSuffixes(_ text: String, _ suffixes: [String], indent: Int) -> String {
    var result = text
    let lastBreak = text.lastIndex(of: "\n").map { text.distance(from: text.startIndex, to: $0) }
    var lastLine = text.count - (lastBreak ?? -1) + 1
    for suffix in suffixes {
      if lastLine + suffix.count + 2 > lineWidth {
        result += ",\n" + String(repeating: " ", count: indent) + suffix
        lastLine = indent + suffix.count
      } else {
        result += ", " + suffix
        lastLine += suffix.count + 2
      }
    }
    return result + ")"
  }
}
