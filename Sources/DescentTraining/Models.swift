import DescentData
import DescentNN

/// The models `descent train --model` builds, written from layers as a user would.
public enum ModelKind: String, CaseIterable, Sendable {
  /// The digits MLP: `Linear(inputs, hidden) -> ReLU -> Linear(hidden, classes)`.
  case mlp
  /// A CNN for 8x8 images: two blocks of convolution, BatchNorm, ReLU and max pooling, then a
  /// linear classifier.
  case cnn
  /// A one-block causal transformer classifying digit sequences (``SequenceTask``).
  case transformer
}

/// The CNN `descent train --model cnn` trains on digits (8x8 images, one channel, given as 64
/// features per row).
public enum DigitsCNN {
  /// `Unflatten(1, (1, 8, 8))`, two blocks of `Conv2d(3x3, padding 1) -> BatchNorm2d -> ReLU ->
  /// MaxPool2d(2)` with `channels` and twice as many filters, `Flatten`, and `Linear` to
  /// `classes`, initialised from `seed`.
  public static func make<Scalar: TensorScalar>(
    channels: Int = 16, classes: Int = 10, seed: UInt64, as _: Scalar.Type = Scalar.self
  ) -> Sequential<Scalar> {
    let saved = GlobalGenerator.state
    defer { GlobalGenerator.state = saved }
    GlobalGenerator.manualSeed(seed)
    return Sequential(
      Unflatten<Scalar>(dim: 1, sizes: [1, 8, 8]),
      Conv2d<Scalar>(inChannels: 1, outChannels: channels, kernelSize: 3, padding: 1),
      BatchNorm2d<Scalar>(numFeatures: channels), ReLU<Scalar>(), MaxPool2d<Scalar>(kernelSize: 2),
      Conv2d<Scalar>(inChannels: channels, outChannels: 2 * channels, kernelSize: 3, padding: 1),
      BatchNorm2d<Scalar>(numFeatures: 2 * channels), ReLU<Scalar>(),
      MaxPool2d<Scalar>(kernelSize: 2), Flatten<Scalar>(),
      Linear<Scalar>(2 * channels * 2 * 2, classes))
  }
}

/// The transformer `descent train --model transformer` trains on ``SequenceTask``.
public enum SequenceTransformer {
  /// A ``TinyTransformer`` classifying from the last position, initialised from `seed`.
  public static func make<Scalar: TensorScalar>(
    vocabulary: Int = 10, length: Int = 8, dModel: Int = 32, heads: Int = 4, seed: UInt64,
    as _: Scalar.Type = Scalar.self
  ) -> TinyTransformer<Scalar> {
    let saved = GlobalGenerator.state
    defer { GlobalGenerator.state = saved }
    GlobalGenerator.manualSeed(seed)
    return TinyTransformer(
      vocab: vocabulary, dModel: dModel, heads: heads, length: length, lastPositionOnly: true)
  }
}
