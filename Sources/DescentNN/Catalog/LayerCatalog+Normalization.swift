extension LayerCatalog {
  /// The normalization layers by torch.nn class name, or `nil` for another name.
  static func normalizationLayer<Scalar: TensorScalar>(_ name: String, _ arguments: LayerArguments) throws
    -> (any Module<Scalar>)?
  {
    switch name {
    default: return nil
    }
  }
}
