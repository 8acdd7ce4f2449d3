import DescentData
import DescentNN
import Foundation

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

extension ModelKind {
  /// The model for `dataset`, initialised from `seed`: its feature count in (8x8 images for the
  /// CNN, token ids for the transformer), its class count out. `hidden` sizes the model: the
  /// MLP's hidden widths (default `[100]`), the CNN's first-block channels (default 16; the
  /// second block has twice as many), the transformer's model width (default 32, a multiple of
  /// its 4 heads). Returns the model and a short description (`"MLP 64-100-10"`).
  ///
  /// - Throws: ``TrainingError/invalidOption(_:_:)`` when the data or the sizes do not fit the
  ///   model.
  public func make(for dataset: Dataset<Float>, hidden: [Int]? = nil, seed: UInt64) throws -> (
    model: any Module<Float>, description: String
  ) {
    let (features, classes) = (dataset.featureCount, dataset.outputCount)
    if let hidden, hidden.isEmpty || hidden.contains(where: { !(1...100_000).contains($0) }) {
      throw TrainingError.invalidOption(
        "hidden", "\(hidden): give one or more widths, each in 1...100000")
    }
    if self != .mlp, let hidden, hidden.count != 1 {
      throw TrainingError.invalidOption(
        "hidden", "\(hidden): the \(rawValue) takes one size (the MLP takes a list)")
    }
    // The transformer's outputs are its vocabulary, known once its tokens are read.
    if self != .transformer {
      try checkSize(parameterEstimate(features: features, outputs: classes, hidden: hidden))
    }
    switch self {
    case .mlp:
      let widths = hidden ?? [100]
      return (
        DigitsMLP.make(inputs: features, hiddenLayers: widths, classes: classes, seed: seed),
        "MLP " + ([features] + widths + [classes]).map(String.init).joined(separator: "-")
      )
    case .cnn:
      guard features == 64 else {
        throw TrainingError.invalidOption(
          "model", "cnn: it takes 8x8 images (64 features per row); the data has \(features)")
      }
      let channels = hidden?[0] ?? 16
      return (
        DigitsCNN.make(channels: channels, classes: classes, seed: seed),
        "CNN 1x8x8 -> \(channels) -> \(2 * channels) channels -> \(classes)"
      )
    case .transformer:
      let tokens = dataset.features.scalars
      guard tokens.allSatisfy({ $0 >= 0 && $0 == $0.rounded() && $0 < 100_000 }) else {
        throw TrainingError.invalidOption(
          "model", "transformer: it takes token ids (whole numbers 0..<100000) as features")
      }
      let width = hidden?[0] ?? 32
      guard width % 4 == 0 else {
        throw TrainingError.invalidOption(
          "hidden", "\(width): the transformer's width must be a multiple of its 4 heads")
      }
      let vocabulary = max(Int(tokens.max() ?? 0) + 1, classes)
      try checkSize(parameterEstimate(features: features, outputs: vocabulary, hidden: hidden))
      return (
        SequenceTransformer.make(
          vocabulary: vocabulary, length: features, dModel: width, seed: seed),
        "transformer of width \(width) over \(features) tokens of \(vocabulary)"
      )
    }
  }

  /// About how many parameters the model of these sizes has (`outputs` is the transformer's
  /// vocabulary), in floating point so that huge sizes do not overflow.
  func parameterEstimate(features: Int, outputs: Int, hidden: [Int]?) -> Double {
    switch self {
    case .mlp:
      let widths = [features] + (hidden ?? [100]) + [outputs]
      return zip(widths, widths.dropFirst()).reduce(0) { $0 + Double($1.0 + 1) * Double($1.1) }
    case .cnn:
      let channels = Double(hidden?[0] ?? 16)
      return 9 * channels + 18 * channels * channels + 6 * channels
        + (8 * channels + 1) * Double(outputs)
    case .transformer:
      let width = Double(hidden?[0] ?? 32)
      return 12 * width * width + (2 * Double(outputs) + Double(features)) * width
    }
  }

  /// Throws when `parameters` weights, their gradients and two optimizer buffers would take
  /// more than half of this machine's memory.
  private func checkSize(_ parameters: Double) throws {
    let bytes = parameters * 16
    let memory = Double(ProcessInfo.processInfo.physicalMemory)
    guard bytes <= memory / 2 else {
      throw TrainingError.invalidOption(
        "hidden",
        String(
          format: "%@: the %@ would have about %.3g parameters, needing about %.1f GB for "
            + "weights, gradients and optimizer state, more than half of this machine's %.1f GB",
          "\(self.rawValue) sizes", rawValue, parameters, bytes / 1e9, memory / 1e9))
    }
  }

  /// The model and its task in a figure's title (`"Digits CNN"`).
  public var title: String {
    switch self {
    case .mlp: return "Digits MLP"
    case .cnn: return "Digits CNN"
    case .transformer: return "Transformer on the max of 8 digits"
    }
  }

  /// The data the model learns when no file is given: digits, or for the transformer the
  /// max-of-digits sequences (``SequenceTask``).
  ///
  /// - Throws: what loading digits throws.
  public func defaultDataset(seed: UInt64) throws -> Dataset<Float> {
    self == .transformer ? SequenceTask.maxOfDigits(count: 5000, seed: seed) : try Digits.load()
  }
}

/// The CNN `descent train --model cnn` trains on digits (8x8 images, one channel, given as 64
/// features per row).
public enum DigitsCNN {
  /// `Unflatten(1, (1, 8, 8))`, two blocks of `Conv2d(3x3, padding 1, bias=False) ->
  /// BatchNorm2d -> ReLU -> MaxPool2d(2)` with `channels` and twice as many filters, `Flatten`,
  /// and `Linear` to `classes`, initialised from `seed`. The convolutions have no bias, as is
  /// usual before batch normalization, which subtracts any bias again (its gradient would be
  /// zero up to rounding, which Adam would turn into full-size steps of noise).
  public static func make<Scalar: TensorScalar>(
    channels: Int = 16, classes: Int = 10, seed: UInt64, as _: Scalar.Type = Scalar.self
  ) -> Sequential<Scalar> {
    let saved = GlobalGenerator.state
    defer { GlobalGenerator.state = saved }
    GlobalGenerator.manualSeed(seed)
    return Sequential(
      Unflatten<Scalar>(dim: 1, sizes: [1, 8, 8]),
      Conv2d<Scalar>(inChannels: 1, outChannels: channels, kernelSize: 3, padding: 1, bias: false),
      BatchNorm2d<Scalar>(numFeatures: channels), ReLU<Scalar>(), MaxPool2d<Scalar>(kernelSize: 2),
      Conv2d<Scalar>(
        inChannels: channels, outChannels: 2 * channels, kernelSize: 3, padding: 1, bias: false),
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
