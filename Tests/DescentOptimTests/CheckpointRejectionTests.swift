import DescentNN
import Foundation
import Testing

@testable import DescentOptim

/// A saved checkpoint after 3 steps of Adam, and a second run (other weights) to load it into.
struct CheckpointFixture {
  let folder: URL
  let file: URL
  let saved: CheckpointRun
  var target: CheckpointRun

  init() throws {
    folder = try checkpointFolder()
    file = folder.appendingPathComponent("good.safetensors")
    var saved = try CheckpointRun(everyOptimizer[4], modelSeed: 1)
    for _ in 0..<3 { saved.step() }
    try saved.checkpoint.save(to: file, progress: TrainingProgress(epoch: 1, step: 3))
    self.saved = saved
    var target = try CheckpointRun(everyOptimizer[4], modelSeed: 2)
    target.step()
    self.target = target
  }

  func remove() { try? FileManager.default.removeItem(at: folder) }

  /// Loading `bytes` into the target throws, and changes nothing.
  func expectRejected(
    _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation,
    _ check: (CheckpointError) -> Bool
  ) throws {
    let bad = folder.appendingPathComponent("bad.safetensors")
    try Data(bytes).write(to: bad)
    try expectRejected(
      file: bad, checkpoint: target.checkpoint, sourceLocation: sourceLocation, check)
  }

  /// Loading `file` into `checkpoint` throws an error passing `check`; the target is unchanged.
  func expectRejected(
    file: URL, checkpoint: TrainingCheckpoint<Double>,
    sourceLocation: SourceLocation = #_sourceLocation, _ check: (CheckpointError) -> Bool
  ) throws {
    let before = target.snapshot
    do {
      try checkpoint.load(from: file)
      Issue.record("the checkpoint was accepted", sourceLocation: sourceLocation)
    } catch let error as CheckpointError {
      #expect(check(error), "unexpected error: \(error)", sourceLocation: sourceLocation)
    }
    #expect(target.snapshot == before, "the target changed", sourceLocation: sourceLocation)
  }
}

private func temporaryFiles(in folder: URL) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
}

@Suite struct CheckpointRejectionTests {
  @Test func truncatedFilesAreRejected() throws {
    let fixture = try CheckpointFixture()
    defer { fixture.remove() }
    let bytes = Array(try Data(contentsOf: fixture.file))
    let headerEnd = 8 + Int(bytes[0]) + Int(bytes[1]) << 8 + Int(bytes[2]) << 16
    for cut in [0, 5, 8, 20, headerEnd - 3, headerEnd, headerEnd + 17, bytes.count - 1] {
      try fixture.expectRejected(Array(bytes.prefix(cut))) { error in
        if case .truncated = error { return true }
        if case .corrupted = error { return true }
        return false
      }
    }
    try fixture.expectRejected(Array(bytes.prefix(bytes.count - 8))) {
      "\($0)".contains("truncated") && "\($0)".contains("ends at data byte")
    }
  }

  @Test func corruptedFilesAreRejected() throws {
    let fixture = try CheckpointFixture()
    defer { fixture.remove() }
    let bytes = Array(try Data(contentsOf: fixture.file))
    var huge = bytes
    huge[7] = 0x7F
    try fixture.expectRejected(huge) {
      if case .truncated = $0 { return true } else { return false }
    }
    var badJSON = bytes
    badJSON[8] = UInt8(ascii: "[")
    try fixture.expectRejected(badJSON) {
      if case .corrupted = $0 { return true } else { return false }
    }
    // Every dtype renamed in place (a byte-level edit: the data is not UTF-8 text).
    var renamed = bytes
    let f64 = Array("\"F64\"".utf8)
    for start in 0...(bytes.count - f64.count)
    where bytes[start..<(start + f64.count)].elementsEqual(f64) {
      renamed[start + 1] = UInt8(ascii: "I")
    }
    #expect(renamed != bytes)
    try fixture.expectRejected(renamed) { "\($0)".contains("dtype I64 is not supported") }
    let extraBytes = bytes + [0, 0, 0, 0, 0, 0, 0, 0]
    try fixture.expectRejected(extraBytes) { "\($0)".contains("cover") }
    // A valid safetensors file that is not a Descent checkpoint.
    let plain = try SafetensorsArchive(entries: [.init(name: "x", shape: [1], values: .f64([1]))])
      .encoded()
    try fixture.expectRejected(plain) { "\($0)".contains("not a Descent checkpoint") }
  }

