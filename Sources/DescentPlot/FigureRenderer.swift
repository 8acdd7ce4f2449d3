/// Draws a whole figure: background, optional figure title, then each panel in its grid cell.
struct FigureRenderer {
  let figure: Figure
  let canvas: Canvas

  func draw() {
    let width = Double(figure.width)
    let height = Double(figure.height)
    canvas.rectangle(Rect(x: 0, y: 0, width: width, height: height))
    canvas.fill(figure.background)
    var top = 0.0
    if let title = figure.title, !title.isEmpty {
      canvas.font(size: Theme.figureTitleFontSize, bold: true)
      top = Theme.cellPadding + canvas.lineHeight()
      canvas.text(
        canvas.fitted(title, maxWidth: width - 2 * Theme.cellPadding), x: width / 2,
        y: Theme.cellPadding, anchorX: 0.5, anchorY: 0, color: Theme.text)
    }
    let cellWidth = width / Double(figure.columns)
    let cellHeight = (height - top) / Double(figure.rows)
    for row in 0..<figure.rows {
      for column in 0..<figure.columns {
        let cell = Rect(
          x: Double(column) * cellWidth, y: top + Double(row) * cellHeight, width: cellWidth,
          height: cellHeight)
        PanelRenderer(
          panel: figure[row, column], index: row * figure.columns + column, cell: cell,
          canvas: canvas
        ).draw()
      }
    }
  }
}
