import Foundation

/// How a loss combines its per-element values, PyTorch's `reduction` argument.
public enum LossReduction: String, Sendable, CaseIterable {
  /// The mean (PyTorch's default). For class losses with a `weight` or ignored targets it is the
  /// weighted mean over the targets that count: the sum divided by the sum of their weights.
  case mean
  /// The sum.
  case sum
  /// No reduction: one loss per element (per target, for the class losses).
  case none
}

/// Why class labels cannot be used as the targets of a class loss (see
/// ``validateClassLabels(_:classes:ignoreIndex:)``).
public enum ClassLabelError: Error, Equatable, CustomStringConvertible {
  /// The label at `position` (of the flattened labels) is outside `0..<classes` and is not the
  /// ignore index.
  case labelOutOfRange(position: Int, label: Int, classes: Int, ignoreIndex: Int)
  /// A class count below 1.
  case noClasses(Int)

  /// A sentence naming the label and the valid range.
  public var description: String {
    switch self {
    case .labelOutOfRange(let position, let label, let classes, let ignoreIndex):
      return
        "class label \(label) at position \(position) is outside 0..<\(classes) and is not the "
        + "ignore index \(ignoreIndex)"
    case .noClasses(let classes):
      return "a class loss needs at least one class, not \(classes)"
    }
  }
}

extension ClassLabelError: LocalizedError {
  /// The same sentence as ``description``.
  public var errorDescription: String? { description }
}

/// Checks labels from outside input (a data set, a file) before they reach a class loss: each must
/// lie in `0..<classes` or equal `ignoreIndex`.
///
/// - Throws: ``ClassLabelError`` naming the first label that does not.
public func validateClassLabels(_ labels: [Int], classes: Int, ignoreIndex: Int = -100)
  throws(ClassLabelError)
{
  guard classes >= 1 else { throw .noClasses(classes) }
  for (position, label) in labels.enumerated()
  where (label < 0 || label >= classes) && label != ignoreIndex {
    throw .labelOutOfRange(
      position: position, label: label, classes: classes, ignoreIndex: ignoreIndex)
  }
}

/// The mean cross-entropy between `logits` (`[batch, classes]`) and integer class `labels`, like
/// `torch.nn.functional.cross_entropy` with its defaults, in one fused pass through
/// ``Tensor/softmaxCrossEntropy(labels:)``.
///
/// - Precondition: one label per row, each in `0..<classes`.
public func crossEntropy<Scalar>(logits: Tensor<Scalar>, labels: [Int]) -> Tensor<Scalar> {
  crossEntropy(
    logits: logits, labels: labels, weight: nil, ignoreIndex: -100, reduction: .mean,
    labelSmoothing: 0)
}

/// The cross-entropy between unnormalized `logits` and class-index `labels`, like
/// `torch.nn.functional.cross_entropy`.
///
/// `logits` is `[N, C]`, `[N, C, d1, ...]` (the classes along axis 1) or `[C]` (one sample);
/// `labels` holds one class index per sample, flattened row-major over `N, d1, ...`. Per target
/// the loss is `-w[y] log softmax(x)[y]`; with `labelSmoothing` ε it is
/// `(1 - ε) (-w[y] log p[y]) + ε / C · Σ_c (-w[c] log p[c])`. Targets equal to `ignoreIndex` add
/// nothing and have no gradient. `.mean` divides the sum by the summed weight `w[y]` of the
/// targets that count (their number without `weight`); `.none` gives a loss of shape
/// `[N, d1, ...]`.
///
/// The plain case (`[N, C]`, mean, no weight, smoothing or ignored target) is one fused pass
/// (``Tensor/softmaxCrossEntropy(labels:)``).
///
/// - Parameters:
///   - weight: a weight per class, shape `[C]` (a constant: it receives no gradient).
///   - ignoreIndex: a label value that is skipped, PyTorch's `ignore_index`.
///   - reduction: how the per-target losses combine.
///   - labelSmoothing: the smoothing ε in `0...1`, PyTorch's `label_smoothing`.
/// - Precondition: one label per sample, each in `0..<C` or equal to `ignoreIndex` (check labels
///   from outside input with ``validateClassLabels(_:classes:ignoreIndex:)`` first).
public func crossEntropy<Scalar>(
  logits: Tensor<Scalar>, labels: [Int], weight: Tensor<Scalar>? = nil, ignoreIndex: Int = -100,
  reduction: LossReduction = .mean, labelSmoothing: Scalar = 0
) -> Tensor<Scalar> {
  precondition(
    labelSmoothing >= 0 && labelSmoothing <= 1,
    "crossEntropy: labelSmoothing \(labelSmoothing) is outside 0...1")
  let layout = ClassLossLayout(shape: logits.shape, labelCount: labels.count, op: "crossEntropy")
  layout.check(labels, ignoreIndex: ignoreIndex, op: "crossEntropy")
  if logits.rank == 2, layout.batch > 0, weight == nil, labelSmoothing == 0, reduction == .mean,
    !labels.contains(ignoreIndex)
  {
    return logits.softmaxCrossEntropy(labels: labels)
  }
  return classLoss(
    logits, labels: labels, layout: layout, weight: weight, ignoreIndex: ignoreIndex,
    reduction: reduction, labelSmoothing: labelSmoothing, normalizing: true, op: "crossEntropy")
}

