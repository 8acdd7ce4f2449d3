import DescentTensor

/// A streaming exponentially weighted moving average of tensors of one fixed shape, element by element.
///
/// The conventions are those of ``ExponentialMovingAverage``: `v_0 = x_0` (tutorial) or zero-started
/// and reported as `v_t / (1 - beta^t)` (Adam, `biasCorrected: true`).
public struct TensorMovingAverage<Scalar: TensorScalar>: Codable {
  /// The smoothing factor, in [0, 1).
  public let beta: Double
  /// Whether the average starts at zero and is reported divided by `1 - beta^t`.
  public let biasCorrected: Bool
  /// How many samples have been folded in.
  public private(set) var count: Int = 0
  /// The running average before bias correction, or `nil` before the first sample.
  public private(set) var raw: Tensor<Scalar>?
  /// `beta^count`, kept as a running product.
  private var betaPower: Double = 1

  /// An empty average with smoothing factor `beta`.
  ///
  /// - Throws: ``EWMAError/betaOutOfRange(_:)`` unless `0 <= beta < 1`.
  public init(beta: Double = 0.9, biasCorrected: Bool = false) throws {
    self.beta = try validatedEWMABeta(beta)
    self.biasCorrected = biasCorrected
  }

  /// The current average, or `nil` before the first sample.
  public var value: Tensor<Scalar>? {
    guard let raw else { return nil }
    guard biasCorrected else { return raw }
    let power = Scalar(betaPower)
    return Tensor(
      shape: raw.shape, scalars: raw.scalars.map { ewmaBiasCorrected($0, betaPower: power) })
  }

  /// Folds in `sample` and returns the new average.
  ///
  /// - Precondition: `sample` has the shape of the samples before it (a programming error otherwise).
  @discardableResult
  public mutating func update(_ sample: Tensor<Scalar>) -> Tensor<Scalar> {
    let sample = sample.detached
    if let previous = raw {
      precondition(
        previous.shape == sample.shape,
        "TensorMovingAverage: sample of shape \(sample.shape) after samples of shape \(previous.shape)"
      )
      let b = Scalar(beta)
      raw = Tensor(
        shape: sample.shape,
        scalars: zip(previous.scalars, sample.scalars).map { ewmaUpdate($0, $1, beta: b) })
    } else if biasCorrected {
      let b = Scalar(beta)
      raw = Tensor(shape: sample.shape, scalars: sample.scalars.map { ewmaUpdate(0, $0, beta: b) })
    } else {
      raw = sample
    }
    count += 1
    betaPower *= beta
    return value!
  }
}
