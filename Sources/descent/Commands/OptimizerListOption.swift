import ArgumentParser
import DescentTraining

/// The `--optimizers` option of `paths` and `compare`: the seed's line-up unless told otherwise.
struct OptimizerListOption: ParsableArguments {
  /// The seed's line-up, used when the option is not given.
  static let seedList = "sgd,momentum,nesterov,adagrad,adadelta,rmsprop,adam"

  @Option(
    help: ArgumentHelp(
      "Comma-separated optimizers, each optionally name=lr (e.g. sgd=0.01,momentum,adam=0.05; "
        + "default \(Self.seedList)).",
      valueName: "list"))
  var optimizers: String?

  /// The recipes named (the seed's line-up when none were), without learning rates where none
  /// was given.
  func recipes() throws -> [OptimizerRecipe] {
    try OptimizerRecipe.list(optimizers ?? Self.seedList)
  }
}
