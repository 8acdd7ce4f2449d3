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
public struct LBFGSHyperparameters: DeclaredHyperparameters {
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

  /// `"LBFGS"`.
  public static var optimizerName: String { "LBFGS" }

  /// The counts whole numbers from 1 to 2^53 (beyond, a `Double` entry is not exact).
  private static let counts = 1...(1 << 53)

  /// lr and tolerances `>= 0`; iteration, evaluation and history counts whole numbers `>= 1`;
  /// `lineSearchFn` a flag.
  public static var fields: [HyperparameterField<Self>] {
    [
      .number("lr", \.lr, .nonNegative), .whole("maxIter", \.maxIter, in: counts),
      .whole("maxEval", \.maxEval, in: counts),
      .number("toleranceGrad", \.toleranceGrad, .nonNegative),
      .number("toleranceChange", \.toleranceChange, .nonNegative),
      .whole("historySize", \.historySize, in: counts),
      HyperparameterField(
        "lineSearchFn",
        read: { $0.lineSearchFn = try $1.flag("lineSearchFn") ? .strongWolfe : nil },
        value: { .flag($0.lineSearchFn != nil) }),
    ]
  }

  /// Validated hyperparameters; `maxEval` defaults to `maxIter * 5 / 4` as in PyTorch.
  ///
  /// - Throws: ``OptimizerError/invalidHyperparameter(optimizer:name:value:requirement:)`` for a
  ///   negative (or NaN) lr or tolerance, or an iteration, evaluation or history count below 1.
  public init(
    lr: Double = 1, maxIter: Int = 20, maxEval: Int? = nil, toleranceGrad: Double = 1e-7,
    toleranceChange: Double = 1e-9, historySize: Int = 100, lineSearchFn: LBFGSLineSearch? = nil
  ) throws {
    self = try Self.given([
      "lr": .number(lr), "maxIter": .of(maxIter), "maxEval": .of(maxEval ?? maxIter * 5 / 4),
      "toleranceGrad": .number(toleranceGrad), "toleranceChange": .number(toleranceChange),
      "historySize": .of(historySize), "lineSearchFn": .flag(lineSearchFn != nil),
    ])
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
}