/// The negative log-likelihood of class-index `labels` under `logProbabilities` (for example the
/// output of ``Tensor/logSoftmax(axis:)`` along axis 1), like `torch.nn.functional.nll_loss`.
///
/// Shapes, `weight`, `ignoreIndex` and `reduction` are those of
/// ``crossEntropy(logits:labels:weight:ignoreIndex:reduction:labelSmoothing:)``: per target the
/// loss is `-w[y] x[y]`, and `.mean` divides by the summed weight of the targets that count.
///
/// - Precondition: one label per sample, each in `0..<C` or equal to `ignoreIndex`.
public func nllLoss<Scalar>(
  logProbabilities: Tensor<Scalar>, labels: [Int], weight: Tensor<Scalar>? = nil,
  ignoreIndex: Int = -100, reduction: LossReduction = .mean
) -> Tensor<Scalar> {
  let layout = ClassLossLayout(
    shape: logProbabilities.shape, labelCount: labels.count, op: "nllLoss")
  layout.check(labels, ignoreIndex: ignoreIndex, op: "nllLoss")
  return classLoss(
    logProbabilities, labels: labels, layout: layout, weight: weight, ignoreIndex: ignoreIndex,
    reduction: reduction, labelSmoothing: 0, normalizing: false, op: "nllLoss")
}

/// The mean squared error between `input` and `target`, like `torch.nn.functional.mse_loss`.
public func mseLoss<Scalar>(_ input: Tensor<Scalar>, _ target: Tensor<Scalar>) -> Tensor<Scalar> {
  mseLoss(input, target, reduction: .mean)
}

/// The squared error `(input - target)²` (broadcasting), reduced, like
/// `torch.nn.functional.mse_loss`; gradients flow to both arguments.
public func mseLoss<Scalar>(
  _ input: Tensor<Scalar>, _ target: Tensor<Scalar>, reduction: LossReduction = .mean
) -> Tensor<Scalar> {
  reduce((input - target).square(), reduction)
}

/// The absolute error `|input - target|` (broadcasting), reduced, like
/// `torch.nn.functional.l1_loss`; the gradient at a zero difference is 0, as PyTorch's.
public func l1Loss<Scalar>(
  _ input: Tensor<Scalar>, _ target: Tensor<Scalar>, reduction: LossReduction = .mean
) -> Tensor<Scalar> {
  reduce((input - target).abs(), reduction)
}

/// The smooth L1 (Huber-like) error, like `torch.nn.functional.smooth_l1_loss`: with
/// `z = |input - target|` (broadcasting), `0.5 z² / beta` where `z < beta`, else `z - 0.5 beta`;
/// `beta` 0 is the L1 loss.
///
/// - Precondition: `beta >= 0`.
public func smoothL1Loss<Scalar>(
  _ input: Tensor<Scalar>, _ target: Tensor<Scalar>, reduction: LossReduction = .mean,
  beta: Scalar = 1
) -> Tensor<Scalar> {
  precondition(beta >= 0, "smoothL1Loss: beta \(beta) is negative")
  if beta == 0 { return l1Loss(input, target, reduction: reduction) }
  let difference = input - target
  let size = difference.abs()
  let quadratic = difference.square() * Scalar(0.5) / beta
  let linear = size - Scalar(0.5) * beta
  return reduce(Tensor.where(size.detached.lt(Tensor(beta)), quadratic, linear), reduction)
}

