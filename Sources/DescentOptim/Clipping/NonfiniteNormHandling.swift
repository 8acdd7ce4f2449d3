/// What ``clipGradNorm(_:maxNorm:normType:ifNonfinite:)`` does when the total norm is NaN or
/// infinite.
public enum NonfiniteNormHandling: String, Sendable, Equatable, CaseIterable, Codable {
  /// Scale the gradients anyway (PyTorch's default, `error_if_nonfinite=False`): they become NaN
  /// or zero, as in PyTorch.
  case scale
  /// Throw ``ClippingError/nonfiniteNorm(normType:norm:)`` and leave the gradients unchanged
  /// (PyTorch's `error_if_nonfinite=True`).
  case error
  /// Leave the gradients unchanged and return the norm, so the caller can skip the step.
  case skip
}
