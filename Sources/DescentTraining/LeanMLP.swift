import DescentNN

/// A fused forward and backward pass for multilayer perceptrons — `Linear` layers with ReLU
/// between them — that trains with cross-entropy without building an autograd graph.
///
/// Every buffer is allocated once, for the largest batch; a step then makes no allocation: matrix
/// products go to BLAS, the bias add, ReLU and its mask, and softmax with cross-entropy and its
/// gradient are fused loops. Gradients are written into the parameters' `grad` tensors in place
/// (the same values autograd computes, to float rounding), so any optimizer steps on them.
public final class LeanMLP<Scalar: TensorScalar> {
  /// The layers, input first.
  public let layers: [Linear<Scalar>]
  private let batchCapacity: Int
  /// Pre-activations (then activations, in place) of each layer's output; the last holds logits,
  /// then the loss gradient.
  private var outputs: [[Scalar]]
  /// The gradient with respect to each hidden layer's activation.
  private var hiddenGrads: [[Scalar]]
  /// The input batch, gathered row by row.
  private var input: [Scalar]

  /// A lean path for `model` when it is a `Sequential` of `Linear` layers with a `ReLU` between
  /// each two (and nothing else); `nil` otherwise.
  public convenience init?(_ model: any Module<Scalar>, batchCapacity: Int) {
    guard let sequential = model as? Sequential<Scalar> else { return nil }
    var layers: [Linear<Scalar>] = []
    for (index, layer) in sequential.layers.enumerated() {
      if index % 2 == 0 {
        guard let linear = layer as? Linear<Scalar>, linear.bias != nil else { return nil }
        if let previous = layers.last, previous.outFeatures != linear.inFeatures { return nil }
        layers.append(linear)
      } else {
        guard layer is ReLU<Scalar> else { return nil }
      }
    }
    guard !layers.isEmpty, sequential.layers.count % 2 == 1 else { return nil }
    self.init(layers: layers, batchCapacity: batchCapacity)
  }

  /// A lean path over `layers` (ReLU between each two) for batches of up to `batchCapacity`.
  public init(layers: [Linear<Scalar>], batchCapacity: Int) {
    precondition(batchCapacity > 0, "batch capacity \(batchCapacity)")
    self.layers = layers
    self.batchCapacity = batchCapacity
    outputs = layers.map { [Scalar](repeating: 0, count: batchCapacity * $0.outFeatures) }
    hiddenGrads = layers.dropLast().map {
      [Scalar](repeating: 0, count: batchCapacity * $0.outFeatures)
    }
    input = [Scalar](repeating: 0, count: batchCapacity * layers[0].inFeatures)
    ensureGradients()
  }

  /// Gives every parameter without a gradient one of zeros (after `zeroGrad()` set it to `nil`),
  /// so that the backward pass can write into it.
  private func ensureGradients() {
    for layer in layers {
      for parameter in [layer.weight, layer.bias!] where !parameter.hasGradient {
        parameter.grad = Tensor(zeros: parameter.shape)
      }
    }
  }

