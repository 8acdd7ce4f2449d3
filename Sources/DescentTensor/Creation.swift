extension Tensor {
  /// The values `start, start + step, ...` below `end` (above it for a negative step), like
  /// `torch.arange`.
  ///
  /// - Precondition: `step` is non-zero and finite.
  public static func arange(_ start: Scalar = 0, _ end: Scalar, step: Scalar = 1) -> Tensor {
    precondition(step != 0 && step.isFinite, "arange with step \(step)")
    let steps = ((end - start) / step).rounded(.up)
    let count = steps > 0 ? Int(steps) : 0
    return Tensor((0..<count).map { start + Scalar($0) * step })
  }

  /// `count` values evenly spaced from `start` to `end` inclusive, like `torch.linspace`.
  public static func linspace(_ start: Scalar, _ end: Scalar, count: Int) -> Tensor {
    precondition(count >= 0, "linspace of \(count) values")
    if count == 1 { return Tensor([start]) }
    let step = (end - start) / Scalar(Swift.max(count - 1, 1))
    // PyTorch fills the first half from the start and the second half from the end.
    let half = count / 2
    return Tensor(
      (0..<count).map {
        $0 < half ? start + step * Scalar($0) : end - step * Scalar(count - 1 - $0)
      }
    )
  }

  /// Standard normal values from the global generator (see ``GlobalGenerator``), like
  /// `torch.randn`.
  public static func randn(_ shape: [Int]) -> Tensor {
    GlobalGenerator.withGenerator { Tensor(normal: shape, generator: &$0) }
  }

  /// Values uniform in `[0, 1)` from the global generator, like `torch.rand`.
  public static func rand(_ shape: [Int]) -> Tensor {
    GlobalGenerator.withGenerator { Tensor(uniform: shape, generator: &$0) }
  }

  /// A tensor of zeros with this tensor's shape, like `zeros_like`.
  public func zerosLike() -> Tensor { Tensor(zeros: shape) }

  /// A tensor of ones with this tensor's shape, like `ones_like`.
  public func onesLike() -> Tensor { Tensor(ones: shape) }
}
