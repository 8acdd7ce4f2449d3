import DescentOptim
import Testing

/// The vectorized path's lanes against the scalar operations they stand for: the same bits for
/// every element, special values included, so that the fast path and the reference agree.
@Suite struct VectorLaneTests {
  /// Values that exercise rounding, signs, zeros, infinities, NaN and subnormals.
  static func specials<S: LaneScalar & BinaryFloatingPoint>(_: S.Type) -> [S] {
    [
      0, -0, 1, -1, 0.1, -2.5, 3, 1e-3, 7e10, .infinity, -.infinity, .nan,
      .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.ulpOfOne, 0.5,
    ]
  }

  /// `lane` as an array of its scalars.
  static func scalars<S: LaneScalar>(_ lane: VectorLane<S>) -> [S] {
    (0..<VectorLane<S>.width).map { lane[$0] }
  }

  /// `values` cycled to `count` elements, loaded `offset` elements in.
  static func lane<S: LaneScalar>(_ values: [S], offset: Int) -> VectorLane<S> {
    let width = VectorLane<S>.width
    let cycled = (0..<width).map { values[($0 + offset) % values.count] }
    return cycled.withUnsafeBufferPointer { VectorLane.load(from: $0.baseAddress!) }
  }

  /// Every binary operation, the square root and the select of lanes built from `values` equal
  /// the scalar operations element by element, bit for bit (NaN for NaN).
  static func check<S: LaneScalar & BinaryFloatingPoint>(_: S.Type) {
    let values = specials(S.self)
    let same = { (a: S, b: S) in a.isNaN ? b.isNaN : a == b && a.sign == b.sign }
    for shift in [0, 3, 7] {
      let (x, y) = (lane(values, offset: 0), lane(values, offset: shift))
      let (xs, ys) = (scalars(x), scalars(y))
      let cases: [(VectorLane<S>, (S, S) -> S)] = [
        (x + y, { $0 + $1 }), (x - y, { $0 - $1 }), (x * y, { $0 * $1 }), (x / y, { $0 / $1 }),
        (-x, { a, _ in -a }), (x.squareRoot(), { a, _ in a.squareRoot() }),
        (VectorLane.select(x, greaterThan: y, then: x, otherwise: y), { $0 > $1 ? $0 : $1 }),
      ]
      for (index, (vector, scalar)) in cases.enumerated() {
        for (element, (a, b)) in zip(scalars(vector), zip(xs, ys)) {
          #expect(
            same(element, scalar(a, b)), "case \(index): \(a), \(b) gave \(element)")
        }
      }
    }
    #expect(
      scalars(VectorLane<S>(repeating: 0.25)) == Array(repeating: 0.25, count: VectorLane<S>.width))
  }

  @Test func floatLanesGiveTheScalarBits() {
    #expect(VectorLane<Float>.width == 16)
    Self.check(Float.self)
  }

  @Test func doubleLanesGiveTheScalarBits() {
    #expect(VectorLane<Double>.width == 8)
    Self.check(Double.self)
  }

  @Test func storeWritesEveryScalarAndNothingElse() {
    var buffer = [Float](repeating: -1, count: 18)
    buffer.withUnsafeMutableBufferPointer {
      VectorLane<Float>(repeating: 2).store(to: $0.baseAddress! + 1)
    }
    #expect(buffer == [-1] + Array(repeating: 2, count: 16) + [-1])
  }
}
