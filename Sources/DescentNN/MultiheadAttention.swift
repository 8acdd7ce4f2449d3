/// Multi-head attention, like `torch.nn.MultiheadAttention(embed_dim, num_heads, bias=bias,
/// batch_first=True)` called with `need_weights=False`.
///
/// Inputs are batch-first, `[batch, length, embedDim]` (or `[length, embedDim]` unbatched). The
/// query, key and value are projected by the rows of ``inProjWeight`` (`[3 embedDim, embedDim]`:
/// query, then key, then value) and ``inProjBias``, split into ``numHeads`` heads of ``headDim``
/// features, combined by ``scaledDotProductAttention(query:key:value:attnMask:isCausal:scale:)``
/// and projected back by ``outProj``. Parameters carry PyTorch's state-dict names
/// (`in_proj_weight`, `in_proj_bias`, `out_proj.weight`, `out_proj.bias`) and PyTorch's
/// initialization: Xavier-uniform in-projection, zero biases, and `out_proj.weight` as
/// ``Linear``'s default. Dropout, `add_bias_kv`, `add_zero_attn`, separate `kdim`/`vdim` and a key
/// padding mask are not supported.
public final class MultiheadAttention<Scalar: TensorScalar>: Module {
  /// The number of features of each position, PyTorch's `embed_dim`.
  public let embedDim: Int
  /// The number of heads, PyTorch's `num_heads`.
  public let numHeads: Int
  /// The query, key and value projections stacked, `[3 embedDim, embedDim]`.
  public let inProjWeight: Parameter<Scalar>
  /// Their biases, `[3 embedDim]`, or `nil` when built with `bias: false`.
  public let inProjBias: Parameter<Scalar>?
  /// The output projection, `embedDim` to `embedDim` (printed as PyTorch's
  /// `NonDynamicallyQuantizableLinear`).
  public let outProj: Linear<Scalar>

  /// The number of features per head, `embedDim / numHeads`.
  public var headDim: Int { embedDim / numHeads }

  /// An attention layer initialised from `generator` in PyTorch's order: the output projection
  /// first (as a ``Linear``, whose bias is then zeroed), then the Xavier-uniform in-projection.
  ///
  /// - Precondition: `embedDim` and `numHeads` are positive and `numHeads` divides `embedDim`.
  public init(
    _ embedDim: Int, _ numHeads: Int, bias: Bool = true, generator: inout SeededGenerator
  ) {
    precondition(
      embedDim > 0 && numHeads > 0,
      "MultiheadAttention: embedDim \(embedDim) and numHeads \(numHeads) must be positive")
    precondition(
      embedDim % numHeads == 0,
      "MultiheadAttention: embedDim \(embedDim) is not divisible by numHeads \(numHeads)")
    self.embedDim = embedDim
    self.numHeads = numHeads
    outProj = Linear(embedDim, embedDim, bias: bias, generator: &generator)
    // xavier_uniform_: fan_in embedDim, fan_out 3 embedDim.
    let bound = (Scalar(6) / Scalar(4 * embedDim)).squareRoot()
    inProjWeight = Parameter(
      Tensor(uniform: [3 * embedDim, embedDim], low: -bound, high: bound, generator: &generator))
    inProjBias = bias ? Parameter(Tensor(zeros: [3 * embedDim])) : nil
    outProj.bias?.value = Tensor(zeros: [embedDim])
  }

  /// An attention layer initialised from the global generator (see
  /// ``GlobalGenerator/manualSeed(_:)``).
  public convenience init(_ embedDim: Int, _ numHeads: Int, bias: Bool = true) {
    var generator = GlobalGenerator.state
    self.init(embedDim, numHeads, bias: bias, generator: &generator)
    GlobalGenerator.state = generator
  }

