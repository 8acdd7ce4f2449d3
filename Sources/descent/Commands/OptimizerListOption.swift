import ArgumentParser
import DescentTraining

/// The `--optimizers` option of `paths` and `compare`: the seed's line-up unless told otherwise.
struct OptimizerListOption: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Comma-separated optimizers, each optionally name=lr (e.g. sgd=0.01,momentum,adam=0.05).",
      valueName: "list"))
  var optimizers = "sgd,momentum,nesterov,adagrad,adadelta,rmsprop,adam"

  /// The recipes named, without learning rates where none was given.
  func recipes() throws -> [OptimizerRecipe] { try OptimizerRecipe.list(optimizers) }
}
