import ArgumentParser
import DescentData
import DescentDistributed
import Foundation

/// The MPI part of `descent bench`: all-reduce bandwidth and the digits step time, with 1 rank
/// (in process) and with `ranks` ranks (this executable relaunched under `mpirun`).
enum DistributedBench {
  /// Measures and prints the table; `ranks` ranks are launched as `descent bench --mpi-worker`.
  static func run(ranks: Int, dataset: Dataset<Float>) throws {
    var reports = [
      try DistributedBenchmark.measure(over: SingleProcessCommunicator(), dataset: dataset)
    ]
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    do {
      reports.append(
        try DistributedBenchmark.launch(
          ranks: ranks, executable: executable, arguments: ["bench", "--mpi-worker"]))
    } catch {
      print("(\(ranks) ranks not measured: \(error))")
    }
    print("\nData parallel (Open MPI), digits MLP, Adam, global batch 32:")
    print("ranks  all-reduce GB/s (1Ki / 64Ki / 1Mi floats)   step ms replicated   step ms ZeRO-1")
    for report in reports {
      // One rank moves nothing between ranks: no bus bandwidth to show.
      let bandwidth =
        report.ranks == 1
        ? "(no traffic)"
        : report.allReduce.map { String(format: "%6.2f", $0.busGigabytesPerSecond) }
          .joined(separator: " / ")
      print(
        String(
          format: "%5d  %-42@ %14.3f %16.3f", report.ranks, bandwidth,
          report.replicatedStepSeconds * 1000, report.zeroStepSeconds * 1000))
    }
  }

  /// The worker side: measures on every rank and prints the JSON report on rank 0.
  static func worker(dataset: Dataset<Float>) throws {
    if let line = try DistributedBenchmark.runWorker(dataset: dataset) { print(line) }
  }
}
