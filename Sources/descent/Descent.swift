import ArgumentParser

/// The `descent` command: training with the classic optimization methods, PyTorch's numbers.
@main
struct Descent: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "descent",
    abstract: "Train with the classic optimization methods of deep learning, as torch.optim does.",
    version: "0.1.0",
    subcommands: [
      TrainCommand.self, ShowCommand.self, ConformanceCommand.self,
      EWMACommand.self, PathsCommand.self, CompareCommand.self, ScheduleCommand.self,
      BenchCommand.self,
    ])
}
