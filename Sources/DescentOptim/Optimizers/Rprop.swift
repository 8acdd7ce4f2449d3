import DescentTensor

/// Rprop's hyperparameters, with PyTorch's defaults.
public struct RpropHyperparameters: Hyperparameters {
  /// The initial step size (default 0.01).
  public var lr = 0.01
  /// The step-size factors on a sign change and on an unchanged sign (default (0.5, 1.2)).
  public var etas = (0.5, 1.2)
  /// The smallest and largest step sizes (default (1e-6, 50)).
  public var stepSizes = (1e-6, 50.0)
  /// Whether to maximize the objective (default false).
  public var maximize = false

  /// PyTorch's defaults.
  public init() {}
}

extension RpropHyperparameters: DeclaredHyperparameters {
  /// `"Rprop"`.
  public static var optimizerName: String { "Rprop" }

  /// lr `>= 0`; `0 < etas.0 < 1 < etas.1`; `0 <= stepSizes.0 <= stepSizes.1`.
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative), .pair("etas", \.etas), .pair("stepSizes", \.stepSizes),
      .flag("maximize", \.maximize),
    ]
  }

  /// The etas around 1 and the step sizes ordered.
  public func checkCombination(_ check: HyperparameterCheck) throws {
    try check.require(
      0 < etas.0 && etas.0 < 1 && 1 < etas.1, "etas", HyperparameterValue.pair(etas.0, etas.1),
      "such that 0 < etas.0 < 1 < etas.1")
    try check.require(
      0 <= stepSizes.0 && stepSizes.0 <= stepSizes.1, "stepSizes",
      HyperparameterValue.pair(stepSizes.0, stepSizes.1),
      "such that 0 <= stepSizes.0 <= stepSizes.1")
  }

  /// Equal when every hyperparameter is (tuples are not `Equatable`).
  public static func == (lhs: Self, rhs: Self) -> Bool { lhs.entries == rhs.entries }
}

/// Rprop, as `torch.optim.Rprop`: per element, the step size grows by `etas.1` while the
/// gradient keeps its sign and shrinks by `etas.0` when it flips (clamped to `stepSizes`); after a
/// flip the gradient counts as zero; `p -= sign(g) * stepSize`.
public struct RpropUpdate<Scalar: LaneScalar>: ElementwiseAlgorithm {
  /// `"Rprop"`.
  public static var name: String { "Rprop" }

  /// `prev` zeros and `step_size` filled with the learning rate.
  public static func initialState(
    for parameter: Parameter<Scalar>, _ settings: RpropHyperparameters
  )
    -> ParameterState<Scalar>
  {
    ParameterState(
      count: parameter.count, buffers: [("prev", 0), ("step_size", Scalar(settings.lr))])
  }

  let maximize: Bool
  let etaMinus: Scalar
  let etaPlus: Scalar
  let minimumStep: Scalar
  let maximumStep: Scalar

  /// The step's constants.
  public init(_ settings: RpropHyperparameters, state: inout ParameterState<Scalar>) {
    maximize = settings.maximize
    (etaMinus, etaPlus) = (Scalar(settings.etas.0), Scalar(settings.etas.1))
    (minimumStep, maximumStep) = (Scalar(settings.stepSizes.0), Scalar(settings.stepSizes.1))
  }

  /// The update of one lane.
  @inline(__always)
  public func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar {
    var g = maximize ? -slots.grad : slots.grad
    let zero = L(repeating: 0)
    let agreement = g * slots.buffer0
    let shrinkOrKeep = L.select(
      zero, greaterThan: agreement, then: L(repeating: etaMinus), otherwise: L(repeating: 1))
    let factor = L.select(
      agreement, greaterThan: zero, then: L(repeating: etaPlus), otherwise: shrinkOrKeep)
    slots.buffer1 = (slots.buffer1 * factor).clamped(
      L(repeating: minimumStep), L(repeating: maximumStep))
    g = L.select(zero, greaterThan: agreement, then: zero, otherwise: g)
    slots.param = slots.param + L(repeating: -1) * g.torchSign * slots.buffer1
    slots.buffer0 = g
  }
}

/// `torch.optim.Rprop`.
/// An argument left out takes its default from ``RpropHyperparameters``.
public final class Rprop<Scalar: LaneScalar>: Optimizer<RpropUpdate<Scalar>> {
  /// Rprop over `parameters`.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public convenience init(
    _ parameters: [Parameter<Scalar>], lr: Double? = nil, etas: (Double, Double)? = nil,
    stepSizes: (Double, Double)? = nil, maximize: Bool? = nil
  ) throws {
    try self.init(
      [ParameterGroup(parameters)], lr: lr, etas: etas, stepSizes: stepSizes, maximize: maximize)
  }

  /// Rprop over parameter groups whose overrides replace these defaults.
  ///
  /// - Throws: ``OptimizerError`` for invalid hyperparameters or parameters.
  public init(
    _ groups: [ParameterGroup<Scalar>], lr: Double? = nil, etas: (Double, Double)? = nil,
    stepSizes: (Double, Double)? = nil, maximize: Bool? = nil
  ) throws {
    try super.init(
      groups: groups,
      defaults: .given([
        "lr": .of(lr), "etas": .of(etas), "stepSizes": .of(stepSizes), "maximize": .of(maximize),
      ]))
  }
}
