import DescentTensor
import Foundation

/// Adafactor's hyperparameters, with PyTorch's defaults. Generic over the parameters' scalar
/// type because PyTorch's `eps[0] = None` means that type's machine epsilon: the value stores
/// that epsilon, so it prints and saves as a number.
public struct AdafactorHyperparameters<Scalar: LaneScalar>: DeclaredHyperparameters {
  /// Caps the relative step size `min(lr, 1 / sqrt(step))` and scales weight decay
  /// (default 0.01).
  public var lr = 0.01
  /// The decay exponent: `1 - beta2_t = step ** beta2Decay` (default -0.8).
  public var beta2Decay = -0.8
  /// `eps1` floors the variance estimate (as `eps1^2`) and the row mean; `eps2` floors the
  /// parameter's RMS (default (machine epsilon of `Scalar`, 1e-3)).
  public var eps = (Double(Scalar.ulpOfOne), 1e-3)
  /// The update clipping threshold on the update's RMS (default 1).
  public var d = 1.0
  /// The decoupled weight decay, times `lr` (default 0).
  public var weightDecay = 0.0
  /// PyTorch's choice of implementation; Descent has one, so it has no effect (default false).
  public var foreach = false
  /// Whether to maximize the objective (default false).
  public var maximize = false

  /// PyTorch's defaults.
  public init() {}

  /// `"Adafactor"`.
  public static var optimizerName: String { "Adafactor" }

  /// lr, eps and weight decay `>= 0`, beta2 decay `<= 0`, `d >= 1`.
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative),
      .number("beta2Decay", \.beta2Decay, NumberRule("<= 0") { $0 <= 0 }),
      .pair("eps", \.eps, each: .nonNegative), .number("d", \.d, NumberRule(">= 1") { $0 >= 1 }),
      .number("weightDecay", \.weightDecay, .nonNegative), .flag("foreach", \.foreach),
      .flag("maximize", \.maximize),
    ]
  }

  /// Validated hyperparameters; `eps.0 == nil` is `Scalar`'s machine epsilon, as in PyTorch.
  ///
  /// - Throws: ``OptimizerError/invalidHyperparameter(optimizer:name:value:requirement:)`` for a
  ///   negative lr, eps or weight decay, a positive beta2 decay, `d` below 1, or a value that is
  ///   not finite.
  public init(
    lr: Double = 0.01, beta2Decay: Double = -0.8, eps: (Double?, Double) = (nil, 1e-3),
    d: Double = 1, weightDecay: Double = 0, foreach: Bool = false, maximize: Bool = false
  ) throws {
    self = try Self.given([
      "lr": .number(lr), "beta2Decay": .number(beta2Decay),
      "eps": .pair(eps.0 ?? Double(Scalar.ulpOfOne), eps.1), "d": .number(d),
      "weightDecay": .number(weightDecay), "foreach": .flag(foreach), "maximize": .flag(maximize),
    ])
  }

  /// Equal when every hyperparameter is.
  public static func == (lhs: Self, rhs: Self) -> Bool { lhs.entries == rhs.entries }
}

/// Adafactor, as `torch.optim.Adafactor` (single-tensor path). With `G` the gradient (negated
/// to maximize), `1 - beta2_t = step ** beta2Decay`, `rho = min(lr, 1 / sqrt(step))` and
/// `alpha = max(eps2, RMS(p)) * rho`: the parameter decays by `1 - lr * weightDecay`; a matrix
/// (or batch of matrices) keeps row and column means of `G^2` (`row_var`, `col_var`), lerped by
/// `1 - beta2_t`, and estimates `V = row_var col_var / max(mean(row_var), eps1)`; a vector keeps
/// `variance`, lerped likewise, as `V`. Then `U = G / sqrt(max(V, eps1^2))` and
/// `p -= alpha / max(1, RMS(U) / d) * U`.
///
/// `row_var` and `col_var` are smaller than the parameter; they are kept at the front of
/// parameter-sized buffers (the rest is zeros), and ``Adafactor/stateDict()`` exports them at
/// their own sizes.
public enum AdafactorUpdate<Scalar: LaneScalar>: DirectAlgorithm {
  /// `"Adafactor"`.
  public static var name: String { "Adafactor" }
  /// State is created at a parameter's first step.
  public static var createsStateEagerly: Bool { false }

