extension LayerCatalog {
  /// The normalization layers, dropout, embedding and the activations beyond ReLU, Tanh and
  /// Sigmoid by torch.nn class name, or `nil` for another name. Every argument is checked before
  /// a layer is built, so bad arguments from a command line throw instead of stopping.
  static func normalizationLayer<Scalar: TensorScalar>(
    _ name: String, _ arguments: LayerArguments
  ) throws -> (any Module<Scalar>)? {
    switch name {
    case "BatchNorm1d", "BatchNorm2d":
      try arguments.expectOnly(
        ["num_features", "eps", "momentum", "affine", "bias", "track_running_stats"], of: name)
      let numFeatures = try arguments.positiveInteger("num_features")
      let eps = try arguments.nonNegativeNumber("eps", default: 1e-5)
      let momentum: Double?
      switch arguments.values["momentum"] {
      case nil: momentum = 0.1
      case .some(.none): momentum = nil
      default:
        let value = try arguments.number("momentum")
        guard value >= 0 && value <= 1 else {
          throw LayerCatalogError.invalidArgument("momentum", "must be in [0, 1] or None")
        }
        momentum = value
      }
      let affine = try arguments.boolean("affine", default: true)
      let bias = try arguments.boolean("bias", default: true)
      let track = try arguments.boolean("track_running_stats", default: true)
      if name == "BatchNorm1d" {
        return BatchNorm1d<Scalar>(
          numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine, bias: bias,
          trackRunningStats: track)
      }
      return BatchNorm2d<Scalar>(
        numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine, bias: bias,
        trackRunningStats: track)

    case "LayerNorm":
      try arguments.expectOnly(["normalized_shape", "eps", "elementwise_affine", "bias"], of: name)
      let shape: [Int]
      switch arguments.values["normalized_shape"] {
      case .integer(let extent): shape = [extent]
      case .integers(let extents): shape = extents
      case nil, .some(.none): throw LayerCatalogError.missingArgument("normalized_shape")
      default:
        throw LayerCatalogError.invalidArgument("normalized_shape", "not an integer or a tuple")
      }
      guard !shape.isEmpty, shape.allSatisfy({ $0 > 0 }) else {
        throw LayerCatalogError.invalidArgument(
          "normalized_shape", "needs one or more positive extents")
      }
      return LayerNorm<Scalar>(
        normalizedShape: shape, eps: try arguments.nonNegativeNumber("eps", default: 1e-5),
        elementwiseAffine: try arguments.boolean("elementwise_affine", default: true),
        bias: try arguments.boolean("bias", default: true))

    case "Dropout":
      try arguments.expectOnly(["p", "inplace"], of: name)
      let p = try arguments.number("p", default: 0.5)
      guard p >= 0 && p <= 1 else {
        throw LayerCatalogError.invalidArgument("p", "must be between 0 and 1")
      }
      return Dropout<Scalar>(p: p, inplace: try arguments.boolean("inplace", default: false))

    case "Embedding":
      try arguments.expectOnly(
        [
          "num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type",
          "scale_grad_by_freq", "sparse",
        ], of: name)
      let rows = try arguments.positiveInteger("num_embeddings")
      let columns = try arguments.positiveInteger("embedding_dim")
      var padding: Int?
      if let value = arguments.values["padding_idx"], value != .none {
        let index = try arguments.integer("padding_idx")
        guard index >= -rows && index < rows else {
          throw LayerCatalogError.invalidArgument(
            "padding_idx", "must be within num_embeddings (\(rows))")
        }
        padding = index
      }
      if let value = arguments.values["max_norm"], value != .none {
        throw LayerCatalogError.invalidArgument("max_norm", "is not supported (only None)")
      }
      _ = try arguments.number("norm_type", default: 2)  // Used only with max_norm.
      for flag in ["scale_grad_by_freq", "sparse"] {
        if try arguments.boolean(flag, default: false) {
          throw LayerCatalogError.invalidArgument(flag, "is not supported (only False)")
        }
      }
      return Embedding<Scalar>(numEmbeddings: rows, embeddingDim: columns, paddingIdx: padding)

    case "GELU":
      try arguments.expectOnly(["approximate"], of: name)
      let text = try arguments.text("approximate", default: "none")
      guard let approximate = GELUApproximation(rawValue: text) else {
        throw LayerCatalogError.invalidArgument("approximate", "must be 'none' or 'tanh'")
      }
      return GELU<Scalar>(approximate: approximate)

    case "SiLU":
      try arguments.expectOnly(["inplace"], of: name)
      return SiLU<Scalar>(inplace: try arguments.boolean("inplace", default: false))

    case "LeakyReLU":
      try arguments.expectOnly(["negative_slope", "inplace"], of: name)
      let slope = try arguments.number("negative_slope", default: 0.01)
      guard slope.isFinite else {
        throw LayerCatalogError.invalidArgument("negative_slope", "must be finite")
      }
      return LeakyReLU<Scalar>(
        negativeSlope: slope, inplace: try arguments.boolean("inplace", default: false))

    case "Softmax", "LogSoftmax":
      try arguments.expectOnly(["dim"], of: name)
      var dim: Int?
      if let value = arguments.values["dim"], value != .none {
        dim = try arguments.integer("dim")
      }
      return name == "Softmax" ? Softmax<Scalar>(dim: dim) : LogSoftmax<Scalar>(dim: dim)

    default: return nil
    }
  }
}

extension LayerArguments {
  /// Throws for the first argument (in name order) that `layer` does not take.
  fileprivate func expectOnly(_ names: Set<String>, of layer: String) throws {
    if let unknown = values.keys.sorted().first(where: { !names.contains($0) }) {
      throw LayerCatalogError.invalidArgument(unknown, "not an argument of \(layer)")
    }
  }

  /// A number argument that must be finite and not negative, or `fallback` when absent.
  fileprivate func nonNegativeNumber(_ name: String, default fallback: Double) throws -> Double {
    let value = try number(name, default: fallback)
    guard value >= 0 && value.isFinite else {
      throw LayerCatalogError.invalidArgument(name, "must be finite and not negative")
    }
    return value
  }
}
