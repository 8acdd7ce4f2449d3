/// Sizes and colours of the default style, in figure pixels.
enum Theme {
  static let tickFontSize = 12.0
  static let labelFontSize = 13.5
  static let titleFontSize = 15.0
  static let figureTitleFontSize = 17.0
  static let legendFontSize = 12.0
  static let footnoteFontSize = 12.0
  static let tickLength = 5.0
  static let cellPadding = 10.0
  static let gap = 6.0
  static let text = Color(red: 0.13, green: 0.13, blue: 0.13)
  static let spine = Color(red: 0.25, green: 0.25, blue: 0.25)
  static let grid = Color(red: 0.88, green: 0.88, blue: 0.88)
  static let outline = Color(red: 0.15, green: 0.15, blue: 0.15)
  static let legendBorder = Color(red: 0.8, green: 0.8, blue: 0.8)
}
