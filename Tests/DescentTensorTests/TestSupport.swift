import DescentTensor

/// Whether `actual` and `expected` have the same count and agree element by element within
/// `tolerance` (relative to the larger magnitude, or absolute below 1); NaNs must match NaNs.
func isClose<S: BinaryFloatingPoint>(_ actual: [S], _ expected: [S], tolerance: S = 1e-12) -> Bool {
  actual.count == expected.count
    && zip(actual, expected).allSatisfy { a, e in
      (a.isNaN && e.isNaN) || a == e || abs(a - e) <= tolerance * max(1, abs(a), abs(e))
    }
}

/// Whether every element is NaN exactly where `expected` is, and equal elsewhere.
func isEqualWithNaN<S: BinaryFloatingPoint>(_ actual: [S], _ expected: [S]) -> Bool {
  isClose(actual, expected, tolerance: 0)
}

/// `0, 1, ..., count - 1` in the given shape, as `Double`.
func iota(_ shape: [Int]) -> Tensor<Double> {
  let count = shape.reduce(1, *)
  return Tensor(shape: shape, scalars: (0..<count).map(Double.init))
}
