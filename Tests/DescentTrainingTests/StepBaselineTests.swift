import DescentTraining
import Testing

/// The benchmark's outside baselines: their answers read as the protocol says, and a program
/// that is missing, exits, or answers nonsense ends in a named error.
@Suite struct StepBaselineTests {
  /// A baseline running `script` in `sh`, which reads one request per line.
  static func shell(_ script: String) throws -> StepBaseline {
    try StepBaseline(
      label: "C", command: ["/bin/sh", "-c", "while read n t s r; do \(script); done"])
  }

  static let layout = try! BenchLayout(tensorCount: 2, tensorSize: 3)

  @Test func answersGiveSecondsAndImplementation() throws {
    let baseline = try Self.shell(#"echo "0.25 fused-$n-$t-$s-$r""#)
    let answer = try baseline.time("Adam", layout: Self.layout, repeats: 4)
    #expect(answer?.seconds == 0.25)
    #expect(answer?.implementation == "fused-Adam-2-3-4")
    #expect(try baseline.time("SGD", layout: Self.layout, repeats: 1)?.seconds == 0.25)
  }

  @Test func unsupportedOptimizersAreNil() throws {
    let baseline = try Self.shell(#"echo "unsupported $n""#)
    #expect(try baseline.time("Lion", layout: Self.layout, repeats: 1) == nil)
  }

  @Test(arguments: ["echo hello", "echo -1", "echo nan", "echo inf fused"])
  func nonsenseAnswersAreRefused(_ script: String) throws {
    let baseline = try Self.shell(script)
    #expect(throws: TrainingError.self) {
      try baseline.time("Adam", layout: Self.layout, repeats: 1)
    }
  }

  @Test func aBaselineThatNeverAnswersIsGivenUp() throws {
    let baseline = try StepBaseline(
      label: "C", command: ["/bin/sh", "-c", "read line; exec sleep 1000"],
      timeoutSeconds: 1)
    #expect(throws: TrainingError.baselineFailed("C", "gave no answer within 1 s")) {
      try baseline.time("Adam", layout: Self.layout, repeats: 1)
    }
  }

  @Test func missingOrExitedProgramsAreRefusedByLabel() throws {
    for path in ["/nonexistent/steps", "/dev/null", "/tmp"] {
      #expect(throws: TrainingError.baselineFailed("C", "\(path) is not an executable file")) {
        try StepBaseline(label: "C", command: [path])
      }
    }
    #expect(throws: TrainingError.baselineFailed("PyTorch", "no command given")) {
      try StepBaseline(label: "PyTorch", command: [])
    }
    let exited = try StepBaseline(label: "C", command: ["/bin/true"])
    #expect(throws: TrainingError.self) { try exited.time("Adam", layout: Self.layout, repeats: 1) }
  }
}
