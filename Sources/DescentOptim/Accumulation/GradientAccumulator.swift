import DescentTensor

/// Gradient accumulation over `steps` micro-batches, so that `steps` backward passes followed by
/// one optimizer step equal one step on the batch made of all of them (with a mean-reduced loss
/// and equal-sized micro-batches), up to float rounding.
///
/// Scale each micro-batch's loss by ``lossScale`` before `backward()` (gradients add up in the
/// parameters), then ask ``advance()`` whether to step:
/// ```swift
/// var accumulator = try GradientAccumulator(steps: 4)
/// for (x, y) in microBatches {
///   accumulator.scaled(crossEntropy(logits: model(x), labels: y)).backward()
///   if accumulator.advance() {
///     optimizer.step()
///     optimizer.zeroGrad()
///   }
/// }
/// ```
public struct GradientAccumulator: Equatable, Sendable, Codable {
  /// How many micro-batches make one optimizer step (>= 1).
  public let steps: Int
  /// How many micro-batches were accumulated since the last optimizer step.
  public private(set) var pending = 0

  /// An accumulator over `steps` micro-batches.
  ///
  /// - Throws: ``AccumulationError/invalidSteps(_:)`` unless `steps >= 1`.
  public init(steps: Int) throws {
    guard steps >= 1 else { throw AccumulationError.invalidSteps(steps) }
    self.steps = steps
  }

  /// The factor each micro-batch's mean loss is multiplied by: `1 / steps`.
  public var lossScale: Double { 1 / Double(steps) }

  /// `loss` times ``lossScale`` (differentiable), ready for `backward()`.
  public func scaled<Scalar: TensorScalar>(_ loss: Tensor<Scalar>) -> Tensor<Scalar> {
    steps == 1 ? loss : loss * Scalar(lossScale)
  }

  /// Counts one accumulated micro-batch; returns `true` when `steps` have been accumulated and
  /// the optimizer should step now (the count then starts again).
  public mutating func advance() -> Bool {
    pending += 1
    guard pending == steps else { return false }
    pending = 0
    return true
  }

  /// Whether micro-batches were accumulated without a step yet (at the end of an epoch whose
  /// batch count is not a multiple of ``steps``, step or discard them deliberately).
  public var hasPendingGradients: Bool { pending > 0 }

  /// Forgets the micro-batches accumulated since the last step (after zeroing gradients).
  public mutating func reset() { pending = 0 }
}

/// Why a ``GradientAccumulator`` could not be made.
public enum AccumulationError: Error, Equatable, CustomStringConvertible {
  /// The number of micro-batches per step is below 1.
  case invalidSteps(Int)

  /// What was wrong.
  public var description: String {
    switch self {
    case .invalidSteps(let steps):
      return "gradient accumulation: steps = \(steps) is invalid: it must be >= 1"
    }
  }
}
