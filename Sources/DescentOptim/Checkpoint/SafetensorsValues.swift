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

  /// `values` stored as `dtype`, or `nil` when one of them is not exactly representable in it.
  init?(_ values: [Double], as dtype: OptimizerStateDict.BufferDType) {
    guard values.allSatisfy(dtype.represents) else { return nil }
    switch dtype {
    case .uint8: self = .u8(values.map { UInt8($0) })
    case .bfloat16:
      self = .bf16(values.map { UInt16(truncatingIfNeeded: Float($0).bitPattern >> 16) })
    case .float32: self = .f32(values.map { Float($0) })
    }
  }

  /// The values as `Scalar`, or `nil` when stored with another dtype.
  func scalars<Scalar: TensorScalar>(as _: Scalar.Type) -> [Scalar]? {
    switch self {
    case .f32(let values): return values as? [Scalar]
    case .f64(let values): return values as? [Scalar]
    case .i64, .bf16, .u8: return nil
    }
  }

  /// The values as `Double` (exact but for `I64` values beyond 2^53, which round).
  var doubles: [Double] {
    switch self {
    case .f32(let values): return values.map(Double.init)
    case .f64(let values): return values
    case .i64(let values): return values.map(Double.init)
    case .bf16(let values): return values.map { Double(Float(bitPattern: UInt32($0) << 16)) }
    case .u8(let values): return values.map(Double.init)
    }
  }
}

extension OptimizerStateDict.BufferDType {
  /// The safetensors dtype a buffer of this type is stored as.
  var safetensors: SafetensorsArchive.DType {
    switch self {
    case .uint8: return .u8
    case .bfloat16: return .bf16
    case .float32: return .f32
    }
  }
}
