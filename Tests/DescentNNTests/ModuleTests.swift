import DescentNN
import Testing

final class SimpleNet: Module {
  let fc1 = Linear<Float>(10, 100)
  let fc2 = Linear<Float>(100, 5)
  func forward(_ x: Tensor<Float>) -> Tensor<Float> { fc2(fc1(x).relu()) }
}

@Suite("Modules")
struct ModuleTests {
  @Test func linearPrintsLikePyTorch() {
    #expect(Linear<Float>(5, 1).description == "Linear(in_features=5, out_features=1, bias=True)")
    #expect(
      Linear<Float>(3, 2, bias: false).description
        == "Linear(in_features=3, out_features=2, bias=False)")
  }

  @Test func simpleNetPrintsLikePyTorch() {
    let expected = """
      SimpleNet(
        (fc1): Linear(in_features=10, out_features=100, bias=True)
        (fc2): Linear(in_features=100, out_features=5, bias=True)
      )
      """
    #expect(SimpleNet().description == expected)
  }

  @Test func parameterNamesInDeclarationOrder() {
    let net = SimpleNet()
    #expect(
      net.namedParameters().map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
    #expect(net.parameters().map(\.shape) == [[100, 10], [100], [5, 100], [5]])
    #expect(net.parameterCount == 10 * 100 + 100 + 100 * 5 + 5)
  }

  @Test func sequentialNamesAndPrints() {
    let model = Sequential<Double>(Linear(4, 3), ReLU(), Linear(3, 2))
    #expect(model.namedParameters().map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
    let expected = """
      Sequential(
        (0): Linear(in_features=4, out_features=3, bias=True)
        (1): ReLU()
        (2): Linear(in_features=3, out_features=2, bias=True)
      )
      """
    #expect(model.description == expected)
  }

  @Test func nestedModulesPrintIndented() {
    final class Outer: Module {
      let body = Sequential<Double>(Linear(2, 2), Tanh())
      let head = Linear<Double>(2, 1)
      func forward(_ x: Tensor<Double>) -> Tensor<Double> { head(body(x)) }
    }
    let expected = """
      Outer(
        (body): Sequential(
          (0): Linear(in_features=2, out_features=2, bias=True)
          (1): Tanh()
        )
        (head): Linear(in_features=2, out_features=1, bias=True)
      )
      """
    #expect(Outer().description == expected)
    #expect(
      Outer().namedParameters().map(\.name) == [
        "body.0.weight", "body.0.bias", "head.weight", "head.bias",
      ])
  }

  @Test func linearInitialisationBounds() {
    var generator = SeededGenerator(seed: 3)
    let layer = Linear<Double>(64, 200, generator: &generator)
    let bound = 1 / 64.0.squareRoot()
    let weights = layer.weight.value.scalars
    #expect(weights.allSatisfy { abs($0) <= bound })
    // Uniform in ±bound: the extremes come close to the bound and the mean is near zero.
    #expect(weights.max()! > 0.95 * bound && weights.min()! < -0.95 * bound)
    #expect(abs(weights.reduce(0, +) / Double(weights.count)) < 0.01)
    #expect(layer.bias!.value.scalars.allSatisfy { abs($0) <= bound })
  }

  @Test func seededModulesRepeat() {
    GlobalGenerator.manualSeed(0)
    let a = SimpleNet()
    GlobalGenerator.manualSeed(0)
    let b = SimpleNet()
    #expect(a.fc1.weight.value == b.fc1.weight.value)
    #expect(a.fc1.weight.value != a.fc2.weight.value.reshaped([100, 5]).transposed())
  }

  @Test func linearGradientMatchesFiniteDifferences() {
    var generator = SeededGenerator(seed: 9)
    let layer = Linear<Double>(3, 2, generator: &generator)
    let x = Tensor<Double>(normal: [4, 3], generator: &generator)
    let labels = [0, 1, 1, 0]
    crossEntropy(logits: layer(x), labels: labels).backward()
    let analytic = layer.weight.grad!.scalars
    for index in 0..<6 {
      let original = layer.weight.value.scalars
      func loss(_ delta: Double) -> Double {
        var moved = original
        moved[index] += delta
        layer.weight.value = Tensor(shape: [2, 3], scalars: moved)
        defer { layer.weight.value = Tensor(shape: [2, 3], scalars: original) }
        return crossEntropy(logits: layer(x), labels: labels).item
      }
      let numeric = (loss(1e-6) - loss(-1e-6)) / 2e-6
      #expect(abs(numeric - analytic[index]) < 1e-7)
    }
  }

  @Test func crossEntropyClosedForm() {
    // Uniform logits over 4 classes: loss is log 4 whatever the labels.
    let logits = Tensor<Double>(zeros: [3, 4])
    #expect(abs(crossEntropy(logits: logits, labels: [0, 3, 1]).item - Double.log(4)) < 1e-12)
    #expect(mseLoss(Tensor<Double>([1, 2]), Tensor<Double>([3, 2])).item == 2)
  }

  /// `loadStateDict` takes another module's `stateDict()` as it is (PyTorch's
  /// `load_state_dict(other.state_dict())`); a name given twice loads nothing.
  @Test func stateDictListLoadsAndRefusesDuplicates() throws {
    var generator = SeededGenerator(seed: 3)
    let source = Linear<Float>(3, 2, generator: &generator)
    let target = Linear<Float>(3, 2, generator: &generator)
    let original = target.weight.value
    let state = source.stateDict()
    #expect(
      throws: StateDictError.invalidValue(key: "weight", reason: "the state dict holds it twice")
    ) {
      try target.loadStateDict(state + [state[0]])
    }
    #expect(target.weight.value == original)
    #expect(throws: StateDictError.keysDiffer(missing: ["bias"], unexpected: [])) {
      try target.loadStateDict(Array(state.prefix(1)))
    }
    try target.loadStateDict(state)
    #expect(target.weight.value == source.weight.value && target.bias!.value == source.bias!.value)
  }
}
