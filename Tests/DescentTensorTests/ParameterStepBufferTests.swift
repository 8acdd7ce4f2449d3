import DescentTensor
import Testing

/// `Parameter.stepBuffers()`: what an optimizer step writes through.
@Suite struct ParameterStepBufferTests {
  @Test func noBuffersWithoutAGradient() {
    let parameter = Parameter(Tensor<Float>([1, 2, 3]))
    #expect(!parameter.hasGradient)
    #expect(parameter.stepBuffers() == nil)
    parameter.grad = Tensor([0.5, 0.5, 0.5])
    #expect(parameter.hasGradient)
    #expect(parameter.stepBuffers()?.count == 3)
  }

  @Test func writesChangeTheParameterButNotACopyTakenBefore() throws {
    let parameter = Parameter(Tensor<Double>([1, 2, 3]))
    parameter.grad = Tensor([10, 20, 30])
    let before = parameter.value
    let buffers = try #require(parameter.stepBuffers())
    #expect((0..<3).map { buffers.gradient[$0] } == [10, 20, 30])
    for index in 0..<buffers.count { buffers.value[index] -= buffers.gradient[index] }
    #expect(parameter.value.scalars == [-9, -18, -27])
    #expect(before.scalars == [1, 2, 3])
  }
}
