import DescentTensor

/// LBFGS's state, which belongs to the whole flat vector of parameters (PyTorch keeps it under
/// the first parameter). Coded with PyTorch's state keys (`old_dirs`, `H_diag`, ...).
///
/// Vectors hold one element per parameter element, all parameters concatenated in order.
public struct LBFGSState<Scalar: TensorScalar>: Codable, Equatable, Sendable {
  /// Function evaluations over every call of `step` (`func_evals`).
  public var funcEvals = 0
  /// Iterations over every call of `step` (`n_iter`).
  public var nIter = 0
  /// The last search direction (`d`), `nil` before the first iteration.
  public var d: [Scalar]?
  /// The last step length (`t`), `nil` before the first iteration.
  public var t: Double?
  /// The stored gradient differences `y` (`old_dirs`), oldest first.
  public var oldDirs: [[Scalar]] = []
  /// The stored steps `s` (`old_stps`), oldest first.
  public var oldStps: [[Scalar]] = []
  /// `1 / (y . s)` for each stored pair (`ro`).
  public var ro: [Double] = []
  /// The scale of the initial inverse Hessian, `(y . s) / (y . y)` of the newest pair (`H_diag`).
  public var hDiag = 1.0
  /// The gradient at the start of the last iteration (`prev_flat_grad`).
  public var prevFlatGrad: [Scalar]?
  /// The loss at the start of the last iteration (`prev_loss`).
  public var prevLoss: Double?

  /// The state before any step.
  public init() {}

  enum CodingKeys: String, CodingKey {
    case funcEvals = "func_evals"
    case nIter = "n_iter"
    case d, t, ro
    case oldDirs = "old_dirs"
    case oldStps = "old_stps"
    case hDiag = "H_diag"
    case prevFlatGrad = "prev_flat_grad"
    case prevLoss = "prev_loss"
  }

  /// Why this state cannot belong to an LBFGS over `count` elements keeping `historySize` pairs,
  /// or `nil` when it can.
  func mismatch(count: Int, historySize: Int) -> String? {
    if funcEvals < 0 || nIter < 0 { return "negative func_evals or n_iter" }
    if let d, d.count != count { return "d has \(d.count) elements, not \(count)" }
    if let prevFlatGrad, prevFlatGrad.count != count {
      return "prev_flat_grad has \(prevFlatGrad.count) elements, not \(count)"
    }
    guard oldDirs.count == oldStps.count, oldDirs.count == ro.count else {
      return
        "old_dirs, old_stps and ro have \(oldDirs.count), \(oldStps.count), \(ro.count) entries"
    }
    if ro.count > historySize { return "\(ro.count) pairs exceed history_size \(historySize)" }
    if let bad = (oldDirs + oldStps).first(where: { $0.count != count }) {
      return "a stored pair has \(bad.count) elements, not \(count)"
    }
    return nil
  }
}

/// An LBFGS optimizer's hyperparameters and state, as saved in a checkpoint.
public struct LBFGSStateDict<Scalar: TensorScalar>: Codable, Equatable, Sendable {
  /// The single parameter group's hyperparameters.
  public var hyperparameters: LBFGSHyperparameters
  /// The optimizer's state.
  public var state: LBFGSState<Scalar>

  /// A state dict of the given values.
  public init(hyperparameters: LBFGSHyperparameters, state: LBFGSState<Scalar>) {
    self.hyperparameters = hyperparameters
    self.state = state
  }
}

/// The vector arithmetic of LBFGS over flat arrays, in the parameters' precision.
enum LBFGSVector {
  /// `a . b`, accumulated in order.
  static func dot<Scalar: TensorScalar>(_ a: [Scalar], _ b: [Scalar]) -> Double {
    var sum: Scalar = 0
    for index in a.indices { sum += a[index] * b[index] }
    return Double(sum)
  }

  /// `max |a_i * scale|` (`a.mul(scale).abs().max()`; 0 for an empty vector).
  static func maxMagnitude<Scalar: TensorScalar>(_ a: [Scalar], scaledBy scale: Double = 1)
    -> Double
  {
    let factor = Scalar(scale)
    return Double(a.reduce(0) { Swift.max($0, ($1 * factor).magnitude) })
  }

  /// `sum |a_i|`.
  static func sumMagnitude<Scalar: TensorScalar>(_ a: [Scalar]) -> Double {
    Double(a.reduce(0) { $0 + $1.magnitude })
  }

  /// `a * scale`.
  static func scaled<Scalar: TensorScalar>(_ a: [Scalar], _ scale: Double) -> [Scalar] {
    let factor = Scalar(scale)
    return a.map { $0 * factor }
  }

  /// `a += alpha * b` (`a.add_(b, alpha=alpha)`), fused as PyTorch's CPU kernel computes it.
  static func add<Scalar: TensorScalar>(_ a: inout [Scalar], _ b: [Scalar], alpha: Double) {
    a.withUnsafeMutableBufferPointer { add($0, b[...], alpha: alpha) }
  }

  /// `a += alpha * b` over a buffer and a slice of the same length, fused.
  static func add<Scalar: TensorScalar>(
    _ a: UnsafeMutableBufferPointer<Scalar>, _ b: ArraySlice<Scalar>, alpha: Double
  ) {
    let factor = Scalar(alpha)
    for (index, value) in zip(a.indices, b) { a[index] = a[index].addingProduct(factor, value) }
  }
}

/// Python's `min(a, b)`: `a` unless `b < a`.
func pythonMin(_ a: Double, _ b: Double) -> Double { b < a ? b : a }

/// Python's `max(a, b)`: `a` unless `b > a`.
func pythonMax(_ a: Double, _ b: Double) -> Double { b > a ? b : a }
