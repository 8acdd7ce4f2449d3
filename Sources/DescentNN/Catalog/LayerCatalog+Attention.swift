extension LayerCatalog {
  /// The attention layers by torch.nn class name, or `nil` for another name.
  ///
  /// `MultiheadAttention` takes `embed_dim`, `num_heads`, `bias` (default true) and needs
  /// `batch_first=True`; `dropout` must be 0, `add_bias_kv` and `add_zero_attn` false, and
  /// `kdim`/`vdim` absent or `embed_dim`.
  static func attentionLayer<Scalar: TensorScalar>(_ name: String, _ arguments: LayerArguments)
    throws -> (any Module<Scalar>)?
  {
    switch name {
    case "MultiheadAttention":
      let embedDim = try arguments.integer("embed_dim")
      let numHeads = try arguments.integer("num_heads")
      guard embedDim > 0 else {
        throw LayerCatalogError.invalidArgument("embed_dim", "must be positive, not \(embedDim)")
      }
      guard numHeads > 0 else {
        throw LayerCatalogError.invalidArgument("num_heads", "must be positive, not \(numHeads)")
      }
      guard embedDim % numHeads == 0 else {
        throw LayerCatalogError.invalidArgument(
          "num_heads", "embed_dim \(embedDim) is not divisible by num_heads \(numHeads)")
      }
      guard try arguments.boolean("batch_first", default: false) else {
        throw LayerCatalogError.invalidArgument(
          "batch_first", "only batch_first=True (inputs [batch, length, embed_dim]) is supported")
      }
      guard try arguments.number("dropout", default: 0) == 0 else {
        throw LayerCatalogError.invalidArgument("dropout", "only 0 is supported")
      }
      for flag in ["add_bias_kv", "add_zero_attn"] where try arguments.boolean(flag, default: false)
      {
        throw LayerCatalogError.invalidArgument(flag, "only false is supported")
      }
      for size in ["kdim", "vdim"] where try arguments.integer(size, default: embedDim) != embedDim
      {
        throw LayerCatalogError.invalidArgument(size, "only embed_dim (\(embedDim)) is supported")
      }
      return MultiheadAttention<Scalar>(
        embedDim, numHeads, bias: try arguments.boolean("bias", default: true))
    default: return nil
    }
  }
}
