import DescentNN

/// The multilayer perceptron Descent trains on digits: 64 inputs, one hidden layer of ReLU units,
/// 10 outputs (other widths for other data: `descent train --data` takes them from the CSV).
public enum DigitsMLP {
  /// `Sequential(Linear(inputs, hidden), ReLU(), Linear(hidden, classes))`, initialised from
  /// `seed`; every width must be positive.
  public static func make<Scalar: TensorScalar>(
    inputs: Int = 64, hidden: Int = 100, classes: Int = 10, seed: UInt64,
    as _: Scalar.Type = Scalar.self
  ) -> Sequential<Scalar> {
    make(inputs: inputs, hiddenLayers: [hidden], classes: classes, seed: seed)
  }

  /// `Linear -> ReLU` for each width of `hiddenLayers` in turn, then `Linear` to `classes`,
  /// initialised from `seed` layer by layer; every width must be positive.
  public static func make<Scalar: TensorScalar>(
    inputs: Int, hiddenLayers: [Int], classes: Int, seed: UInt64,
    as _: Scalar.Type = Scalar.self
  ) -> Sequential<Scalar> {
    var generator = SeededGenerator(seed: seed)
    var layers: [any Module<Scalar>] = []
    var width = inputs
    for hidden in hiddenLayers {
      layers.append(Linear<Scalar>(width, hidden, generator: &generator))
      layers.append(ReLU<Scalar>())
      width = hidden
    }
    layers.append(Linear<Scalar>(width, classes, generator: &generator))
    return Sequential(layers)
  }
}
