import Foundation
import Testing

@testable import descent

@Suite struct ConformanceCommandTests {
  /// One bad fixture (malformed JSON, an input its layer does not take, a billion epochs) fails
  /// alone, with its reason; the good one beside it still runs and passes.
  @Test func badFixturesFailAlone() throws {
    let folder = try figureFolder("conformance-hostile")
    let fixtures: [String: String] = [
      "a-good.json":
        #"{"kind": "scheduler", "name": "steplr", "options": {"lr": 0.1}, "epochs": 4, "#
        + #""scheduler": "StepLR", "scheduler_options": {"step_size": 2, "gamma": 0.5}, "#
        + #""expected_lr": [0.1, 0.1, 0.05, 0.05, 0.025]}"#,
      "b-broken.json": #"{"kind": "layer", "#,
      "c-misfit.json":
        #"{"kind": "layer", "name": "misfit", "module": "Linear", "#
        + #""kwargs": {"in_features": 2, "out_features": 1}, "mode": "eval", "#
        + #""state_dict": {"weight": {"shape": [1, 2], "data": [1, 1]}, "#
        + #""bias": {"shape": [1], "data": [0]}}, "#
        + #""inputs": [{"shape": [1, 3], "data": [1, 2, 3]}], "#
        + #""output": {"shape": [1, 1], "data": [0]}, "grad_output": {"shape": [1, 1], "data": [1]}, "#
        + #""grad_inputs": [null], "grad_params": {}}"#,
      "d-endless.json":
        #"{"kind": "scheduler", "name": "endless", "options": {"lr": 0.1}, "epochs": 1000000000, "#
        + #""scheduler": "StepLR", "scheduler_options": {"step_size": 2}, "expected_lr": [0.1]}"#,
    ]
    for (name, text) in fixtures {
      try Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }
    let command = try ConformanceCommand.parse([folder.path])
    let report = command.check(try command.fixtureFiles())
    #expect(report.passed == 1 && report.failed == 3, "\(report.lines)")
    #expect(report.lines.count == 3)
    let expected = [
      "FAIL b-broken.json: cannot read fixture \(folder.path)/b-broken.json: it is not valid JSON",
      "FAIL c-misfit.json: fixture field 'inputs[0]'",
      "FAIL d-endless.json: fixture field 'epochs': 1000000000 is outside 0...1000000",
    ]
    for (line, start) in zip(report.lines, expected) {
      #expect(line.hasPrefix(start), "\(line)")
    }
    #expect(throws: (any Error).self) { try command.run() }
  }
}
