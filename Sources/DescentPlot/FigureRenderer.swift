/// Draws a whole figure: background, optional figure title and footnotes, then each panel in its
/// grid cell.
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
    let notes = figure.footnotes.filter { !$0.isEmpty }
    var bottom = 0.0
    if !notes.isEmpty {
      canvas.font(size: Theme.footnoteFontSize)
      let line = canvas.lineHeight() * 1.2
      bottom = Theme.cellPadding + line * Double(notes.count)
      for (index, note) in notes.enumerated() {
        canvas.text(
          canvas.fitted(note, maxWidth: width - 2 * Theme.cellPadding), x: Theme.cellPadding,
          y: height - bottom + line * Double(index), anchorX: 0, anchorY: 0, color: Theme.text)
      }
    }
    let cellWidth = width / Double(figure.columns)
    let cellHeight = (height - top - bottom) / Double(figure.rows)
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
