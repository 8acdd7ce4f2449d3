import DescentNN
import DescentOptim
import Foundation
import Testing

/// A module with one parameter, whose values the tests set by hand.
private final class Weights: Module {
  let w = Parameter(Tensor<Double>([0, 0]))
  func forward(_ input: Tensor<Double>) -> Tensor<Double> { input * w.value }
}

/// Sets the weights to each of `values` in turn and averages after each.
private func average(_ values: [[Double]], rule: AveragingRule<Double>) -> AveragedModel<Double> {
  let model = Weights()
  let averaged = AveragedModel(model, rule: rule)
  for value in values {
    model.w.value = Tensor(value)
    averaged.updateParameters()
  }
  return averaged
}

private func close(_ a: [Double], _ b: [Double], tolerance: Double = 1e-12) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
}

@Suite struct AveragingTests {
  @Test func swaIsTheEqualWeightMean() {
    let averaged = average([[1, 2], [3, 6], [8, -2], [0, 10]], rule: .runningMean)
    #expect(averaged.nAveraged == 4)
    #expect(close(averaged.averages[0].scalars, [3, 4]))
    #expect(averaged.names == ["w"])
  }

  @Test func emaFollowsTheRecurrence() throws {
    // v0 = x0; v = 0.9 v + 0.1 x.
    let averaged = average([[1, -1], [2, 0], [4, 3]], rule: try .exponential(decay: 0.9))
    #expect(close(averaged.averages[0].scalars, [1.39, -0.51]))
  }

  @Test func emaWarmupRampsTheDecay() throws {
    let warmup = EMAWarmup.inverseGamma(gamma: 1, power: 0.75)
    #expect(warmup.decay(base: 0.999, step: 0) == 0)
    #expect(abs(warmup.decay(base: 0.999, step: 1) - (1 - pow(2, -0.75))) < 1e-15)
    #expect(warmup.decay(base: 0.999, step: 1_000_000) == 0.999)
    #expect(
      EMAWarmup.inverseGamma(gamma: 1, power: 0.75, minDecay: 0.2).decay(base: 0.9, step: 0)
        == 0.2)
    let rule = try AveragingRule<Double>.exponential(decay: 0.999, warmup: warmup)
    let averaged = average([[1, 1], [3, 5], [7, 9]], rule: rule)
    // Update 1 uses decay 0 (takes the weights), update 2 decay 1 - 2^-0.75.
    let d = 1 - pow(2, -0.75)
    #expect(close(averaged.averages[0].scalars, [d * 3 + (1 - d) * 7, d * 5 + (1 - d) * 9]))
  }

  @Test func customRuleReceivesTheCount() {
    var counts: [Int] = []
    let rule = AveragingRule<Double>.custom("max") { averaged, current, n in
      counts.append(n)
      return Tensor(shape: averaged.shape, scalars: zip(averaged.scalars, current.scalars).map(max))
    }
    let averaged = average([[1, 5], [3, 2], [2, 7]], rule: rule)
    #expect(averaged.averages[0].scalars == [3, 7])
    #expect(counts == [1, 2])
    #expect(averaged.stateDict().rule == "max")
  }

  @Test func evaluationSwapsTheAveragedWeightsInAndBack() throws {
    let model = Weights()
    let averaged = AveragedModel(model)
    model.w.value = Tensor([2, 4])
    averaged.updateParameters()
    model.w.value = Tensor([4, 8])
    averaged.updateParameters()
    model.w.value = Tensor([10, 10])
    let inside = averaged.withAveragedWeights { model(Tensor([1, 1])).scalars }
    #expect(inside == [3, 6])
    #expect(model.w.value.scalars == [10, 10])
    struct Failure: Error {}
    #expect(throws: Failure.self) {
      try averaged.withAveragedWeights { throw Failure() }
    }
    #expect(model.w.value.scalars == [10, 10])
    averaged.copyAveragedWeights()
    #expect(model.w.value.scalars == [3, 6])
  }

  @Test func stateRoundTripsAndMismatchesAreRejected() throws {
    let source = average([[1, 2], [3, 4]], rule: .runningMean)
    let state = source.stateDict()
    let data = try JSONEncoder().encode(state)
    let decoded = try JSONDecoder().decode(AveragingState<Double>.self, from: data)
    #expect(decoded == state)
    let target = AveragedModel(Weights())
    try target.loadStateDict(decoded)
    #expect(target.nAveraged == 2 && target.averages == source.averages)

    let ema = AveragedModel(Weights(), rule: try .exponential())
    #expect(throws: AveragingError.self) { try ema.loadStateDict(state) }
    var renamed = state
    renamed.names = ["v"]
    #expect(throws: AveragingError.self) { try target.loadStateDict(renamed) }
    var reshaped = state
    reshaped.averages = [Tensor([1, 2, 3])]
    #expect(throws: AveragingError.self) { try target.loadStateDict(reshaped) }
    #expect(target.averages == source.averages)
  }

  @Test func invalidOptionsAreRejected() {
    #expect(throws: AveragingError.self) { try AveragingRule<Double>.exponential(decay: 1.5) }
    #expect(throws: AveragingError.self) {
      try AveragingRule<Double>.exponential(warmup: .inverseGamma(gamma: 0))
    }
    let p = Parameter(Tensor<Double>([1]))
    #expect(throws: AveragingError.duplicateName("a")) {
      try AveragedModel(namedParameters: [("a", p), ("a", Parameter(Tensor<Double>([2])))])
    }
  }
}

