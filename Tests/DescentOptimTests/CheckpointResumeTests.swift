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

  /// BatchNorm's running statistics are saved beside the weights: a model resumed from the
  /// file evaluates as the one that wrote it, and goes on training the same. A file without
  /// buffers (as older Descent wrote) loads the weights and leaves the statistics alone.
  @Test func batchNormStatisticsResume() throws {
    let folder = try checkpointFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("batchnorm.safetensors")
    func model(seed: UInt64) -> Sequential<Double> {
      var generator = SeededGenerator(seed: seed)
      return Sequential(Linear(3, 4, generator: &generator), BatchNorm1d(numFeatures: 4))
    }
    var data = SeededGenerator(seed: 9)
    let batches = (0..<6).map { _ in Tensor<Double>(normal: [8, 3], generator: &data) }
    func train(
      _ model: Sequential<Double>, _ optimizer: SGD<Double>, on batches: ArraySlice<Tensor<Double>>
    ) {
      for batch in batches {
        optimizer.zeroGrad()
        model(batch).square().mean().backward()
        optimizer.step()
      }
    }
    let straight = model(seed: 1)
    let straightSGD = try SGD(straight.parameters(), lr: 0.1)
    train(straight, straightSGD, on: batches[...])

    let first = model(seed: 1)
    let firstSGD = try SGD(first.parameters(), lr: 0.1)
    train(first, firstSGD, on: batches[..<3])
    try TrainingCheckpoint(model: first, optimizer: firstSGD).save(to: file)
    let resumed = model(seed: 2)
    let resumedSGD = try SGD(resumed.parameters(), lr: 0.1)
    try TrainingCheckpoint(model: resumed, optimizer: resumedSGD).load(from: file)
    #expect(resumed.stateDict().map(\.tensor) == first.stateDict().map(\.tensor))
    #expect(
      resumed.namedBuffers().map(\.name) == [
        "1.running_mean", "1.running_var", "1.num_batches_tracked",
      ])
    #expect(resumed.namedBuffers()[2].buffer.value.scalars == [3])
    train(resumed, resumedSGD, on: batches[3...])
    #expect(resumed.stateDict().map(\.tensor) == straight.stateDict().map(\.tensor))
    #expect(resumed.eval()(batches[0]).scalars == straight.eval()(batches[0]).scalars)

    try TrainingCheckpoint(namedParameters: first.namedParameters()).save(to: file)
    let fresh = model(seed: 3)
    try TrainingCheckpoint(model: fresh).load(from: file)
    #expect(fresh.parameters().map(\.value) == first.parameters().map(\.value))
    #expect(
      fresh.namedBuffers().map(\.buffer.value) == model(seed: 3).namedBuffers().map(\.buffer.value))
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