/// The binary cross-entropy between `logits` and `target` probabilities (same shape), computed
/// stably from the logits, like `torch.nn.functional.binary_cross_entropy_with_logits`:
/// `-w [p t log σ(x) + (1 - t) log(1 - σ(x))]`, i.e. `(1 - t) x - (1 + (p - 1) t) log σ(x)` times
/// `w`, with `log σ(x) = min(x, 0) - log1p(exp(-|x|))`.
///
/// - Parameters:
///   - weight: a weight per element, broadcast to the input's shape.
///   - reduction: how the per-element losses combine (`.mean` over all elements).
///   - posWeight: the weight `p` of positive targets, broadcast to the input's shape (usually one
///     per class, `[C]`); a constant.
/// - Precondition: `logits` and `target` have the same shape.
public func binaryCrossEntropyWithLogits<Scalar>(
  _ logits: Tensor<Scalar>, _ target: Tensor<Scalar>, weight: Tensor<Scalar>? = nil,
  reduction: LossReduction = .mean, posWeight: Tensor<Scalar>? = nil
) -> Tensor<Scalar> {
  precondition(
    logits.shape == target.shape,
    "binaryCrossEntropyWithLogits: target shape \(target.shape) differs from input shape "
      + "\(logits.shape)")
  var losses = binaryCrossEntropyTerms(logits, target, posWeight: posWeight)
  if let weight { losses = losses * weight }
  return reduce(losses, reduction)
}

// MARK: - Reductions and layouts

/// `losses` combined as `reduction` says; the mean of nothing is NaN, as PyTorch's.
private func reduce<Scalar>(_ losses: Tensor<Scalar>, _ reduction: LossReduction) -> Tensor<Scalar>
{
  switch reduction {
  case .mean: return losses.count == 0 ? losses.sum() / Scalar(0) : losses.mean()
  case .sum: return losses.sum()
  case .none: return losses
  }
}

/// Where the classes and the targets of a class loss's input lie: `[batch, classes, inner...]`
/// in row-major order, the classes of one target `inner` elements apart.
private struct ClassLossLayout {
  /// The extent of the first axis (1 for a `[C]` input).
  let batch: Int
  /// The number of classes.
  let classes: Int
  /// The product of the extents after the class axis.
  let inner: Int
  /// The shape of the unreduced loss: the input's without the class axis.
  let lossShape: [Int]

  /// The layout of an input of `shape` with `labelCount` labels.
  init(shape: [Int], labelCount: Int, op: String) {
    precondition(!shape.isEmpty, "\(op): the input needs a class axis, not shape \(shape)")
    if shape.count == 1 {
      (batch, classes, inner, lossShape) = (1, shape[0], 1, [])
    } else {
      batch = shape[0]
      classes = shape[1]
      inner = shape.dropFirst(2).reduce(1, *)
      lossShape = [shape[0]] + shape.dropFirst(2)
    }
    precondition(classes >= 1, "\(op): input of shape \(shape) has no classes")
    precondition(
      labelCount == batch * inner,
      "\(op): \(labelCount) labels for input of shape \(shape) (which needs \(batch * inner))")
  }

  /// Stops with a message naming the first label outside `0..<classes` that is not ignored.
  func check(_ labels: [Int], ignoreIndex: Int, op: String) {
    do {
      try validateClassLabels(labels, classes: classes, ignoreIndex: ignoreIndex)
    } catch {
      preconditionFailure("\(op): \(error.description)")
    }
  }
}

// MARK: - Class losses

