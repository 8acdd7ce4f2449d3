import DescentPlot
import DescentTraining
import Foundation
import Testing

@testable import descent

@Suite("Bad input to the picture commands")
struct CommandErrorTests {
  /// Output paths are checked before any work: extension, missing folder, a file as folder.
  @Test func badOutputPaths() throws {
    let folder = try figureFolder("errors")
    #expect(throws: PlotError.unsupportedFormat(extension: "gif", path: "out.gif")) {
      try OutputPath("out.gif")
    }
    #expect(throws: PlotError.unsupportedFormat(extension: "", path: "out")) {
      try OutputPath("out")
    }
    let missing = folder.appendingPathComponent("no/such/folder/x.png").path
    #expect(throws: PlotError.self) { try OutputPath(missing) }
    let file = folder.appendingPathComponent("file.txt")
    try Data("x".utf8).write(to: file)
    #expect(throws: PlotError.notADirectory(path: file.path)) {
      try OutputPath(file.appendingPathComponent("x.png").path)
    }
    #expect(!FileManager.default.fileExists(atPath: missing))
    _ = try OutputPath(folder.appendingPathComponent("fine.PDF").path)
  }

  /// Unknown names, malformed or non-finite numbers give errors naming the input.
  @Test func badValues() throws {
    #expect(throws: CommandError.self) { try PathsCommand.surface("himalaya") }
    #expect(try PathsCommand.surface("Beale") == .beale)
    for text in ["1", "1,2,3", "nan,1", "1,inf", "a,b", ""] {
      #expect(throws: CommandError.self, "\(text)") { try PathsCommand.point(text) }
    }
    #expect(throws: CommandError.self) { try ScheduleCommand.parse(["gamma"]) }
    #expect(throws: CommandError.self) { try ScheduleCommand.parse(["=3"]) }
    #expect(throws: (any Error).self) {
      try EWMACommand.curves(of: [1, 2, 3], betas: [.nan], conventions: [.firstValue])
    }
    #expect(throws: (any Error).self) {
      try EWMACommand.curves(of: [1, 2, 3], betas: [1], conventions: [.firstValue])
    }
    let unknown = CommandError.unknownName(kind: "function", name: "x", choices: ["a", "b"])
    #expect(unknown.description == "unknown function 'x'; choose from a, b")
  }

  /// The commands' argument validation rejects nonsense before running.
  @Test func argumentValidation() throws {
    #expect(throws: (any Error).self) { try EWMACommand.parse(["--samples", "0"]) }
    #expect(throws: (any Error).self) { try PathsCommand.parse(["--steps=-1"]) }
    #expect(throws: (any Error).self) { try CompareCommand.parse(["--epochs", "0"]) }
    #expect(throws: (any Error).self) { try CompareCommand.parse(["--batch-size", "0"]) }
    #expect(throws: (any Error).self) { try ScheduleCommand.parse(["StepLR", "--lr", "nan"]) }
    #expect(throws: (any Error).self) { try ScheduleCommand.parse(["StepLR", "--lr", "-1"]) }
    let paths = try PathsCommand.parse(["--function", "saddle", "--optimizers", "adam=0.1"])
    #expect(paths.function == "saddle" && paths.lineUp.optimizers == "adam=0.1")
  }
}
