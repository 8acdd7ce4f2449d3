import Descent
import Foundation
import Testing

// The twins of the README's "PyTorch recipes in Swift": each test starts from the quick start's
// `net`, `x`, `labels` and `adam`, holds its snippet's code line for line (`ReadmeSyncTests`
// checks it), and checks what the snippet does against numbers worked out here.

/// Whether `a` and `b` hold the same numbers to within `tolerance`, relative to their size.
private func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-5) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
}

@Suite("README recipes")
struct ReadmeRecipeTests {
  @Test func schedulersStepPerEpochAndPerBatch() throws {
    let quickStart = QuickStart()
    let (net, x, labels) = (quickStart.net, quickStart.x, quickStart.labels)
    let optimizer = try SGD(net.parameters(), lr: 0.1, momentum: 0.9)
    let scheduler = try StepLR(optimizer, stepSize: 30, gamma: 0.1)
    for _ in 0..<90 {
      optimizer.zeroGrad()
      crossEntropy(logits: net(x), labels: labels).backward()
      optimizer.step()
      scheduler.step()
    }
    print(scheduler.lastLR)
    // Decayed by 0.1 after epochs 30, 60 and 90.
    #expect(scheduler.lastLR.count == 1 && abs(scheduler.lastLR[0] - 1e-4) < 1e-15)
    #expect(optimizer.learningRate(ofGroup: 0) == scheduler.lastLR[0])

    let loader = try BatchLoader(try Dataset(features: x, labels: labels), batchSize: 8, seed: 0)
    let cycled = try SGD(net.parameters(), lr: 0.1, momentum: 0.9)
    let oneCycle = try OneCycleLR(cycled, maxLR: 0.1, epochs: 10, stepsPerEpoch: loader.batchCount)
    var rates = [cycled.learningRate(ofGroup: 0)]
    for epoch in 0..<10 {
      for (features, targets) in loader.batches(epoch: epoch) {
        cycled.zeroGrad()
        crossEntropy(logits: net(features), labels: targets).backward()
        cycled.step()
        oneCycle.step()
        rates.append(cycled.learningRate(ofGroup: 0))
      }
    }
    // 4 batches of 8 for 10 epochs: 40 steps. The rate starts at max_lr / div_factor = 0.004,
    // climbs to max_lr at step pct_start * 40 - 1 = 11 and anneals to 0.004 / final_div_factor
    // at step 39.
    #expect(loader.batchCount == 4 && rates.count == 41)
    #expect(abs(rates[0] - 0.004) < 1e-15)
    #expect(abs(rates[11] - 0.1) < 1e-15)
    #expect(abs(rates[39] - 0.004 / 1e4) < 1e-15)
    #expect(zip(rates[0..<11], rates[1...11]).allSatisfy { $0 < $1 })
    #expect(zip(rates[11..<39], rates[12...39]).allSatisfy { $0 > $1 })
  }

  @Test func clippingScalesThenClampsTheGradients() throws {
    let quickStart = QuickStart()
    let (net, x, labels, adam) = (quickStart.net, quickStart.x, quickStart.labels, quickStart.adam)
    adam.zeroGrad()
    crossEntropy(logits: net(x), labels: labels).backward()
    let raw = net.parameters().map { $0.grad!.scalars }
    let totalNorm = try clipGradNorm(net.parameters(), maxNorm: 1.0)
    // The 2-norm of all gradients as one vector, and the factor that brings it down to 1.
    let norm = raw.joined().reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
    #expect(abs(totalNorm - norm) <= 1e-5 * norm)
    let factor = Float(min(1, 1 / (norm + 1e-6)))
    #expect(norm > 1 && raw.joined().contains { abs($0 * factor) > 0.1 }, "both clips change it")
    try clipGradValue(net.parameters(), clipValue: 0.1)
    for (parameter, gradient) in zip(net.parameters(), raw) {
      let expected = gradient.map { min(max($0 * factor, -0.1), 0.1) }
      #expect(close(parameter.grad!.scalars, expected))
    }
    let before = quickStart.weights
    adam.step()
    #expect(quickStart.weights != before)
  }

