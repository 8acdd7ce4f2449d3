import DescentNN
import DescentOptim
import Foundation
import Testing

@Suite struct CheckpointResumeTests {
  /// 10 steps, save, load into fresh objects, 10 more == 20 straight, bit for bit.
  @Test(arguments: everyOptimizer + everyCatalogOptimizer)
  func resumingIsExact(optimizerCase: OptimizerCase) throws {
    let folder = try checkpointFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("run.safetensors")

    var straight = try CheckpointRun(optimizerCase, modelSeed: 1)
    for _ in 0..<20 { straight.step() }

    var first = try CheckpointRun(optimizerCase, modelSeed: 1)
    for _ in 0..<10 { first.step() }
    try first.checkpoint.save(
      to: file, progress: TrainingProgress(epoch: 2, step: 10, generator: first.data))

    var resumed = try CheckpointRun(optimizerCase, modelSeed: 42)
    let progress = try resumed.checkpoint.load(from: file)
    #expect(progress.epoch == 2 && progress.step == 10)
    resumed.data = try #require(progress.generator)
    #expect(resumed.snapshot == first.snapshot)
    for _ in 0..<10 { resumed.step() }
    #expect(resumed.snapshot == straight.snapshot)
  }

  @Test func floatModelsResumeExactly() throws {
    let folder = try checkpointFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("float.safetensors")
    func run(seed: UInt64) throws -> (Linear<Float>, Adam<Float>) {
      var generator = SeededGenerator(seed: seed)
      let model = Linear<Float>(3, 2, generator: &generator)
      return (model, try Adam(model.parameters(), lr: 0.1))
    }
    func step(_ model: Linear<Float>, _ optimizer: Adam<Float>, _ k: Int) {
      let input = Tensor<Float>(shape: [2, 3], scalars: (0..<6).map { Float($0 - k) / 3 })
      crossEntropy(logits: model(input), labels: [k % 2, 1]).backward()
      optimizer.step()
      optimizer.zeroGrad()
    }
    let (straight, straightOptimizer) = try run(seed: 5)
    for k in 0..<8 { step(straight, straightOptimizer, k) }
    let (first, firstOptimizer) = try run(seed: 5)
    for k in 0..<4 { step(first, firstOptimizer, k) }
    try TrainingCheckpoint(model: first, optimizer: firstOptimizer).save(to: file)
    let (resumed, resumedOptimizer) = try run(seed: 6)
    try TrainingCheckpoint(model: resumed, optimizer: resumedOptimizer).load(from: file)
    for k in 4..<8 { step(resumed, resumedOptimizer, k) }
    #expect(resumed.weight.value == straight.weight.value)
    #expect(resumed.bias!.value == straight.bias!.value)
    #expect(resumedOptimizer.stateDict() == straightOptimizer.stateDict())
  }

  /// The file is plain safetensors: read its header without Descent's reader.
  @Test func fileIsSafetensors() throws {
    let folder = try checkpointFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("format.safetensors")
    var run = try CheckpointRun(everyOptimizer[4], modelSeed: 1)
    run.step()
    try run.checkpoint.save(to: file)
    let bytes = Array(try Data(contentsOf: file))
    let length = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    let header = try #require(
      try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any])
    let weight = try #require(header["model.fc1.weight"] as? [String: Any])
    #expect(weight["dtype"] as? String == "F64")
    #expect(weight["shape"] as? [Int] == [5, 3])
    let offsets = try #require(weight["data_offsets"] as? [Int])
    let start = 8 + length + offsets[0]
    let firstValue = bytes[start..<(start + 8)].enumerated().reduce(UInt64(0)) {
      $0 | UInt64($1.element) << (8 * UInt64($1.offset))
    }
    #expect(Double(bitPattern: firstValue) == run.model.fc1.weight.value.scalars[0])
    let metadata = try #require(header["__metadata__"] as? [String: String])
    #expect(metadata["descent.checkpoint"]?.contains("\"CosineAnnealingLR\"") == true)
    #expect(header["optimizer.0.exp_avg"] != nil)
    #expect(header["averaging.fc2.bias"] != nil)
  }

  /// ReduceLROnPlateau starts with `best = inf`: non-finite numbers survive the JSON metadata.
  @Test func plateauSchedulerWithInfiniteBestRoundTrips() throws {
    let folder = try checkpointFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("plateau.safetensors")
    let model = CheckpointNet(seed: 1)
    let sgd = try SGD(model.parameters(), lr: 0.1)
    let plateau = try ReduceLROnPlateau(sgd, patience: 1)
    try TrainingCheckpoint(model: model, optimizer: sgd, scheduler: plateau).save(to: file)
    let other = CheckpointNet(seed: 2)
    let otherSGD = try SGD(other.parameters(), lr: 0.5)
    let otherPlateau = try ReduceLROnPlateau(otherSGD, patience: 1)
    otherPlateau.step(metric: 3)
    try TrainingCheckpoint(model: other, optimizer: otherSGD, scheduler: otherPlateau).load(
      from: file)
    #expect(otherPlateau.stateDict() == plateau.stateDict())
    #expect(otherSGD.learningRate(ofGroup: 0) == 0.1)
    for metric in [5.0, 4, 4, 4, 4] {
      plateau.step(metric: metric)
      otherPlateau.step(metric: metric)
    }
    #expect(otherSGD.learningRate(ofGroup: 0) == sgd.learningRate(ofGroup: 0))
    #expect(otherPlateau.stateDict() == plateau.stateDict())
  }
}
