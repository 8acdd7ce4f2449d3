import DescentNN

/// The multilayer perceptron Descent trains on digits: 64 inputs, one hidden layer of ReLU units,
/// 10 outputs.
public enum DigitsMLP {
  /// `Sequential(Linear(64, hidden), ReLU(), Linear(hidden, 10))`, initialised from `seed`.
  public static func make<Scalar: TensorScalar>(
    hidden: Int = 100, seed: UInt64, as _: Scalar.Type = Scalar.self
  ) -> Sequential<Scalar> {
    var generator = SeededGenerator(seed: seed)
    return Sequential(
      Linear<Scalar>(64, hidden, generator: &generator), ReLU<Scalar>(),
      Linear<Scalar>(hidden, 10, generator: &generator))
  }
}
