/// A one-block causal transformer over token sequences, the architecture of the conformance
/// fixtures' `tiny_transformer` (pre-norm, learned positions, exact GELU):
/// ```
/// h = embedding(tokens) + position
/// h = h + attention(ln1(h), causal mask)
/// h = h + fc2(gelu(fc1(ln2(h))))
/// logits = head(ln_f(h))
/// ```
/// Tokens come in as `[batch, length]` whole numbers; the output is `[batch, length, vocab]`, or
/// with ``lastPositionOnly`` the last position's `[batch, vocab]` (a sequence classifier).
public final class TinyTransformer<Scalar: TensorScalar>: Module {
  /// A learned vector per position, `[length, dModel]`.
  public let position: Parameter<Scalar>
  /// The token embedding.
  public let embedding: Embedding<Scalar>
  /// The norm before attention.
  public let ln1: LayerNorm<Scalar>
  /// Causal self-attention.
  public let attention: MultiheadAttention<Scalar>
  /// The norm before the feed-forward block.
  public let ln2: LayerNorm<Scalar>
  /// The feed-forward block's expansion, `dModel -> 4 dModel`.
  public let fc1: Linear<Scalar>
  /// The feed-forward block's projection back, `4 dModel -> dModel`.
  public let fc2: Linear<Scalar>
  /// The final norm.
  public let lnFinal: LayerNorm<Scalar>
  /// The output projection to the vocabulary.
  public let head: Linear<Scalar>
  /// Whether ``forward(_:)`` returns only the last position's logits.
  public let lastPositionOnly: Bool
  private let gelu = GELU<Scalar>()

  /// A transformer for sequences of `length` tokens from a vocabulary of `vocab`, with
  /// `dModel` features split over `heads` attention heads, initialised from the global
  /// generator in PyTorch's module order.
  ///
  /// - Precondition: positive sizes; `heads` divides `dModel`.
  public init(vocab: Int, dModel: Int, heads: Int, length: Int, lastPositionOnly: Bool = false) {
    precondition(
      vocab > 0 && dModel > 0 && heads > 0 && length > 0 && dModel % heads == 0,
      "TinyTransformer(vocab: \(vocab), dModel: \(dModel), heads: \(heads), length: \(length))")
    position = Parameter(Tensor.randn([length, dModel]) * Scalar(0.02))
    embedding = Embedding(numEmbeddings: vocab, embeddingDim: dModel)
    ln1 = LayerNorm(normalizedShape: dModel)
    attention = MultiheadAttention(dModel, heads)
    ln2 = LayerNorm(normalizedShape: dModel)
    fc1 = Linear(dModel, 4 * dModel)
    fc2 = Linear(4 * dModel, dModel)
    lnFinal = LayerNorm(normalizedShape: dModel)
    head = Linear(dModel, vocab)
    self.lastPositionOnly = lastPositionOnly
  }

  /// The logits of every position (`[batch, length, vocab]`), or of the last.
  ///
  /// - Precondition: tokens are `[batch, length]` whole numbers in `0..<vocab`, `length` at most
  ///   the model's.
  public func forward(_ tokens: Tensor<Scalar>) -> Tensor<Scalar> {
    precondition(
      tokens.rank == 2 && tokens.shape[1] <= position.shape[0],
      "TinyTransformer: tokens of shape \(tokens.shape), expected [batch, <= \(position.shape[0])]"
    )
    let length = tokens.shape[1]
    var h = embedding(tokens) + position.value.narrowed(axis: 0, range: 0..<length)
    h = h + attention.selfAttention(ln1(h), attnMask: nil, isCausal: true)
    h = h + fc2(gelu(fc1(ln2(h))))
    if lastPositionOnly { h = h.selected(axis: 1, index: length - 1) }
    return head(lnFinal(h))
  }

  /// PyTorch's names: `position`, then the layers, the final norm as `ln_f`.
  public func namedMembers() -> [(name: String, member: ModuleMember<Scalar>)] {
    [
      ("position", .parameter(position)), ("embedding", .module(embedding)),
      ("ln1", .module(ln1)), ("attention", .module(attention)), ("ln2", .module(ln2)),
      ("fc1", .module(fc1)), ("fc2", .module(fc2)), ("ln_f", .module(lnFinal)),
      ("head", .module(head)),
    ]
  }
}
