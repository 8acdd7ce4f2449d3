import DescentTensor
import Foundation

/// How Muon scales its learning rate by the shape `[A, B]` of a matrix (PyTorch's
/// `adjust_lr_fn`).
public enum MuonLRAdjustment: String, Sendable, CaseIterable {
  /// `lr * sqrt(max(1, A / B))` (Keller Jordan's original; also PyTorch's `None`).
  case original
  /// `lr * 0.2 * sqrt(max(A, B))`, which matches the update RMS of AdamW (Moonshot's).
  case matchRMSAdamW = "match_rms_adamw"

  /// The factor for a matrix of `rows` by `columns`.
  public func ratio(rows: Int, columns: Int) -> Double {
    switch self {
    case .original: return Foundation.sqrt(pythonMax(1, Double(rows) / Double(columns)))
    case .matchRMSAdamW: return 0.2 * Foundation.sqrt(Double(Swift.max(rows, columns)))
    }
  }
}

/// Muon's hyperparameters, with PyTorch's defaults.
public struct MuonHyperparameters: MomentumHyperparameters {
  /// The learning rate (default 0.001).
  public var lr = 0.001
  /// The decoupled weight decay: the parameter is multiplied by `1 - lr * weightDecay`, with
  /// the unadjusted lr (default 0.1).
  public var weightDecay = 0.1
  /// The momentum factor (default 0.95).
  public var momentum = 0.95
  /// Whether Newton-Schulz orthogonalizes the Nesterov look-ahead rather than the buffer
  /// (default true).
  public var nesterov = true
  /// The coefficients `(a, b, c)` of the quintic Newton-Schulz iteration
  /// `X = a X + (b A + c A^2) X`, `A = X X^T` (default (3.4445, -4.775, 2.0315)).
  public var nsCoefficients = (3.4445, -4.7750, 2.0315)
  /// The floor of the Frobenius norm the update is divided by (default 1e-7).
  public var eps = 1e-7
  /// The number of Newton-Schulz iterations (default 5).
  public var nsSteps = 5
  /// How the learning rate scales with the matrix's shape; `nil` is PyTorch's `None`, the
  /// same as ``MuonLRAdjustment/original`` (default nil).
  public var adjustLrFn: MuonLRAdjustment? = nil
  /// Descent's own option: run Newton-Schulz in float32 throughout instead of rounding to
  /// bfloat16 after every operation as PyTorch does (default false: PyTorch's numbers).
  public var nsFloat32 = false

  /// PyTorch's defaults.
  public init() {}
}

extension MuonHyperparameters: DeclaredHyperparameters {
  /// `"Muon"`.
  public static var optimizerName: String { "Muon" }

  /// lr, weight decay, momentum and eps `>= 0`; three finite coefficients; at most 99 steps;
  /// `adjustLrFn` one of `nil` (or `None`), `original`, `match_rms_adamw`.
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative), .number("weightDecay", \.weightDecay, .nonNegative),
      .number("momentum", \.momentum, .nonNegative), .flag("nesterov", \.nesterov),
      HyperparameterField(
        "nsCoefficients",
        read: { settings, reader in
          let coefficients = try reader.list("nsCoefficients")
          guard coefficients.count == 3 else {
            throw OptimizerError.invalidHyperparameter(
              optimizer: "Muon", name: "nsCoefficients",
              value: HyperparameterValue.list(coefficients).description,
              requirement: "three numbers")
          }
          settings.nsCoefficients = (coefficients[0], coefficients[1], coefficients[2])
        },
        value: { .list([$0.nsCoefficients.0, $0.nsCoefficients.1, $0.nsCoefficients.2]) },
        check: { settings, check in
          let (a, b, c) = settings.nsCoefficients
          try check.require(
            a.isFinite && b.isFinite && c.isFinite, "nsCoefficients",
            HyperparameterValue.list([a, b, c]), "finite")
        }),
      .number("eps", \.eps, .nonNegative), .whole("nsSteps", \.nsSteps, in: 0...99),
      HyperparameterField(
        "adjustLrFn",
        read: { settings, reader in
          let text = try reader.text("adjustLrFn")
          if text == "nil" || text == "None" {
            settings.adjustLrFn = nil
            return
          }
          guard let adjustment = MuonLRAdjustment(rawValue: text) else {
            throw OptimizerError.invalidHyperparameter(
              optimizer: "Muon", name: "adjustLrFn", value: text,
              requirement: "nil, original or match_rms_adamw")
          }
          settings.adjustLrFn = adjustment
        }, value: { .text($0.adjustLrFn?.rawValue ?? "nil") }),
      .flag("nsFloat32", \.nsFloat32),
    ]
  }

  /// Equal when every hyperparameter is (tuples are not `Equatable`).
  public static func == (lhs: Self, rhs: Self) -> Bool { lhs.entries == rhs.entries }
}

