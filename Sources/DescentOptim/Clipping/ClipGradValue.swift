import DescentTensor

/// Clamps every gradient element of `parameters` into `[-clipValue, clipValue]`, as
/// `torch.nn.utils.clip_grad_value_`. Parameters without a gradient are ignored; NaN stays NaN.
///
/// - Throws: ``ClippingError/invalidOption(name:value:requirement:)`` for a negative or NaN
///   `clipValue`.
public func clipGradValue<Scalar: TensorScalar>(
  _ parameters: [Parameter<Scalar>], clipValue: Double
)
  throws
{
  guard clipValue >= 0 else {
    throw ClippingError.invalidOption(name: "clipValue", value: clipValue, requirement: ">= 0")
  }
  let high = Scalar(clipValue)
  for parameter in parameters {
    guard var gradient = parameter.grad else { continue }
    gradient.withUnsafeMutableBufferPointer { values in
      for index in values.indices where !values[index].isNaN {
        values[index] = min(max(values[index], -high), high)
      }
    }
    parameter.grad = gradient
  }
}
