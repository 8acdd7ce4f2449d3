import ArgumentParser
import DescentNN
import DescentOptim

/// `descent show`: prints an optimizer as PyTorch prints it, then its update rule.
struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Print an optimizer's description in PyTorch's layout and its update rule.",
    discussion: """
      Hyperparameters follow the name as --name value (kebab or snake case), e.g.
        descent show SGD --lr 0.001 --momentum 0.9
        descent show Adam --lr 0.01 --betas 0.9,0.999 --eps 1e-8
      The optimizer acts on a Linear(5, 1), as in the seed's first example. The update rule is \
      written in plain text as PyTorch's documentation writes it.
      """)

  @Argument(help: "The optimizer: SGD, Adagrad, RMSprop, Adam, AdamW, Adadelta, ... (any case).")
  var optimizer: String

  @Argument(parsing: .allUnrecognized, help: "Hyperparameters as --name value.")
  var hyperparameters: [String] = []

  func run() throws {
    print(try Self.text(optimizer, hyperparameters: hyperparameters))
  }

  /// What `descent show NAME HYPERPARAMETERS...` prints: the optimizer in PyTorch's layout, a
  /// blank line, then its update rule.
  ///
  /// - Throws: `ValidationError` for an unknown name, ``OptimizerError`` for a bad hyperparameter.
  static func text(_ optimizer: String, hyperparameters: [String] = []) throws -> String {
    let name = try optimizerClassName(optimizer)
    let options = try OptimizerOptions(parsing: hyperparameters)
    // A matrix, which every optimizer takes (Muon takes nothing else).
    let weight = Linear<Float>(5, 1).weight
    let built = try OptimizerCatalog.make(name, parameters: [weight], options: options.values)
    var text = "\(built)"
    if let rule = UpdateRules.rule(for: name) {
      text += "\n\nUpdate rule (\(name)):\n" + rule
    }
    return text
  }
}