  @Test func anotherModelIsRejected() throws {
    var fixture = try CheckpointFixture()
    defer { fixture.remove() }
    // Same names, other shapes: fc1 is [4, 3] instead of [5, 3].
    let narrow = CheckpointNet(seed: 3, hidden: 4)
    fixture.target = try CheckpointRun(everyOptimizer[4], modelSeed: 2)
    let before = narrow.parameters().map(\.value)
    do {
      try TrainingCheckpoint(model: narrow).load(from: fixture.file)
      Issue.record("accepted")
    } catch let error as CheckpointError {
      #expect(error == .shape(name: "model.fc1.weight", checkpoint: [5, 3], expected: [4, 3]))
      #expect("\(error)".contains("[5, 3]") && "\(error)".contains("[4, 3]"))
    }
    #expect(narrow.parameters().map(\.value) == before)
    // Other names.
    let single = Linear<Double>(3, 2)
    do {
      try TrainingCheckpoint(model: single).load(from: fixture.file)
      Issue.record("accepted")
    } catch let error as CheckpointError {
      #expect(
        error
          == .parameterNames(
            missing: ["weight", "bias"],
            unexpected: ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]))
    }
  }

  @Test func anotherOptimizerIsRejected() throws {
    let fixture = try CheckpointFixture()
    defer { fixture.remove() }
    let sgd = try SGD(fixture.target.model.parameters(), lr: 0.1, momentum: 0.9)
    sgd.step()
    var checkpoint = fixture.target.checkpoint
    checkpoint.optimizer = sgd
    checkpoint.scheduler = nil
    let sgdBefore = sgd.stateDict()
    try fixture.expectRejected(file: fixture.file, checkpoint: checkpoint) {
      $0 == .optimizerKind(checkpoint: "Adam", optimizer: "SGD")
        && "\($0)".contains("\"Adam\", not \"SGD\"")
    }
    #expect(sgd.stateDict() == sgdBefore)
    // Same kind, another grouping.
    let parameters = fixture.target.model.parameters()
    let grouped = try Adam([
      ParameterGroup(Array(parameters[0..<2])), ParameterGroup(Array(parameters[2...])),
    ])
    checkpoint.optimizer = grouped
    try fixture.expectRejected(file: fixture.file, checkpoint: checkpoint) {
      "\($0)".contains("the optimizer 2")
    }
  }

  @Test func anotherSchedulerOrMissingPartsAreRejected() throws {
    let fixture = try CheckpointFixture()
    defer { fixture.remove() }
    var checkpoint = fixture.target.checkpoint
    let stepLR = try StepLR(fixture.target.optimizer, stepSize: 2)
    checkpoint.scheduler = stepLR
    try fixture.expectRejected(file: fixture.file, checkpoint: checkpoint) {
      $0 == .schedulerKind(checkpoint: "CosineAnnealingLR", scheduler: "StepLR")
    }
    // A file without averaging state, loaded by a checkpoint that expects it.
    let bare = fixture.folder.appendingPathComponent("bare.safetensors")
    try TrainingCheckpoint(model: fixture.saved.model, optimizer: fixture.saved.optimizer).save(
      to: bare)
    try fixture.expectRejected(file: bare, checkpoint: fixture.target.checkpoint) {
      $0 == .missingPart("scheduler state")
    }
    // An averaging rule of another kind.
    checkpoint = fixture.target.checkpoint
    checkpoint.averaging = AveragedModel(fixture.target.model)
    try fixture.expectRejected(file: fixture.file, checkpoint: checkpoint) {
      "\($0)".contains("averaging state") && "\($0)".contains("exponential")
    }
  }

  @Test func failedSaveLeavesThePreviousFileIntact() throws {
    let fixture = try CheckpointFixture()
    defer { fixture.remove() }
    let before = try Data(contentsOf: fixture.file)
    struct Crash: Error {}
    #expect(throws: Crash.self) {
      try fixture.target.checkpoint.save(
        to: fixture.file, progress: TrainingProgress(), beforeRename: { throw Crash() })
    }
    #expect(try Data(contentsOf: fixture.file) == before)
    #expect(try temporaryFiles(in: fixture.folder).isEmpty)

    // The destination is a folder: the rename fails, the folder and its file stay.
    let occupied = fixture.folder.appendingPathComponent("occupied")
    try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: false)
    let inner = occupied.appendingPathComponent("keep.txt")
    try Data("keep".utf8).write(to: inner)
    #expect {
      try fixture.target.checkpoint.save(to: occupied)
    } throws: { error in
      guard case .io(_, let action, _) = error as? CheckpointError else { return false }
      return action == "replace the file"
    }
    #expect(try Data(contentsOf: inner) == Data("keep".utf8))
    #expect(try temporaryFiles(in: fixture.folder).isEmpty)

    // The folder does not exist: nothing is created.
    let nowhere = fixture.folder.appendingPathComponent("missing/run.safetensors")
    #expect(throws: CheckpointError.self) { try fixture.target.checkpoint.save(to: nowhere) }

    // A successful save replaces the file and loads back.
    try fixture.target.checkpoint.save(to: fixture.file)
    #expect(try Data(contentsOf: fixture.file) != before)
    #expect(try temporaryFiles(in: fixture.folder).isEmpty)
  }

  @Test func missingFileIsAnIOError() throws {
    let run = try CheckpointRun(everyOptimizer[0], modelSeed: 1)
    #expect {
      try run.checkpoint.load(from: URL(fileURLWithPath: "/nonexistent/descent.safetensors"))
    } throws: { error in
      if case .io = error as? CheckpointError { return true }
      return false
    }
  }
}

/// A checkpoint is never written holding NaN or infinity (it could not be loaded back), and the
/// file it would have replaced is kept.
@Suite struct NonFiniteSaveTests {
  @Test func aNonFiniteParameterIsNotSaved() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "descent-nonfinite-\(ProcessInfo.processInfo.processIdentifier).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    let net = CheckpointNet(seed: 1)
    try TrainingCheckpoint(model: net).save(to: url)
    let good = try Data(contentsOf: url)
    var weight = net.fc2.weight.value
    weight.withUnsafeMutableBufferPointer { $0[3] = .nan }
    net.fc2.weight.value = weight
    #expect {
      try TrainingCheckpoint(model: net).save(to: url)
    } throws: { "\($0)".contains("tensor 'model.fc2.weight' holds nan") }
    #expect(try Data(contentsOf: url) == good)
  }
}
