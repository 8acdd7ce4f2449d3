import DescentNN
import DescentOptim
import Testing

/// Muon for the hidden matrices and AdamW for the rest, driven as one optimizer.
@Suite struct CombinedOptimizerTests {
  static func model() -> Sequential<Float> {
    var generator = SeededGenerator(seed: 2)
    return Sequential(
      Linear<Float>(6, 8, generator: &generator), ReLU<Float>(),
      Linear<Float>(8, 8, generator: &generator), ReLU<Float>(),
      Linear<Float>(8, 3, generator: &generator))
  }

  static func gradients(_ model: Sequential<Float>, step: Int) {
    for (index, parameter) in model.parameters().enumerated() {
      parameter.grad = Tensor(
        shape: parameter.shape,
        scalars: (0..<parameter.count).map { Float(($0 * 7 + index * 3 + step) % 11) / 11 - 0.5 })
    }
  }

  @Test func theRecipeSplitsHiddenMatricesFromTheRest() throws {
    let net = Self.model()
    let combined = try Muon<Float>.withAdamW(net.namedParameters())
    #expect(combined.name == "Muon+AdamW")
    let parameters = net.parameters()
    // The two hidden weights go to Muon; biases and the output layer's weight to AdamW.
    #expect(
      combined.parts[0].parameters.map(ObjectIdentifier.init)
        == [0, 2].map { ObjectIdentifier(parameters[$0]) })
    #expect(combined.parts[1].parameters.count == 4)
    #expect(combined.paramGroupCount == 2)
  }

  /// A step of the combined optimizer is a step of each part, and its state dict saved after
  /// three steps and loaded into a fresh one continues exactly as the uninterrupted run.
  @Test func stepsAndStateDictsAreThePartsOnes() throws {
    let (a, b) = (Self.model(), Self.model())
    let combined = try Muon<Float>.withAdamW(a.namedParameters())
    let matrices = [0, 2].map { b.parameters()[$0] }
    let rest = [1, 3, 4, 5].map { b.parameters()[$0] }
    let muon = try Muon(matrices)
    let adamW = try AdamW(rest)
    for step in 0..<3 {
      Self.gradients(a, step: step)
      Self.gradients(b, step: step)
      combined.step()
      muon.step()
      adamW.step()
    }
    #expect(a.parameters().map(\.value) == b.parameters().map(\.value))
    let saved = combined.stateDict()
    #expect(saved.paramGroups.map(\.params) == [[0, 1], [2, 3, 4, 5]])
    let c = Self.model()
    for (target, source) in zip(c.parameters(), a.parameters()) { target.value = source.value }
    let resumed = try Muon<Float>.withAdamW(c.namedParameters())
    try resumed.loadStateDict(saved)
    #expect(resumed.stateDict() == saved)
    Self.gradients(a, step: 3)
    Self.gradients(c, step: 3)
    combined.step()
    resumed.step()
    #expect(a.parameters().map(\.value) == c.parameters().map(\.value))
    // A state of another shape is refused and changes nothing.
    let current = resumed.stateDict()
    var wrong = saved
    wrong.paramGroups.removeLast()
    #expect(throws: OptimizerError.self) { try resumed.loadStateDict(wrong) }
    #expect(resumed.stateDict() == current)
  }

  @Test func partsMayNotShareAParameter() throws {
    let net = Self.model()
    let parameters = net.parameters()
    #expect(throws: OptimizerError.self) {
      try CombinedOptimizer([try SGD(Array(parameters[0...1])), try SGD(Array(parameters[1...2]))])
    }
  }
}
