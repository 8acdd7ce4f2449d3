import ArgumentParser
import DescentDistributed
import Foundation

/// The MPI part of `descent bench`: all-reduce bandwidth and the step time of a compute-bound
/// MLP, with 1 rank (in process) and with `ranks` ranks (this executable relaunched under
/// `mpirun`).
enum DistributedBench {
  /// Measures and prints the tables; `ranks` ranks are launched as `descent bench --mpi-worker`.
  static func run(ranks: Int) throws {
    var reports = [try DistributedBenchmark.measure(over: SingleProcessCommunicator())]
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    do {
      reports.append(
        try DistributedBenchmark.launch(
          ranks: ranks, executable: executable, arguments: ["bench", "--mpi-worker"]))
    } catch {
      print("(\(ranks) ranks not measured: \(error))")
    }
    print("\nAll-reduce (Open MPI), bus bandwidth:")
    print("ranks  GB/s at 1Ki / 64Ki / 1Mi floats")
    for report in reports where report.ranks > 1 {
      let bandwidth = report.allReduce.map { String(format: "%6.2f", $0.busGigabytesPerSecond) }
      print(String(format: "%5d  ", report.ranks) + bandwidth.joined(separator: " / "))
    }
    let widths = DistributedBenchmark.widths.map(String.init).joined(separator: "-")
    print(
      "\nData-parallel step, MLP \(widths), Adam, global batch \(DistributedBenchmark.batchSize) "
        + "(slowest rank; wait = time after backward spent finishing gradient reductions):")
    print("ranks  setting                       step ms   wait share   state/rank   grads/rank")
    for report in reports {
      for step in report.steps {
        let setting = step.setting.padding(toLength: 28, withPad: " ", startingAt: 0)
        print(
          String(format: "%5d  ", report.ranks) + setting
            + String(
              format: " %8.2f   %9.1f%%   %10d   %10d", step.seconds * 1000, step.waitShare * 100,
              step.stateElements, step.gradientElements))
      }
    }
  }

  /// The worker side: measures on every rank and prints the JSON report on rank 0.
  static func worker() throws {
    if let line = try DistributedBenchmark.runWorker() { print(line) }
  }
}