  /// Self-attention of `input` without a mask.
  public func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    selfAttention(input, attnMask: nil)
  }

  /// Self-attention of `input` (query, key and value at once, projected by one product), like
  /// `m(x, x, x, attn_mask=attnMask, need_weights=False)[0]`.
  ///
  /// - Parameters:
  ///   - attnMask: an additive float mask, `[length, length]` or
  ///     `[batch * numHeads, length, length]`, e.g. ``causalMask(_:)``.
  ///   - isCausal: masks every key after its query (as a mask from ``causalMask(_:)`` would);
  ///     then `attnMask` must be `nil`.
  public func selfAttention(
    _ input: Tensor<Scalar>, attnMask: Tensor<Scalar>?, isCausal: Bool = false
  ) -> Tensor<Scalar> {
    let unbatched = input.rank == 2
    let x = unbatched ? input.unsqueezed(at: 0) : input
    checkInput(x, "input")
    let (batch, length) = (x.shape[0], x.shape[1])
    // One product for query, key and value: [B, L, 3E] -> [3, B, H, L, D] as views.
    let projected = x.linear(weight: inProjWeight.value, bias: inProjBias?.value)
      .reshaped([batch, length, 3, numHeads, headDim]).permuted([2, 0, 3, 1, 4])
    let output = attend(
      query: projected.selected(axis: 0, index: 0), key: projected.selected(axis: 0, index: 1),
      value: projected.selected(axis: 0, index: 2), attnMask: attnMask, isCausal: isCausal)
    return unbatched ? output.squeezed(axis: 0) : output
  }

  /// Attention of `query` (`[batch, targetLength, embedDim]`) over `key` and `value`
  /// (`[batch, sourceLength, embedDim]`), like `m(query, key, value, attn_mask=attnMask,
  /// need_weights=False)[0]`; the output has the query's shape.
  ///
  /// - Parameters:
  ///   - attnMask: an additive float mask, `[targetLength, sourceLength]` or
  ///     `[batch * numHeads, targetLength, sourceLength]`.
  ///   - isCausal: masks every key position after the query's; then `attnMask` must be `nil`.
  public func forward(
    query: Tensor<Scalar>, key: Tensor<Scalar>, value: Tensor<Scalar>,
    attnMask: Tensor<Scalar>? = nil, isCausal: Bool = false
  ) -> Tensor<Scalar> {
    let unbatched = query.rank == 2
    let (q, k, v) =
      unbatched
      ? (query.unsqueezed(at: 0), key.unsqueezed(at: 0), value.unsqueezed(at: 0))
      : (query, key, value)
    checkInput(q, "query")
    checkInput(k, "key")
    checkInput(v, "value")
    precondition(
      k.shape == v.shape && k.shape[0] == q.shape[0],
      "MultiheadAttention: query \(q.shape), key \(k.shape) and value \(v.shape) do not match")
    let weight = inProjWeight.value
    let bias = inProjBias?.value
    /// The projection by rows `part` of the in-projection, split into heads: [B, H, L, D].
    func project(_ x: Tensor<Scalar>, _ part: Int) -> Tensor<Scalar> {
      let rows = (part * embedDim)..<((part + 1) * embedDim)
      return x.linear(
        weight: weight.narrowed(axis: 0, range: rows), bias: bias?.narrowed(axis: 0, range: rows)
      ).reshaped([x.shape[0], x.shape[1], numHeads, headDim]).permuted([0, 2, 1, 3])
    }
    let output = attend(
      query: project(q, 0), key: project(k, 1), value: project(v, 2), attnMask: attnMask,
      isCausal: isCausal)
    return unbatched ? output.squeezed(axis: 0) : output
  }

  /// ``forward(query:key:value:attnMask:isCausal:)``, as PyTorch's `m(query, key, value)`.
  public func callAsFunction(
    _ query: Tensor<Scalar>, _ key: Tensor<Scalar>, _ value: Tensor<Scalar>,
    attnMask: Tensor<Scalar>? = nil, isCausal: Bool = false
  ) -> Tensor<Scalar> {
    forward(query: query, key: key, value: value, attnMask: attnMask, isCausal: isCausal)
  }

  /// The additive causal mask of `length` positions, `[length, length]`: 0 on and below the
  /// diagonal, -inf above it, like `nn.Transformer.generate_square_subsequent_mask(length)`.
  public static func causalMask(_ length: Int) -> Tensor<Scalar> {
    causalAttentionMask(queries: length, keys: length)
  }

  /// The heads `[B, H, L, D]` attended, merged to `[B, L, E]` and projected.
  private func attend(
    query: Tensor<Scalar>, key: Tensor<Scalar>, value: Tensor<Scalar>, attnMask: Tensor<Scalar>?,
    isCausal: Bool
  ) -> Tensor<Scalar> {
    let (batch, length, source) = (query.shape[0], query.shape[2], key.shape[2])
    var mask = attnMask
    if let given = attnMask, given.rank == 3 {
      precondition(
        given.shape == [batch * numHeads, length, source],
        "MultiheadAttention: a 3-D attnMask must be \([batch * numHeads, length, source]), "
          + "not \(given.shape)")
      mask = given.reshaped([batch, numHeads, length, source])
    } else if let given = attnMask {
      precondition(
        given.shape == [length, source],
        "MultiheadAttention: attnMask must be \([length, source]), not \(given.shape)")
    }
    let heads = scaledDotProductAttention(
      query: query, key: key, value: value, attnMask: mask, isCausal: isCausal)
    let merged = heads.permuted([0, 2, 1, 3]).reshaped([batch, length, embedDim])
    return outProj(merged)
  }

  /// Stops unless `x` is `[batch, length, embedDim]`.
  private func checkInput(_ x: Tensor<Scalar>, _ name: String) {
    precondition(
      x.rank == 3 && x.shape[2] == embedDim,
      "MultiheadAttention(\(embedDim), \(numHeads)): \(name) must be [batch, length, \(embedDim)] "
        + "(or [length, \(embedDim)]), not \(x.shape)")
  }

  /// PyTorch's names: `in_proj_weight`, `in_proj_bias`, then the `out_proj` child.
  public func namedMembers() -> [(name: String, member: ModuleMember<Scalar>)] {
    var members: [(name: String, member: ModuleMember<Scalar>)] = [
      ("in_proj_weight", .parameter(inProjWeight))
    ]
    if let inProjBias { members.append(("in_proj_bias", .parameter(inProjBias))) }
    members.append(("out_proj", .module(outProj)))
    return members
  }

  /// PyTorch's printed form, in which the output projection is a
  /// `NonDynamicallyQuantizableLinear`.
  public var description: String {
    "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear("
      + "\(outProj.extraDescription))\n)"
  }
}