  @Test func noGradPredictsWithoutAGraph() {
    let quickStart = QuickStart()
    let (net, x, labels) = (quickStart.net, quickStart.x, quickStart.labels)
    net.eval()
    let predicted = withNoGrad { net(x).argmax(axis: 1) }
    let correct = zip(predicted, labels).filter { $0 == $1 }.count
    print("accuracy", Double(correct) / Double(labels.count))
    net.train()
    #expect(net.isTraining)
    #expect(!withNoGrad { net(x) }.requiresGrad && net(x).requiresGrad)
    // Each prediction is the class of the row's largest logit.
    let logits = net(x).scalars
    let expected = (0..<32).map { row in
      (0..<5).max { logits[5 * row + $0] < logits[5 * row + $1] }!
    }
    #expect(predicted == expected)
    #expect(correct == zip(expected, labels).filter { $0 == $1 }.count)
  }

  /// A step with zero gradients leaves Adam's moments at zero, so it only decays: each weight by
  /// `1 - lr * weightDecay` of its group, the biases not at all.
  @Test func parameterGroupsDecayByTheirOwnSettings() throws {
    let quickStart = QuickStart()
    let net = quickStart.net
    let weights = net.namedParameters().filter { $0.name.hasSuffix("weight") }.map(\.parameter)
    let biases = net.namedParameters().filter { $0.name.hasSuffix("bias") }.map(\.parameter)
    let adamW = try AdamW(
      [ParameterGroup(weights), ParameterGroup(biases, ["weightDecay": 0])], lr: 1e-3,
      weightDecay: 0.01)
    let head = Linear<Float>(5, 2)
    try adamW.addParamGroup(ParameterGroup(head.parameters(), ["lr": 1e-4]))
    print(adamW.paramGroups.map(\.hyperparameters.weightDecay))
    #expect(adamW.paramGroups.map(\.hyperparameters.weightDecay) == [0.01, 0, 0.01])
    #expect(adamW.paramGroups.map(\.hyperparameters.lr) == [1e-3, 1e-3, 1e-4])

    let groups: [(parameters: [Parameter<Float>], factor: Float)] = [
      (weights, 1 - 1e-3 * 0.01), (biases, 1), (head.parameters(), 1 - 1e-4 * 0.01),
    ]
    var expected: [[Float]] = []
    for (parameters, factor) in groups {
      for parameter in parameters {
        parameter.grad = Tensor(zeros: parameter.shape)
        expected.append(parameter.value.scalars.map { $0 * factor })
      }
    }
    adamW.step()
    let stepped = groups.flatMap(\.parameters).map(\.value.scalars)
    #expect(zip(stepped, expected).allSatisfy { close($0, $1, 1e-7) })
    #expect(stepped[2] == expected[2], "a bias of the group without decay stays as it was")
  }

  /// With a strong-Wolfe line search every iteration lowers the loss (sufficient decrease), so
  /// each step starts below where the previous one started.
  @Test func lbfgsStepsThroughItsClosure() throws {
    let quickStart = QuickStart()
    let (net, x, labels) = (quickStart.net, quickStart.x, quickStart.labels)
    let lbfgs = try LBFGS(net.parameters(), lr: 1, lineSearchFn: .strongWolfe)
    var losses: [Double] = []
    for _ in 0..<5 {
      let loss = lbfgs.step {
        lbfgs.zeroGrad()
        let objective = crossEntropy(logits: net(x), labels: labels)
        objective.backward()
        return Double(objective.item)
      }
      print(loss)
      losses.append(loss)
    }
    #expect(losses[0] == Double(crossEntropy(logits: QuickStart().net(x), labels: labels).item))
    #expect(zip(losses, losses.dropFirst()).allSatisfy { $1 <= $0 })
    #expect(quickStart.loss().item < Float(losses[0]) / 10)
  }