  /// The factored geometry of a parameter of `shape`: how many matrices (the leading
  /// dimensions) of how many rows and columns; `nil` when it has fewer than two dimensions (and
  /// keeps `variance` instead). `row_var` holds `batch * rows` elements, `col_var`
  /// `batch * columns`.
  public static func factors(of shape: [Int]) -> (batch: Int, rows: Int, columns: Int)? {
    guard shape.count >= 2 else { return nil }
    return (shape.dropLast(2).reduce(1, *), shape[shape.count - 2], shape[shape.count - 1])
  }

  /// `row_var` and `col_var` for a matrix, `variance` for a vector or scalar; all zeros.
  public static func initialState(
    for parameter: Parameter<Scalar>, _ settings: AdafactorHyperparameters<Scalar>
  ) -> ParameterState<Scalar> {
    let names = factors(of: parameter.shape) == nil ? ["variance"] : ["row_var", "col_var"]
    return ParameterState(count: parameter.count, buffers: names.map { ($0, 0) })
  }

  /// One step of `parameter`; `state.step` is already incremented.
  public static func update(
    _ parameter: Parameter<Scalar>, gradient: Tensor<Scalar>, state: inout ParameterState<Scalar>,
    hyperparameters settings: AdafactorHyperparameters<Scalar>, path: KernelPath
  ) {
    let count = parameter.count
    precondition(gradient.count == count, "gradient of shape \(gradient.shape) for \(parameter)")
    guard count > 0 else { return }
    let step = Double(state.step)
    let weight = Scalar(pythonPower(step, settings.beta2Decay))
    let rho = pythonMin(settings.lr, 1 / pythonPower(step, 0.5))
    let root = Double(count).squareRoot()
    let grad = settings.maximize ? gradient.scalars.map { -$0 } : gradient.scalars
    let estimate: [Scalar]
    if let geometry = factors(of: parameter.shape) {
      estimate = factoredEstimate(
        grad, geometry, state: &state.storage, weight: weight, eps1: Scalar(settings.eps.0))
    } else {
      for index in 0..<count {
        state.storage[index] = state.storage[index].lerp(
          to: grad[index] * grad[index], weight: weight)
      }
      estimate = state.storage
    }
    let floor = Scalar(settings.eps.0 * settings.eps.0)
    let update = (0..<count).map { 1 / Swift.max(estimate[$0], floor).squareRoot() * grad[$0] }
    let denominator = pythonMax(1, Double(norm(update)) / (root * settings.d))
    parameter.withUnsafeMutableValues { values in
      let alpha = pythonMax(settings.eps.1, Double(norm(values)) / root) * rho
      if settings.weightDecay != 0 {
        let decay = Scalar(1 - settings.lr * settings.weightDecay)
        for index in values.indices { values[index] *= decay }
      }
      let factor = Scalar(-alpha / denominator)
      for index in values.indices {
        values[index] = values[index].addingProduct(factor, update[index])
      }
    }
  }

  /// Lerps `row_var` (at the front of `storage`) and `col_var` (at the front of its second
  /// buffer) towards the row and column means of `grad^2`, and returns the variance estimate
  /// `row_var col_var / max(mean(row_var), eps1)` of every element.
  static func factoredEstimate(
    _ grad: [Scalar], _ geometry: (batch: Int, rows: Int, columns: Int),
    state storage: inout [Scalar], weight: Scalar, eps1: Scalar
  ) -> [Scalar] {
    let (batch, rows, columns) = geometry
    let columnStart = grad.count
    var estimate = [Scalar](repeating: 0, count: grad.count)
    for matrix in 0..<batch {
      let base = matrix * rows * columns
      let rowVar = matrix * rows
      let colVar = columnStart + matrix * columns
      for row in 0..<rows {
        let rowNorm = norm(grad[(base + row * columns)..<(base + (row + 1) * columns)])
        storage[rowVar + row] = storage[rowVar + row].lerp(
          to: rowNorm * rowNorm / Scalar(columns), weight: weight)
      }
      for column in 0..<columns {
        let columnNorm = norm(
          stride(from: base + column, to: base + rows * columns, by: columns).lazy.map { grad[$0] })
        storage[colVar + column] = storage[colVar + column].lerp(
          to: columnNorm * columnNorm / Scalar(rows), weight: weight)
      }
      let rowMean = storage[rowVar..<(rowVar + rows)].reduce(0, +) / Scalar(rows)
      let divisor = Swift.max(rowMean, eps1)
      for row in 0..<rows {
        for column in 0..<columns {
          estimate[base + row * columns + column] =
            storage[rowVar + row] * storage[colVar + column] / divisor
        }
      }
    }
    return estimate
  }

