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
    var generator = SeededGenerator(seed: seed)
    return Sequential(
      Linear<Scalar>(inputs, hidden, generator: &generator), ReLU<Scalar>(),
      Linear<Scalar>(hidden, classes, generator: &generator))
  }
}
