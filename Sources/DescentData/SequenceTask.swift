import DescentTensor

/// A synthetic sequence-classification task a small causal transformer learns in about a minute
/// on a CPU: each sample is `length` digit tokens, and its label is the largest of them.
///
/// The label is drawn uniformly from `0..<vocabulary` first, then the tokens uniformly from
/// `0...label` with the label itself at one or more random positions, so the classes are balanced
/// and a model must look at every position (the last position of a causal model sees them all).
/// `scripts/compare-torch-models.py` builds the same task in PyTorch.
public enum SequenceTask {
  /// `count` samples of `length` tokens from a vocabulary of `vocabulary` digits; features are
  /// the token ids as numbers, `[count, length]`.
  ///
  /// - Precondition: positive sizes.
  public static func maxOfDigits<Scalar: TensorScalar>(
    count: Int, length: Int = 8, vocabulary: Int = 10, seed: UInt64,
    as _: Scalar.Type = Scalar.self
  ) -> Dataset<Scalar> {
    precondition(count > 0 && length > 0 && vocabulary > 0, "SequenceTask sizes must be positive")
    var generator = SeededGenerator(seed: seed)
    var tokens: [Scalar] = []
    tokens.reserveCapacity(count * length)
    var labels: [Int] = []
    for _ in 0..<count {
      let label = Int(generator.next() % UInt64(vocabulary))
      let anchor = Int(generator.next() % UInt64(length))
      for position in 0..<length {
        let token = position == anchor ? label : Int(generator.next() % UInt64(label + 1))
        tokens.append(Scalar(token))
      }
      labels.append(label)
    }
    // Sizes are consistent by construction.
    return try! Dataset(features: Tensor(shape: [count, length], scalars: tokens), labels: labels)
  }
}
