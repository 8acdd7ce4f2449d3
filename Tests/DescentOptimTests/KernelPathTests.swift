import DescentOptim
import DescentTensor
import Testing

/// The SIMD path must give exactly what the scalar reference path gives: same formula, same
/// arithmetic order, lanes plus a scalar tail.
@Suite struct KernelPathTests {
  @Test(arguments: anyShapeOptimizerNames)
  func vectorizedMatchesScalarReferenceInFloat(_ name: String) throws {
    try compare(name, as: Float.self)
  }

  @Test(arguments: anyShapeOptimizerNames)
  func vectorizedMatchesScalarReferenceInDouble(_ name: String) throws {
    try compare(name, as: Double.self)
  }

  private func compare<Scalar: LaneScalar>(_ name: String, as _: Scalar.Type) throws {
    // 1037 elements: many whole lanes and a tail; 3 elements: a tail only.
    let shapes = [[17, 61], [3]]
    let vectorized = makeParameters(shapes, as: Scalar.self)
    let reference = cloned(vectorized)
    let fast = try catalogOptimizer(name, vectorized)
    let slow = try catalogOptimizer(name, reference)
    fast.kernelPath = .vectorized
    slow.kernelPath = .scalar
    runSteps(fast, vectorized, count: 7)
    runSteps(slow, reference, count: 7)
    for (a, b) in zip(vectorized, reference) {
      #expect(a.value.scalars == b.value.scalars)
    }
    #expect(fast.stateDict() == slow.stateDict())
  }

  @Test func laneHelpersMatchTheirScalarDefinitions() {
    let values: [Double] = [-2, -0.5, 0, 0.5, 3]
    #expect(values.map(\.torchSign) == [-1, -1, 0, 1, 1])
    #expect(values.map(\.absoluteValue) == [2, 0.5, 0, 0.5, 3])
    let lanes: [Double] = [-2, -0.5, 0, 3, 1, -1, 0.25, 7]
    let vector = lanes.withUnsafeBufferPointer { VectorLane<Double>.load(from: $0.baseAddress!) }
    let scalars = { (lane: VectorLane<Double>) in (0..<VectorLane<Double>.width).map { lane[$0] } }
    #expect(scalars(vector.torchSign) == [-1, -1, 0, 1, 1, -1, 1, 1])
    #expect(scalars(vector.absoluteValue) == [2, 0.5, 0, 3, 1, 1, 0.25, 7])
    #expect(scalars(.maximum(vector, .init(repeating: 0))) == [0, 0, 0, 3, 1, 0, 0.25, 7])
    #expect(
      scalars(vector.clamped(.init(repeating: -1), .init(repeating: 1)))
        == [-1, -0.5, 0, 1, 1, -1, 0.25, 1])
    #expect(Double(2).lerp(to: 4, weight: 0.25) == 2.5)
    #expect(Double(2).lerp(to: 4, weight: 0.75) == 3.5)
  }
}