  /// The averages against their definitions: SWA the plain mean of the weights after the steps
  /// it saw, EMA `0.999 average + 0.001 weights` from a copy of the first.
  @Test func averagesFollowTheirDefinitions() throws {
    let quickStart = QuickStart()
    let (net, x, labels) = (quickStart.net, quickStart.x, quickStart.labels)
    let ema = try AveragedModel(net, rule: .exponential(decay: 0.999))
    let swa = AveragedModel(net)
    let optimizer = try SGD(net.parameters(), lr: 0.1)
    let swaScheduler = try SWALR(optimizer, swaLR: 0.05, annealEpochs: 5)
    var history: [[Float]] = []
    for epoch in 0..<20 {
      optimizer.zeroGrad()
      crossEntropy(logits: net(x), labels: labels).backward()
      optimizer.step()
      history.append(Array(quickStart.weights.joined()))
      ema.updateParameters()
      if epoch >= 10 {
        swa.updateParameters()
        swaScheduler.step()
      }
    }
    #expect(ema.nAveraged == 20 && swa.nAveraged == 10)
    #expect(abs(optimizer.learningRate(ofGroup: 0) - 0.05) < 1e-15, "annealed to swa_lr")
    let swaMean = (0..<history[0].count).map { index in
      history[10...].reduce(0) { $0 + Double($1[index]) } / 10
    }
    #expect(close(Array(swa.averages.map(\.scalars).joined()), swaMean.map { Float($0) }))
    var emaExpected = history[0].map { Double($0) }
    for weights in history.dropFirst() {
      for index in emaExpected.indices {
        emaExpected[index] = 0.999 * emaExpected[index] + 0.001 * Double(weights[index])
      }
    }
    #expect(close(Array(ema.averages.map(\.scalars).joined()), emaExpected.map { Float($0) }))

    let own = quickStart.weights
    let emaLoss = ema.withAveragedWeights { crossEntropy(logits: net(x), labels: labels).item }
    #expect(quickStart.weights == own, "the model's own weights are back")
    let emaNet = QuickStart().net
    for (parameter, average) in zip(emaNet.parameters(), ema.averages) { parameter.value = average }
    #expect(emaLoss == crossEntropy(logits: emaNet(x), labels: labels).item)
    swa.copyAveragedWeights()
    #expect(quickStart.weights == swa.averages.map(\.scalars))
    updateBatchNorm(net, batches: [x])
    #expect(quickStart.weights == swa.averages.map(\.scalars) && net.isTraining)
  }

  /// The snippet run as a program that is killed after four epochs and started again equals
  /// one uninterrupted run, bit for bit; run again after the last epoch it trains no more.
  @Test func checkpointSnippetResumesWhereItStopped() throws {
    /// The snippet as a program writing to `runs`, from weights of `seed` (the checkpoint's
    /// replace them), killed before epoch `killedAt`.
    func program(runs: URL, seed: UInt64, killedAt: Int? = nil) throws -> [[Float]] {
      let quickStart = QuickStart(seed: seed)
      let (net, x, labels) = (quickStart.net, quickStart.x, quickStart.labels)
      let optimizer = try SGD(net.parameters(), lr: 0.1, momentum: 0.9)
      let scheduler = try CosineAnnealingLR(optimizer, tMax: 10)
      let checkpoint = TrainingCheckpoint(model: net, optimizer: optimizer, scheduler: scheduler)
      let file = runs.appendingPathComponent("checkpoint.safetensors")
      var start = 0
      if FileManager.default.fileExists(atPath: file.path) {
        start = try checkpoint.load(from: file).epoch
      }
      for epoch in start..<10 {
        if epoch == killedAt { break }
        optimizer.zeroGrad()
        crossEntropy(logits: net(x), labels: labels).backward()
        optimizer.step()
        scheduler.step()
        try checkpoint.save(to: file, progress: TrainingProgress(epoch: epoch + 1))
      }
      return quickStart.weights
    }
    let (whole, killed) = (try temporaryFolder(), try temporaryFolder())
    defer {
      for folder in [whole, killed] { try? FileManager.default.removeItem(at: folder) }
    }
    let reference = try program(runs: whole, seed: 1)
    #expect(try program(runs: killed, seed: 1, killedAt: 4) != reference)
    #expect(try program(runs: killed, seed: 2) == reference)
    #expect(try program(runs: whole, seed: 3) == reference)
  }

  @Test func stateDictsCopyTheModel() throws {
    let runs = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: runs) }
    let quickStart = QuickStart()
    let (net, x) = (quickStart.net, quickStart.x)
    let state = net.stateDict()
    let copy = SimpleNet()
    try copy.loadStateDict(state)
    #expect(state.map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
    #expect(copy(x).scalars == net(x).scalars)
    for parameter in copy.parameters() { parameter.value = Tensor(zeros: parameter.shape) }
    let file = runs.appendingPathComponent("net.safetensors")
    try ModelStateFile.save(net, to: file)
    let (missing, unexpected) = try ModelStateFile.load(into: copy, from: file, strict: false)
    print(missing, unexpected)
    #expect(missing.isEmpty && unexpected.isEmpty)
    #expect(copy(x).scalars == net(x).scalars)
  }
}
