import ArgumentParser
import DescentNN
import DescentOptim

/// `descent show`: prints an optimizer as PyTorch prints it.
struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Print an optimizer's description in PyTorch's layout.",
    discussion: """
      Hyperparameters follow the name as --name value (kebab or snake case), e.g.
        descent show SGD --lr 0.001 --momentum 0.9
        descent show Adam --lr 0.01 --betas 0.9,0.999 --eps 1e-8
      The optimizer acts on a Linear(5, 1), as in the seed's first example.
      """)

  @Argument(help: "The optimizer: SGD, Adagrad, RMSprop, Adam, AdamW, Adadelta, ... (any case).")
  var optimizer: String

  @Argument(parsing: .allUnrecognized, help: "Hyperparameters as --name value.")
  var hyperparameters: [String] = []

  func run() throws {
    let name = try optimizerClassName(optimizer)
    let options = try OptimizerOptions(parsing: hyperparameters)
    let model = Linear<Float>(5, 1)
    let built = try OptimizerCatalog.make(
      name, parameters: model.parameters(), options: options.values)
    print(built)
  }
}