  /// The Euclidean norm of `values` (`torch.linalg.vector_norm`).
  static func norm<S: Sequence<Scalar>>(_ values: S) -> Scalar {
    values.reduce(0) { $0 + $1 * $1 }.squareRoot()
  }
}

/// `torch.optim.Adafactor` (PyTorch 2.5+): `Adafactor(net.parameters(), lr: 0.01)`.
extension AdafactorUpdate {
  /// An ``Adafactor``, whose state dict keeps the factored buffers at their own sizes.
  public static func makeOptimizer(
    groups: [ParameterGroup<Scalar>], defaults: Settings, name _: String
  ) throws -> Optimizer<Self> {
    try Adafactor(groups: groups, defaults: defaults)
  }
}

public final class Adafactor<Scalar: LaneScalar>: Optimizer<AdafactorUpdate<Scalar>> {
  /// Adafactor over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double = 0.01, beta2Decay: Double = -0.8,
    eps: (Double?, Double) = (nil, 1e-3), d: Double = 1, weightDecay: Double = 0,
    foreach: Bool = false, maximize: Bool = false
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, beta2Decay: beta2Decay, eps: eps, d: d,
      weightDecay: weightDecay, foreach: foreach, maximize: maximize)
  }

  /// Adafactor over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ groups: [ParameterGroup<Scalar>], lr: Double = 0.01, beta2Decay: Double = -0.8,
    eps: (Double?, Double) = (nil, 1e-3), d: Double = 1, weightDecay: Double = 0,
    foreach: Bool = false, maximize: Bool = false
  ) throws {
    try self.init(
      groups: groups,
      defaults: AdafactorHyperparameters(
        lr: lr, beta2Decay: beta2Decay, eps: eps, d: d, weightDecay: weightDecay,
        foreach: foreach, maximize: maximize))
  }

  /// Adafactor over `groups` from a defaults value (as the optimizer catalog builds it).
  ///
  /// - Throws: ``OptimizerError`` for an empty group, a parameter given twice, or an invalid
  ///   override.
  public init(groups: [ParameterGroup<Scalar>], defaults: AdafactorHyperparameters<Scalar>) throws {
    try super.init(groups: groups, defaults: defaults, name: AdafactorUpdate<Scalar>.name)
  }

  /// The state in PyTorch's structure, with `row_var` and `col_var` at their own sizes
  /// (`batch * rows` and `batch * columns` elements).
  public override func stateDict() -> OptimizerStateDict {
    var dict = super.stateDict()
    for (index, var record) in dict.state {
      guard let factors = AdafactorUpdate<Scalar>.factors(of: record.shape) else { continue }
      record.buffers["row_var"] = record.buffers["row_var"].map {
        Array($0.prefix(factors.batch * factors.rows))
      }
      record.buffers["col_var"] = record.buffers["col_var"].map {
        Array($0.prefix(factors.batch * factors.columns))
      }
      dict.state[index] = record
    }
    return dict
  }

  /// Restores a state saved by ``stateDict()``.
  ///
  /// - Throws: ``OptimizerError/stateDictMismatch(optimizer:reason:)`` when `row_var` or
  ///   `col_var` does not have its parameter's factored size, or as the base class does; the
  ///   optimizer is then unchanged.
  public override func loadStateDict(_ dict: OptimizerStateDict) throws {
    var padded = dict
    for (index, var record) in dict.state {
      guard let factors = AdafactorUpdate<Scalar>.factors(of: record.shape) else { continue }
      let count = record.shape.reduce(1, *)
      for (name, fullSize) in [
        ("row_var", factors.batch * factors.rows), ("col_var", factors.batch * factors.columns),
      ] {
        let size = Swift.min(fullSize, count)  // an empty matrix keeps no factors
        guard let values = record.buffers[name] else { continue }
        guard values.count == size else {
          throw OptimizerError.stateDictMismatch(
            optimizer: self.name,
            reason: "parameter \(index): \(name) has \(values.count) elements, not \(size)")
        }
        record.buffers[name] = values + Array(repeating: 0, count: count - size)
      }
      padded.state[index] = record
    }
    try super.loadStateDict(padded)
  }
}