/// Muon (MomentUm Orthogonalized by Newton-Schulz), as `torch.optim.Muon` (PyTorch 2.9+), for
/// matrices only: `B = lerp(B, G, 1 - momentum)`; `U = nesterov ? lerp(G, B, momentum) : B`;
/// `O = NewtonSchulz(U)` (the nearest semi-orthogonal matrix, approximately); then
/// `p *= 1 - lr * weightDecay` and `p -= lr * ratio(shape) * O`.
///
/// Newton-Schulz divides `U` (transposed when it has more rows than columns) by
/// `max(|U|_F, eps)` and iterates `A = X X^T`, `X = a X + (b A + c A A) X`. As PyTorch, it runs
/// in bfloat16: every operation's result is rounded to the nearest bfloat16 (the matrix
/// products accumulate in float32 through BLAS, as PyTorch's CPU kernels do);
/// `nsFloat32: true` keeps float32 throughout.
public enum MuonUpdate<Scalar: LaneScalar>: DirectAlgorithm {
  /// `"Muon"`.
  public static var name: String { "Muon" }

  /// Only matrices: Muon orthogonalizes each parameter's update as a matrix.
  public static func unsupportedReason(for parameter: Parameter<Scalar>) -> String? {
    parameter.shape.count == 2
      ? nil
      : "Muon takes 2-D parameters only, not shape \(parameter.shape); give biases, norms and "
        + "embeddings to AdamW (see Muon.splitting)"
  }

  /// `momentum_buffer`, zeros.
  public static func initialState(for parameter: Parameter<Scalar>, _: MuonHyperparameters)
    -> ParameterState<Scalar>
  {
    ParameterState(count: parameter.count, buffers: [("momentum_buffer", 0)])
  }

  /// One step of `parameter`; `state.step` is already incremented.
  public static func update(
    _ parameter: Parameter<Scalar>, gradient: Tensor<Scalar>, state: inout ParameterState<Scalar>,
    hyperparameters settings: MuonHyperparameters, path _: KernelPath
  ) {
    precondition(
      parameter.shape.count == 2 && gradient.shape == parameter.shape,
      "Muon: gradient of shape \(gradient.shape) for a parameter of shape \(parameter.shape)")
    let (rows, columns) = (parameter.shape[0], parameter.shape[1])
    let count = parameter.count
    guard count > 0 else { return }
    let grad = gradient.scalars
    let bufferWeight = Scalar(1 - settings.momentum)
    let momentum = Scalar(settings.momentum)
    var lookAhead = [Scalar](repeating: 0, count: count)
    for index in 0..<count {
      let buffer = state.storage[index].lerp(to: grad[index], weight: bufferWeight)
      state.storage[index] = buffer
      lookAhead[index] = settings.nesterov ? grad[index].lerp(to: buffer, weight: momentum) : buffer
    }
    let orthogonal = NewtonSchulz.orthogonalized(
      lookAhead.map { Float($0) }, rows: rows, columns: columns, settings: settings)
    let adjustedLR =
      settings.lr
      * (settings.adjustLrFn ?? .original).ratio(rows: rows, columns: columns)
    let decay = Scalar(1 - settings.lr * settings.weightDecay)
    let step = Scalar(-adjustedLR)
    parameter.withUnsafeMutableValues { values in
      for index in values.indices {
        values[index] = values[index] * decay + step * Scalar(orthogonal[index])
      }
    }
  }
}

