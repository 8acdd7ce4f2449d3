import DescentData
import DescentOptim
import DescentTraining
import Testing

@Suite("Low-precision optimizer state on digits")
struct LowPrecisionAccuracyTests {
  static let seeds: [UInt64] = [0, 1, 2]
  static let epochs = 8

  /// The test accuracy after ``epochs`` epochs of catalog optimizer `name` (lr 0.001) on the
  /// digits MLP, split, initialised and shuffled from `seed`; and whether its first layer's state
  /// (6,400 elements) was kept in 8 bits.
  static func accuracy(_ name: String, seed: UInt64, digits: Dataset<Float>) throws
    -> (accuracy: Double, eightBit: Bool)
  {
    let (train, test) = digits.split(testFraction: 0.2, seed: seed)
    let model = DigitsMLP.make(seed: seed, as: Float.self)
    let optimizer = try OptimizerCatalog.make(
      name, groups: [ParameterGroup(model.parameters())], options: ["lr": .number(0.001)])
    let trainer = Trainer(
      model: model, optimizer: optimizer,
      loader: try BatchLoader(train, batchSize: 32, seed: seed))
    for _ in 0..<epochs { try trainer.trainEpoch() }
    let eightBit = optimizer.stateDict().state[0]?.bufferDTypes["state1"] == .uint8
    return (trainer.evaluate(test).accuracy, eightBit)
  }

  /// Issue 16: over the same seeds, the mean test accuracy of 8-bit and bfloat16 Adam is within
  /// 0.5 points of float32 Adam's.
  @Test func eightBitAndBFloat16AdamMatchFloat32Adam() throws {
    let digits: Dataset<Float> = try Digits.load()
    func meanAccuracy(_ name: String) throws -> Double {
      let runs = try Self.seeds.map { try Self.accuracy(name, seed: $0, digits: digits) }
      #expect(runs.allSatisfy { $0.eightBit == (name == "Adam8bit") }, "\(name)")
      return runs.map(\.accuracy).reduce(0, +) / Double(runs.count)
    }
    let float32 = try meanAccuracy("Adam")
    #expect(float32 > 0.9, "float32 Adam reaches \(float32)")
    for name in ["Adam8bit", "AdamBF16"] {
      let accuracy = try meanAccuracy(name)
      #expect(abs(accuracy - float32) <= 0.005, "\(name) \(accuracy), float32 Adam \(float32)")
    }
  }
}
