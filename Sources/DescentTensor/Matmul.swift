extension Tensor {
  /// The matrix product of two 2-D tensors, `[m, k] x [k, n] -> [m, n]`, through BLAS.
  public func matmul(_ other: Tensor) -> Tensor {
    precondition(
      rank == 2 && other.rank == 2 && shape[1] == other.shape[0],
      "matmul of shapes \(shape) and \(other.shape)")
    let value = Tensor.product(detached, other.detached, transposeA: false, transposeB: false)
    let (left, right) = (detached, other.detached)
    return .differentiable(value, inputs: [self, other]) { grad in
      [
        Tensor.product(grad, right, transposeA: false, transposeB: true),
        Tensor.product(left, grad, transposeA: true, transposeB: false),
      ]
    }
  }

  /// `op(a) x op(b)` for 2-D constants, where `op` transposes when asked.
  static func product(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> Tensor {
    let m = transposeA ? a.shape[1] : a.shape[0]
    let k = transposeA ? a.shape[0] : a.shape[1]
    let n = transposeB ? b.shape[0] : b.shape[1]
    var out = [Scalar](repeating: 0, count: m * n)
    if m > 0 && n > 0 && k > 0 {
      a.scalars.withUnsafeBufferPointer { pa in
        b.scalars.withUnsafeBufferPointer { pb in
          out.withUnsafeMutableBufferPointer { pc in
            Scalar.gemm(
              transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
              a: pa.baseAddress!, lda: a.shape[1], b: pb.baseAddress!, ldb: b.shape[1], beta: 0,
              c: pc.baseAddress!, ldc: n)
          }
        }
      }
    }
    return Tensor(shape: [m, n], scalars: out)
  }
}
