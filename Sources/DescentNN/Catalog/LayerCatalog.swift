/// Makes a layer from its torch.nn class name and constructor arguments, as the conformance
/// fixtures and the command line name them (`Conv2d` with `in_channels`, `out_channels`, ...).
/// Each family of layers contributes its own builder (`LayerCatalog+Family.swift`).
public enum LayerCatalog {
  /// A layer of torch.nn class `name`, initialised from the global generator.
  ///
  /// - Throws: ``LayerCatalogError`` for an unknown name or a missing or mistyped argument.
  public static func make<Scalar: TensorScalar>(
    _ name: String, _ arguments: LayerArguments, as _: Scalar.Type = Scalar.self
  ) throws -> any Module<Scalar> {
    let builders: [(String, LayerArguments) throws -> (any Module<Scalar>)?] = [
      basicLayer, convolutionLayer, normalizationLayer, attentionLayer,
    ]
    for builder in builders {
      if let layer = try builder(name, arguments) { return layer }
    }
    throw LayerCatalogError.unknownLayer(name)
  }

  /// Linear, the activations of the first version, and Sequential's members that take no
  /// arguments.
  static func basicLayer<Scalar: TensorScalar>(_ name: String, _ arguments: LayerArguments) throws
    -> (any Module<Scalar>)?
  {
    switch name {
    case "Linear":
      return Linear<Scalar>(
        try arguments.positiveInteger("in_features"), try arguments.positiveInteger("out_features"),
        bias: try arguments.boolean("bias", default: true))
    case "ReLU": return ReLU<Scalar>()
    case "Tanh": return Tanh<Scalar>()
    case "Sigmoid": return Sigmoid<Scalar>()
    default: return nil
    }
  }
}
