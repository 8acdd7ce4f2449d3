/// The line search LBFGS can run along each direction (PyTorch's `line_search_fn`).
public enum LBFGSLineSearch: String, Codable, Sendable, Equatable, CustomStringConvertible {
  /// A line search satisfying the strong Wolfe conditions, with cubic interpolation and zoom
  /// (PyTorch's `"strong_wolfe"`).
  case strongWolfe = "strong_wolfe"

  /// PyTorch's name: `strong_wolfe`.
  public var description: String { rawValue }

  /// The line search PyTorch names `name` (`"strong_wolfe"`).
  ///
  /// - Throws: ``OptimizerError/invalidHyperparameter(optimizer:name:value:requirement:)`` for any
  ///   other name.
  public init(pytorchName name: String) throws {
    guard let search = LBFGSLineSearch(rawValue: name) else {
      throw OptimizerError.invalidHyperparameter(
        optimizer: "LBFGS", name: "lineSearchFn", value: name,
        requirement: "nil or \"strong_wolfe\"")
    }
    self = search
  }
}

/// LBFGS's hyperparameters, with PyTorch's defaults. Coded with PyTorch's names
/// (`max_iter`, `line_search_fn`...); decoding validates.
public struct LBFGSHyperparameters: Codable, Equatable, Sendable {
  /// The step length of each iteration, or the line search's first trial (default 1).
  public var lr = 1.0
  /// The most iterations per call of `step` (default 20).
  public var maxIter = 20
  /// The most function evaluations per call of `step` (default `maxIter * 5 / 4`).
  public var maxEval = 25
  /// Stop when the largest gradient magnitude is at most this (default 1e-7).
  public var toleranceGrad = 1e-7
  /// Stop when the loss or the step changes less than this (default 1e-9).
  public var toleranceChange = 1e-9
  /// How many curvature pairs are kept (default 100).
  public var historySize = 100
  /// The line search, or `nil` for a fixed step of `lr` (default `nil`).
  public var lineSearchFn: LBFGSLineSearch?

  /// PyTorch's defaults.
  public init() {}

  /// Validated hyperparameters; `maxEval` defaults to `maxIter * 5 / 4` as in PyTorch.
  ///
  /// - Throws: ``OptimizerError/invalidHyperparameter(optimizer:name:value:requirement:)`` for a
  ///   negative (or NaN) lr or tolerance, or an iteration, evaluation or history count below 1.
  public init(
    lr: Double = 1, maxIter: Int = 20, maxEval: Int? = nil, toleranceGrad: Double = 1e-7,
    toleranceChange: Double = 1e-9, historySize: Int = 100, lineSearchFn: LBFGSLineSearch? = nil
  ) throws {
    let resolvedMaxEval = maxEval ?? maxIter * 5 / 4
    let check = HyperparameterCheck("LBFGS")
    try check.nonNegative(lr, "lr")
    try check.require(maxIter >= 1, "maxIter", maxIter, ">= 1")
    try check.require(resolvedMaxEval >= 1, "maxEval", resolvedMaxEval, ">= 1")
    try check.nonNegative(toleranceGrad, "toleranceGrad")
    try check.nonNegative(toleranceChange, "toleranceChange")
    try check.require(historySize >= 1, "historySize", historySize, ">= 1")
    (self.lr, self.maxIter, self.maxEval) = (lr, maxIter, resolvedMaxEval)
    (self.toleranceGrad, self.toleranceChange) = (toleranceGrad, toleranceChange)
    (self.historySize, self.lineSearchFn) = (historySize, lineSearchFn)
  }

  enum CodingKeys: String, CodingKey {
    case lr
    case maxIter = "max_iter"
    case maxEval = "max_eval"
    case toleranceGrad = "tolerance_grad"
    case toleranceChange = "tolerance_change"
    case historySize = "history_size"
    case lineSearchFn = "line_search_fn"
  }

  /// Decodes PyTorch-named fields (missing ones take PyTorch's defaults) and validates them.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let maxIter = try container.decodeIfPresent(Int.self, forKey: .maxIter) ?? 20
    try self.init(
      lr: container.decodeIfPresent(Double.self, forKey: .lr) ?? 1,
      maxIter: maxIter,
      maxEval: container.decodeIfPresent(Int.self, forKey: .maxEval),
      toleranceGrad: container.decodeIfPresent(Double.self, forKey: .toleranceGrad) ?? 1e-7,
      toleranceChange: container.decodeIfPresent(Double.self, forKey: .toleranceChange) ?? 1e-9,
      historySize: container.decodeIfPresent(Int.self, forKey: .historySize) ?? 100,
      lineSearchFn: container.decodeIfPresent(String.self, forKey: .lineSearchFn).map {
        try LBFGSLineSearch(pytorchName: $0)
      })
  }

  /// Every hyperparameter by its Swift name, as the printed description shows them.
  public var entries: [(name: String, value: String)] {
    [
      ("historySize", "\(historySize)"), ("lineSearchFn", lineSearchFn?.description ?? "nil"),
      ("lr", "\(lr)"), ("maxEval", "\(maxEval)"), ("maxIter", "\(maxIter)"),
      ("toleranceChange", "\(toleranceChange)"), ("toleranceGrad", "\(toleranceGrad)"),
    ]
  }
}
