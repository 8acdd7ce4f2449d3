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

/// LBFGS's hyperparameters, with PyTorch's defaults.
///
/// As ``Hyperparameters`` entries (state dicts, the catalog's options, the printed description)
/// the names are PyTorch's in camelCase, and `lineSearchFn` is a flag, since a
/// ``HyperparameterValue`` holds no text: `true` for `"strong_wolfe"` (the only line search),
/// `false` for `None`.
public struct LBFGSHyperparameters: Hyperparameters {
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

  /// Builds and validates the hyperparameters from every entry (`lineSearchFn` a flag; the
  /// counts whole numbers).
  ///
  /// - Throws: ``OptimizerError`` for a missing, unknown, mistyped or invalid entry.
  public init(entries: [String: HyperparameterValue]) throws {
    let reader = try HyperparameterReader(entries, for: Self.self, optimizer: "LBFGS")
    func count(_ name: String) throws -> Int {
      let value = try reader.number(name)
      // Whole numbers of magnitude below 2^53 convert to Int exactly.
      try HyperparameterCheck("LBFGS").require(
        value.rounded() == value && abs(value) < 0x1p53, name, value, "a whole number")
      return Int(value)
    }
    try self.init(
      lr: reader.number("lr"), maxIter: count("maxIter"), maxEval: count("maxEval"),
      toleranceGrad: reader.number("toleranceGrad"),
      toleranceChange: reader.number("toleranceChange"), historySize: count("historySize"),
      lineSearchFn: reader.flag("lineSearchFn") ? .strongWolfe : nil)
  }

  /// PyTorch's defaults with `options` (any subset of ``entries``) applied; as in PyTorch,
  /// `maxEval` follows a given `maxIter` (`maxIter * 5 / 4`) unless it is given too.
  ///
  /// - Throws: ``OptimizerError`` for an unknown, mistyped or invalid option.
  public init(options: [String: HyperparameterValue]) throws {
    var entries = Self().entries.merging(options) { $1 }
    if options["maxEval"] == nil, case .number(let maxIter)? = options["maxIter"] {
      entries["maxEval"] = .number((maxIter * 5 / 4).rounded(.down))
    }
    try self.init(entries: entries)
  }

  /// Every hyperparameter by name.
  public var entries: [String: HyperparameterValue] {
    [
      "lr": .number(lr), "maxIter": .number(Double(maxIter)), "maxEval": .number(Double(maxEval)),
      "toleranceGrad": .number(toleranceGrad), "toleranceChange": .number(toleranceChange),
      "historySize": .number(Double(historySize)), "lineSearchFn": .flag(lineSearchFn != nil),
    ]
  }
}
