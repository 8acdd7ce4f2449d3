/// An RGBA colour with components in 0...1.
public struct Color: Sendable, Equatable, Hashable, Codable {
  /// Red component, 0...1.
  public var red: Double
  /// Green component, 0...1.
  public var green: Double
  /// Blue component, 0...1.
  public var blue: Double
  /// Opacity, 0 (transparent) ... 1 (opaque).
  public var alpha: Double

  /// A colour from components in 0...1; values outside are clamped when drawn.
  public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
    self.red = red
    self.green = green
    self.blue = blue
    self.alpha = alpha
  }

  /// A colour from a 24-bit `0xRRGGBB` value, e.g. `Color(hex: 0x1f77b4)`.
  public init(hex: UInt32, alpha: Double = 1) {
    self.init(
      red: Double((hex >> 16) & 0xff) / 255, green: Double((hex >> 8) & 0xff) / 255,
      blue: Double(hex & 0xff) / 255, alpha: alpha)
  }

  /// The same colour with another opacity.
  public func withAlpha(_ alpha: Double) -> Color {
    Color(red: red, green: green, blue: blue, alpha: alpha)
  }

  /// Black.
  public static let black = Color(red: 0, green: 0, blue: 0)
  /// White.
  public static let white = Color(red: 1, green: 1, blue: 1)
  /// A neutral mid grey.
  public static let gray = Color(red: 0.5, green: 0.5, blue: 0.5)
  /// matplotlib's tab:red.
  public static let red = Color(hex: 0xd62728)
  /// matplotlib's tab:blue.
  public static let blue = Color(hex: 0x1f77b4)
  /// matplotlib's tab:green.
  public static let green = Color(hex: 0x2ca02c)
  /// matplotlib's tab:orange.
  public static let orange = Color(hex: 0xff7f0e)
  /// A golden yellow that stands out on most backgrounds (good for "minimum" stars).
  public static let gold = Color(hex: 0xffc107)

  /// matplotlib's default colour cycle ("tab10"): the colours series take, in order, when none is given.
  public static let tab10: [Color] = [
    0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
    0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
  ].map { Color(hex: $0) }

  /// A sample of the perceptually uniform "viridis" colour map at `t` in 0...1 (clamped), interpolated
  /// linearly between nine anchor colours. Used to colour contour levels from low (purple) to high (yellow).
  public static func viridis(_ t: Double) -> Color {
    let anchors: [UInt32] = [
      0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962, 0xaddc30, 0xfde725,
    ]
    let clamped = t.isFinite ? min(max(t, 0), 1) : 0
    let position = clamped * Double(anchors.count - 1)
    let index = min(Int(position), anchors.count - 2)
    let fraction = position - Double(index)
    let low = Color(hex: anchors[index])
    let high = Color(hex: anchors[index + 1])
    return Color(
      red: low.red + (high.red - low.red) * fraction,
      green: low.green + (high.green - low.green) * fraction,
      blue: low.blue + (high.blue - low.blue) * fraction)
  }
}