/// Muon's orthogonalization, on float32 matrices through the tensor engine's BLAS products.
enum NewtonSchulz {
  /// The Newton-Schulz orthogonalization of the `rows` x `columns` matrix `update` (row-major),
  /// rounding every operation's result to bfloat16 unless `settings.nsFloat32`; returns the
  /// result row-major.
  static func orthogonalized(
    _ update: [Float], rows: Int, columns: Int, settings: MuonHyperparameters
  ) -> [Float] {
    let float32 = settings.nsFloat32
    func round(_ value: Float) -> Float { float32 ? value : bfloat16Rounded(value) }
    let (a, b, c) = (
      Float(settings.nsCoefficients.0), Float(settings.nsCoefficients.1),
      Float(settings.nsCoefficients.2)
    )
    let transposed = rows > columns
    var x = Tensor<Float>(shape: [rows, columns], scalars: update.map(round))
    if transposed { x = x.transposed().contiguous() }
    let squares = x.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
    let divisor = Swift.max(round(Float(squares.squareRoot())), round(Float(settings.eps)))
    x = Tensor(shape: x.shape, scalars: x.scalars.map { round($0 / divisor) })
    let side = x.shape[0]
    for _ in 0..<settings.nsSteps {
      let gram = Tensor<Float>(
        shape: [side, side], scalars: x.matmul(x.transposed()).scalars.map(round))
      let gramSquared = gram.matmul(gram).scalars
      let polynomial = Tensor<Float>(
        shape: [side, side],
        scalars: zip(gram.scalars, gramSquared).map { round(b * $0 + c * $1) })
      let product = polynomial.matmul(x).scalars
      x = Tensor(shape: x.shape, scalars: zip(x.scalars, product).map { round(a * $0 + $1) })
    }
    return transposed ? x.transposed().contiguous().scalars : x.scalars
  }

  /// `value` rounded to the nearest bfloat16 (ties to even), as float32: what PyTorch's
  /// `.bfloat16()` and every bfloat16 operation store.
  static func bfloat16Rounded(_ value: Float) -> Float {
    guard !value.isNaN else { return value }
    let bits = value.bitPattern
    let rounded = (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000
    return Float(bitPattern: rounded)
  }
}

/// `torch.optim.Muon`: `Muon(hiddenMatrices, lr: 0.02)`. It takes 2-D parameters only; the
/// usual recipe gives the hidden layers' weight matrices to Muon and everything else (biases,
/// norms, embeddings and the output layer) to AdamW.
public final class Muon<Scalar: LaneScalar>: Optimizer<MuonUpdate<Scalar>> {
  /// Muon over `parameters` (all 2-D); an argument left out takes its default from
  /// ``MuonHyperparameters``.
  ///
  /// - Throws: ``OptimizerError/unsupportedParameter(optimizer:group:position:reason:)`` for a
  ///   parameter that is not a matrix; ``OptimizerError`` for invalid hyperparameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, weightDecay: Double? = nil,
    momentum: Double? = nil, nesterov: Bool? = nil,
    nsCoefficients: (Double, Double, Double)? = nil, eps: Double? = nil, nsSteps: Int? = nil,
    adjustLrFn: MuonLRAdjustment? = nil, nsFloat32: Bool? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, weightDecay: weightDecay, momentum: momentum,
      nesterov: nesterov, nsCoefficients: nsCoefficients, eps: eps, nsSteps: nsSteps,
      adjustLrFn: adjustLrFn, nsFloat32: nsFloat32)
  }

  /// Muon over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError/unsupportedParameter(optimizer:group:position:reason:)`` for a
  ///   parameter that is not a matrix; ``OptimizerError`` for invalid hyperparameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, weightDecay: Double? = nil,
    momentum: Double? = nil, nesterov: Bool? = nil,
    nsCoefficients: (Double, Double, Double)? = nil, eps: Double? = nil, nsSteps: Int? = nil,
    adjustLrFn: MuonLRAdjustment? = nil, nsFloat32: Bool? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given([
        "lr": .of(lr), "weightDecay": .of(weightDecay), "momentum": .of(momentum),
        "nesterov": .of(nesterov),
        "nsCoefficients": nsCoefficients.map { .list([$0.0, $0.1, $0.2]) },
        "eps": .of(eps), "nsSteps": .of(nsSteps), "adjustLrFn": .of(adjustLrFn),
        "nsFloat32": .of(nsFloat32),
      ]))
  }

  /// `parameters` split as the usual Muon recipe does: the matrices (2-D) for Muon, everything
  /// else for AdamW. (The output layer's matrix is also better left to AdamW: pass it in `rest`
  /// yourself.)
  public static func splitting(_ parameters: [Parameter<Scalar>]) -> (
    matrices: [Parameter<Scalar>], rest: [Parameter<Scalar>]
  ) {
    (parameters.filter { $0.shape.count == 2 }, parameters.filter { $0.shape.count != 2 })
  }
}