@Suite struct SWALRTests {
  private func optimizer() throws -> SGD<Double> {
    try SGD([Parameter(Tensor<Double>([1]))], lr: 1.0)
  }

  @Test(arguments: [SWAAnnealStrategy.linear, .cos])
  func annealsFromTheLearningRateToSWALR(strategy: SWAAnnealStrategy) throws {
    let sgd = try optimizer()
    let scheduler = try SWALR(sgd, swaLR: 0.1, annealEpochs: 4, annealStrategy: strategy)
    var rates = [scheduler.lastLR[0]]
    for _ in 0..<6 {
      scheduler.step()
      rates.append(sgd.learningRate(ofGroup: 0))
    }
    let expected = (0...6).map { k -> Double in
      let t = min(1, Double(k) / 4)
      let alpha = strategy == .linear ? t : (1 - cos(Double.pi * t)) / 2
      return 0.1 * alpha + 1.0 * (1 - alpha)
    }
    #expect(close(rates, expected))
  }

  @Test func zeroAnnealEpochsJumpsToSWALR() throws {
    let sgd = try optimizer()
    let scheduler = try SWALR(sgd, swaLR: 0.05, annealEpochs: 0)
    #expect(scheduler.lastLR == [0.05])
    scheduler.step()
    #expect(sgd.learningRate(ofGroup: 0) == 0.05)
  }

  @Test func stateRestoresTheSchedule() throws {
    let first = try optimizer()
    let scheduler = try SWALR(first, swaLR: 0.2, annealEpochs: 5, annealStrategy: .linear)
    for _ in 0..<2 { scheduler.step() }
    let second = try optimizer()
    let restored = try SWALR(second, swaLR: 0.9, annealEpochs: 5, annealStrategy: .linear)
    try second.loadStateDict(first.stateDict())
    try restored.loadStateDict(scheduler.stateDict())
    for _ in 0..<4 {
      scheduler.step()
      restored.step()
      #expect(first.learningRate(ofGroup: 0) == second.learningRate(ofGroup: 0))
    }
    #expect(restored.stateDict() == scheduler.stateDict())
  }

  @Test func invalidOptionsAreRejected() throws {
    #expect(throws: SchedulerError.self) {
      try SWALR(try optimizer(), swaLR: 0.1, annealEpochs: -1)
    }
    #expect(throws: SchedulerError.self) { try SWALR(try optimizer(), swaLR: -0.1) }
    #expect(throws: SchedulerError.self) { try SWALR(try optimizer(), swaLR: [0.1, 0.2]) }
    #expect(throws: SchedulerError.self) { try SWAAnnealStrategy(named: "cosine") }
    #expect(try SWAAnnealStrategy(named: "linear") == .linear)
  }
}
