import DescentData
import DescentOptim
import DescentTensor
import DescentTraining
import Testing

/// The logic behind `descent bench`, at tiny sizes (no timing is asserted).
@Suite struct BenchTests {
  @Test func layoutsParseAndPrintAsWritten() throws {
    #expect(try BenchLayout(parsing: "4K").parameterCount == 4_000)
    #expect(try BenchLayout(parsing: "50M").parameterCount == 50_000_000)
    let many = try BenchLayout(parsing: "200x4096")
    #expect(many.tensorCount == 200 && many.tensorSize == 4096)
    #expect(many.description == "200x4096")
    #expect(try BenchLayout(parsing: "1M").description == "1M")
    for bad in ["", "abc", "0", "-5", "3x", "1x2x3", "99999999999999999999M"] {
      #expect(throws: TrainingError.self) { try BenchLayout(parsing: bad) }
    }
  }

  @Test func interleavedTimingRunsEveryCaseInTurnAndGivesOneMedianEach() {
    var calls: [Int] = []
    let seconds = BenchTiming(warmups: 1, runs: 3).medianSeconds(of: [
      { calls.append(0) }, { calls.append(1) },
    ])
    #expect(seconds.count == 2 && seconds.allSatisfy { $0 >= 0 })
    #expect(calls == [0, 1, 0, 1, 0, 1, 0, 1])
  }

  @Test func everyElementwiseOptimizerIsBenchedAndLBFGSIsNot() {
    let names = OptimizerBench.elementwiseNames
    #expect(names.contains("Adam") && names.contains("SGD") && names.contains("Rprop"))
    #expect(!names.contains("LBFGS") && !names.contains("Adafactor"))
  }

  @Test func quickStepRowsForSeveralTensors() throws {
    let timing = BenchTiming(warmups: 0, runs: 1)
    let layout = try BenchLayout(tensorCount: 3, tensorSize: 100)
    var rows: [StepBenchRow] = []
    for name in ["SGD", "Adam"] {
      rows.append(
        try OptimizerBench.measure(
          name, layout: layout, timing: timing, pool: WorkerPool(threadCount: 2)))
    }
    for row in rows {
      #expect(row.nsPerParameter > 0 && row.rooflineNsPerParameter > 0)
      #expect(row.gigabytesPerSecond.isFinite && row.rooflineRatio.isFinite)
      #expect(row.singleTensorRatio != nil && row.arenaRatio != nil)
    }
    let table = BenchReport.stepTable(rows).split(separator: "\n")
    #expect(table.count == 2 + rows.count)
    #expect(table[2].hasPrefix("SGD") && table[3].hasPrefix("Adam"))
    #expect(table[3].contains("3x100"))
  }

  @Test func anOptimizerThatIsNotElementwiseIsRejected() throws {
    let layout = try BenchLayout(tensorSize: 10)
    #expect(throws: TrainingError.self) {
      try OptimizerBench.measure(
        "Adafactor", layout: layout, timing: BenchTiming(warmups: 0, runs: 1), pool: .shared)
    }
  }

  @Test func trainingRowOnDigits() throws {
    let dataset: Dataset<Float> = try Digits.load()
    let row = try TrainingBench.measure(
      TrainingBench.standard[0], dataset: dataset, timing: BenchTiming(warmups: 0, runs: 1))
    #expect(row.epochs == 1)
    #expect(row.samplesPerSecond > 0)
    #expect(row.testAccuracy > 0.5)
    let table = BenchReport.trainingTable([row])
    #expect(table.contains("SGD(momentum=0.9)"))
  }
}
