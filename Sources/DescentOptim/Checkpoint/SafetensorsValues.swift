import DescentTensor

extension SafetensorsArchive.Values {
  /// The safetensors dtype of `Scalar` (`F32` or `F64`).
  static func dtype<Scalar: TensorScalar>(of _: Scalar.Type) -> String {
    Scalar.self == Float.self ? "F32" : "F64"
  }

  /// `scalars` stored in their own type.
  init<Scalar: TensorScalar>(_ scalars: [Scalar]) {
    if let floats = scalars as? [Float] {
      self = .f32(floats)
    } else {
      self = .f64(scalars.map(Double.init))
    }
  }

  /// `values` stored as `Scalar` when that is exact for every element, else as `F64`.
  init<Scalar: TensorScalar>(_ values: [Double], preferring _: Scalar.Type) {
    let narrowed = values.map { Scalar($0) }
    let exact = zip(narrowed, values).allSatisfy { Double($0) == $1 || $1.isNaN }
    self = exact ? Self(narrowed) : .f64(values)
  }

  /// The values as `Scalar`, or `nil` when stored with another dtype.
  func scalars<Scalar: TensorScalar>(as _: Scalar.Type) -> [Scalar]? {
    switch self {
    case .f32(let values): return values as? [Scalar]
    case .f64(let values): return values as? [Scalar]
    case .i64: return nil
    }
  }

  /// The values as `Double` (exact for `F32` and `F64`; `I64` values beyond 2^53 round).
  var doubles: [Double] {
    switch self {
    case .f32(let values): return values.map(Double.init)
    case .f64(let values): return values
    case .i64(let values): return values.map(Double.init)
    }
  }
}