  /// Computes the mean cross-entropy of the samples at `rows` of `features` (a `[n, in]` matrix)
  /// against their `labels`, writes its gradient times `scale` into every parameter's `grad`
  /// (replacing what was there, or adding to it when `accumulate`), and returns the loss and the
  /// number of correctly classified samples.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func lossAndGradient(
    features: Tensor<Scalar>, rows: [Int], labels: [Int], scale: Scalar = 1,
    accumulate: Bool = false
  ) -> (loss: Double, correct: Int) {
    let batch = rows.count
    precondition(
      batch > 0 && batch <= batchCapacity, "batch of \(batch), capacity \(batchCapacity)")
    let width = layers[0].inFeatures
    features.withUnsafeBufferPointer { source in
      input.withUnsafeMutableBufferPointer { target in
        for (slot, row) in rows.enumerated() {
          for column in 0..<width { target[slot * width + column] = source[row * width + column] }
        }
      }
    }
    forward(batch: batch)
    let (loss, correct) = softmaxCrossEntropy(batch: batch, labels: labels, scale: scale)
    backward(batch: batch, accumulate: accumulate)
    return (loss, correct)
  }

  private func forward(batch: Int) {
    for (index, layer) in layers.enumerated() {
      let (inWidth, outWidth) = (layer.inFeatures, layer.outFeatures)
      let isLast = index == layers.count - 1
      let source = index == 0 ? input : outputs[index - 1]
      outputs[index].withUnsafeMutableBufferPointer { out in
        layer.bias!.withUnsafeValues { b in
          for row in 0..<batch {
            for column in 0..<outWidth { out[row * outWidth + column] = b[column] }
          }
        }
        source.withUnsafeBufferPointer { x in
          layer.weight.withUnsafeValues { w in
            Scalar.gemm(
              transposeA: false, transposeB: true, m: batch, n: outWidth, k: inWidth, alpha: 1,
              a: x.baseAddress!, lda: inWidth, b: w.baseAddress!, ldb: inWidth, beta: 1,
              c: out.baseAddress!, ldc: outWidth)
          }
        }
        if !isLast {
          for element in 0..<(batch * outWidth) where out[element] < 0 { out[element] = 0 }
        }
      }
    }
  }

  /// Turns the logits into `scale` times the gradient of the mean cross-entropy,
  /// `(softmax - onehot) / batch`, and returns the loss and the count of correct predictions.
  private func softmaxCrossEntropy(batch: Int, labels: [Int], scale gradientScale: Scalar) -> (
    Double, Int
  ) {
    let classes = layers[layers.count - 1].outFeatures
    var loss: Scalar = 0
    var correct = 0
    let scale = gradientScale / Scalar(batch)
    outputs[layers.count - 1].withUnsafeMutableBufferPointer { logits in
      for row in 0..<batch {
        let base = row * classes
        var largest = logits[base]
        var best = 0
        for column in 1..<classes where logits[base + column] > largest {
          largest = logits[base + column]
          best = column
        }
        if best == labels[row] { correct += 1 }
        var total: Scalar = 0
        for column in 0..<classes {
          let e = Scalar.exp(logits[base + column] - largest)
          logits[base + column] = e
          total += e
        }
        let label = labels[row]
        loss += Scalar.log(total) - Scalar.log(logits[base + label])
        let inverse = 1 / total
        for column in 0..<classes {
          logits[base + column] = logits[base + column] * inverse * scale
        }
        logits[base + label] -= scale
      }
    }
    return (Double(loss) / Double(batch), correct)
  }

  private func backward(batch: Int, accumulate: Bool) {
    ensureGradients()
    for index in layers.indices.reversed() {
      let layer = layers[index]
      let (inWidth, outWidth) = (layer.inFeatures, layer.outFeatures)
      let upstream = index == layers.count - 1 ? outputs[index] : hiddenGrads[index]
      let activation = index == 0 ? input : outputs[index - 1]
      upstream.withUnsafeBufferPointer { dy in
        layer.bias!.withUnsafeMutableGradient { db in
          if !accumulate { for column in 0..<outWidth { db[column] = 0 } }
          for row in 0..<batch {
            for column in 0..<outWidth { db[column] += dy[row * outWidth + column] }
          }
        }
        activation.withUnsafeBufferPointer { x in
          layer.weight.withUnsafeMutableGradient { dw in
            Scalar.gemm(
              transposeA: true, transposeB: false, m: outWidth, n: inWidth, k: batch, alpha: 1,
              a: dy.baseAddress!, lda: outWidth, b: x.baseAddress!, ldb: inWidth,
              beta: accumulate ? 1 : 0, c: dw.baseAddress!, ldc: inWidth)
          }
        }
        guard index > 0 else { return }
        hiddenGrads[index - 1].withUnsafeMutableBufferPointer { dx in
          layer.weight.withUnsafeValues { w in
            Scalar.gemm(
              transposeA: false, transposeB: false, m: batch, n: inWidth, k: outWidth, alpha: 1,
              a: dy.baseAddress!, lda: outWidth, b: w.baseAddress!, ldb: inWidth, beta: 0,
              c: dx.baseAddress!, ldc: inWidth)
          }
          activation.withUnsafeBufferPointer { a in
            for element in 0..<(batch * inWidth) where a[element] <= 0 { dx[element] = 0 }
          }
        }
      }
    }
  }
}