/// Scaled dot-product attention, like `torch.nn.functional.scaled_dot_product_attention`:
/// `softmax(query keyᵀ · scale + mask) value` over the last two axes, batched over the leading
/// ones (`[..., L, D]` queries, `[..., S, D]` keys, `[..., S, Dv]` values), composed of
/// differentiable operations.
///
/// - Parameters:
///   - attnMask: an additive float mask broadcast to `[..., L, S]` (-inf where a query must not
///     look).
///   - isCausal: masks every key after its query (top-left aligned, as PyTorch's); `attnMask`
///     must be `nil` then.
///   - scale: the factor of the scores, by default `1 / sqrt(D)`.
/// - Precondition: the shapes agree as above. A query row masked entirely gives NaN.
public func scaledDotProductAttention<Scalar>(
  query: Tensor<Scalar>, key: Tensor<Scalar>, value: Tensor<Scalar>,
  attnMask: Tensor<Scalar>? = nil, isCausal: Bool = false, scale: Scalar? = nil
) -> Tensor<Scalar> {
  precondition(
    query.rank >= 2 && key.rank >= 2 && value.rank >= 2
      && query.shape[query.rank - 1] == key.shape[key.rank - 1]
      && key.shape[key.rank - 2] == value.shape[value.rank - 2],
    "scaledDotProductAttention of query \(query.shape), key \(key.shape), value \(value.shape)")
  precondition(
    !(isCausal && attnMask != nil), "scaledDotProductAttention: both attnMask and isCausal given")
  let factor = scale ?? 1 / Scalar(query.shape[query.rank - 1]).squareRoot()
  var scores = query.matmul(key.transposed(-1, -2)) * factor
  if isCausal {
    scores =
      scores
      + causalAttentionMask(queries: query.shape[query.rank - 2], keys: key.shape[key.rank - 2])
  }
  if let attnMask { scores = scores + attnMask }
  return scores.softmax(axis: -1).matmul(value)
}

/// `[queries, keys]`: 0 where the key's position is at most the query's, else -inf.
private func causalAttentionMask<Scalar: TensorScalar>(queries: Int, keys: Int) -> Tensor<Scalar> {
  var values = [Scalar](repeating: 0, count: queries * keys)
  for row in 0..<queries {
    for column in (row + 1)..<Swift.max(keys, row + 1) { values[row * keys + column] = -.infinity }
  }
  return Tensor(shape: [queries, keys], scalars: values)
}
