import DescentTensor

/// LBFGS's state, which belongs to the whole flat vector of parameters (PyTorch keeps it under
/// the first parameter); ``LBFGS/stateDict()`` exports it under PyTorch's state keys.
///
/// Vectors hold one element per parameter element, all parameters concatenated in order.
public struct LBFGSState<Scalar: TensorScalar>: Equatable, Sendable {
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
  /// The loss at the start of the last iteration (`prev_loss`); `nil` before the first
  /// iteration and after a step without a closure (whose loss is unknown).
  public var prevLoss: Double?

  /// The state before any step.
  public init() {}
}
