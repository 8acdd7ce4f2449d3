import Foundation

/// Progress of long work: on a terminal a one-line bar redrawn in place with `\r`; otherwise
/// (a pipe or a file) plain lines, one per finished unit, so logs stay readable.
final class ProgressLine {
  /// Whether standard output is a terminal.
  let isTerminal: Bool
  private var lastDraw = Date.distantPast
  private var drawn = false

  /// A progress line on standard output; `isTerminal` defaults to `isatty(1)`.
  init(isTerminal: Bool = isatty(STDOUT_FILENO) != 0) {
    self.isTerminal = isTerminal
  }

  /// Redraws the bar (at most about 20 times a second) for a fraction `done` in 0...1 with
  /// `text` beside it. Does nothing when output is not a terminal.
  func update(_ done: Double, _ text: String) {
    guard isTerminal else { return }
    let now = Date()
    guard done >= 1 || now.timeIntervalSince(lastDraw) > 0.05 else { return }
    lastDraw = now
    let width = 24
    let filled = Int((min(max(done, 0), 1) * Double(width)).rounded())
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    print("\r\u{1B}[2K[\(bar)] \(text)", terminator: "")
    fflush(nil)
    drawn = true
  }

  /// Ends a unit of work: on a terminal clears the bar; `line` (if any) is printed either way.
  func finish(_ line: String? = nil) {
    if isTerminal && drawn {
      print("\r\u{1B}[2K", terminator: "")
      drawn = false
    }
    if let line { print(line) }
    fflush(nil)
  }
}