/// Cross-entropy (`normalizing`: log-softmax of the input along the classes first) or
/// negative log-likelihood, with class weights, an ignored label and label smoothing, in one pass
/// over the input; the gradient is computed from the saved log-normalizers.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
private func classLoss<Scalar: TensorScalar>(
  _ input: Tensor<Scalar>, labels: [Int], layout: ClassLossLayout, weight: Tensor<Scalar>?,
  ignoreIndex: Int, reduction: LossReduction, labelSmoothing: Scalar, normalizing: Bool,
  op: String
) -> Tensor<Scalar> {
  let (classes, inner) = (layout.classes, layout.inner)
  var classWeights: [Scalar]? = nil
  if let weight {
    precondition(
      weight.shape == [classes], "\(op): weight of shape \(weight.shape) for \(classes) classes")
    classWeights = weight.scalars
  }
  let values = input.detached.contiguous()
  let targets = labels.count
  var losses = [Scalar](repeating: 0, count: targets)
  var logTotals = [Scalar](repeating: 0, count: normalizing ? targets : 0)
  var denominator: Scalar = 0
  let smoothing = labelSmoothing / Scalar(classes)
  values.withUnsafeBufferPointer { x in
    for target in 0..<targets {
      let label = labels[target]
      if label == ignoreIndex { continue }
      let (sample, spot) = target.quotientAndRemainder(dividingBy: inner)
      let base = sample * classes * inner + spot
      var logTotal: Scalar = 0
      if normalizing {
        var largest = -Scalar.infinity
        for c in 0..<classes where !(x[base + c * inner] <= largest) {
          largest = x[base + c * inner]
        }
        var total: Scalar = 0
        for c in 0..<classes { total += Scalar.exp(x[base + c * inner] - largest) }
        logTotal = largest + Scalar.log(total)
        logTotals[target] = logTotal
      }
      let labelWeight = classWeights?[label] ?? 1
      denominator += labelWeight
      var loss = -labelWeight * (x[base + label * inner] - logTotal)
      if labelSmoothing > 0 {
        var smooth: Scalar = 0
        for c in 0..<classes {
          smooth -= (classWeights?[c] ?? 1) * (x[base + c * inner] - logTotal)
        }
        loss = (1 - labelSmoothing) * loss + smoothing * smooth
      }
      losses[target] = loss
    }
  }
  let value: Tensor<Scalar>
  switch reduction {
  case .none: value = Tensor(shape: layout.lossShape, scalars: losses)
  case .sum: value = Tensor(losses.reduce(0, +))
  case .mean: value = Tensor(losses.reduce(0, +) / denominator)
  }
  let totalWeight = classWeights?.reduce(0, +) ?? Scalar(classes)
  let inputShape = input.shape
  return Tensor.differentiable(value, inputs: [input]) { upstream in
    let seeds = upstream.scalars
    var gradient = Tensor<Scalar>(zeros: inputShape)
    gradient.withUnsafeMutableBufferPointer { g in
      values.withUnsafeBufferPointer { x in
        for target in 0..<targets {
          let label = labels[target]
          if label == ignoreIndex { continue }
          let (sample, spot) = target.quotientAndRemainder(dividingBy: inner)
          let base = sample * classes * inner + spot
          let scale: Scalar
          switch reduction {
          case .none: scale = seeds[target]
          case .sum: scale = seeds[0]
          case .mean: scale = seeds[0] / denominator
          }
          let labelWeight = classWeights?[label] ?? 1
          let picked = scale * (1 - labelSmoothing) * labelWeight
          if normalizing {
            // d/dx_c of -w log p_k is w (p_c - [c = k]).
            let logTotal = logTotals[target]
            let mass = picked + scale * smoothing * totalWeight
            for c in 0..<classes {
              let probability = Scalar.exp(x[base + c * inner] - logTotal)
              var slope = mass * probability
              if labelSmoothing > 0 { slope -= scale * smoothing * (classWeights?[c] ?? 1) }
              g[base + c * inner] = slope
            }
          }
          g[base + label * inner] -= picked
        }
      }
    }
    return [gradient]
  }
}

// MARK: - Binary cross-entropy

/// The unreduced binary cross-entropy of `logits` against `target` (same shape), with the
/// positive-target weight broadcast; differentiable in both (the target's gradient is
/// `-x - (p - 1) log σ(x)`).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
private func binaryCrossEntropyTerms<Scalar: TensorScalar>(
  _ logits: Tensor<Scalar>, _ target: Tensor<Scalar>, posWeight: Tensor<Scalar>?
) -> Tensor<Scalar> {
  let shape = logits.shape
  let x = logits.detached.contiguous().scalars
  let t = target.detached.contiguous().scalars
  let positive = posWeight.map { $0.detached.broadcast(to: shape).contiguous().scalars }
  /// log σ(v), stably.
  func logSigmoid(_ v: Scalar) -> Scalar {
    Swift.min(v, 0) - Scalar.log(onePlus: Scalar.exp(-Swift.abs(v)))
  }
  var losses = [Scalar](repeating: 0, count: x.count)
  for i in x.indices {
    var logProbability = logSigmoid(x[i])
    if let positive { logProbability *= (positive[i] - 1) * t[i] + 1 }
    losses[i] = (1 - t[i]) * x[i] - logProbability
  }
  let value = Tensor(shape: shape, scalars: losses)
  let inputs = target.requiresGrad ? [logits, target] : [logits]
  return Tensor.differentiable(value, inputs: inputs) { upstream in
    let seeds = upstream.scalars
    var inputGradient = [Scalar](repeating: 0, count: x.count)
    for i in x.indices {
      let v = x[i]
      let sigmoid = v >= 0 ? 1 / (1 + Scalar.exp(-v)) : Scalar.exp(v) / (1 + Scalar.exp(v))
      if let positive {
        let weighted = positive[i] * t[i]
        inputGradient[i] = ((weighted + 1 - t[i]) * sigmoid - weighted) * seeds[i]
      } else {
        inputGradient[i] = (sigmoid - t[i]) * seeds[i]
      }
    }
    var gradients = [Tensor(shape: shape, scalars: inputGradient)]
    if inputs.count == 2 {
      let targetGradient = x.indices.map { i in
        let slope = -x[i] - ((positive?[i] ?? 1) - 1) * logSigmoid(x[i])
        return slope * seeds[i]
      }
      gradients.append(Tensor(shape: shape, scalars: targetGradient))
    }
    return gradients
  }
}
