import DescentNN
import Foundation
import Testing

/// A keyword argument of a `torch.nn.functional` loss call, by its PyTorch name.
private enum TorchOption {
  case integer(Int)
  case number(Double)
  case text(String)
  case tensor(Tensor<Double>)

  /// An option read from a fixture's JSON `kwargs`.
  init?(json: Any) {
    if let text = json as? String {
      self = .text(text)
    } else if let number = json as? NSNumber {
      self = .number(number.doubleValue)
    } else if let object = json as? [String: Any], let tensor = try? NNFixture.tensor(from: object)
    {
      self = .tensor(tensor)
    } else {
      return nil
    }
  }
}

/// One call of a loss with PyTorch's result: see `scripts/fixtures/loss-options.py`.
private struct TorchLossCase {
  var name: String
  var loss: String
  var options: [String: TorchOption]
  var input: Tensor<Double>
  var labels: [Int]? = nil
  var target: Tensor<Double>? = nil
  var upstream: Tensor<Double>
  var expected: Tensor<Double>
  var gradInput: Tensor<Double>
}

/// The options of one call, read with PyTorch's defaults.
private struct LossOptions {
  let values: [String: TorchOption]

  func number(_ key: String, default fallback: Double) -> Double {
    switch values[key] {
    case .number(let value): return value
    case .integer(let value): return Double(value)
    default: return fallback
    }
  }

  func integer(_ key: String, default fallback: Int) -> Int {
    switch values[key] {
    case .integer(let value): return value
    case .number(let value): return Int(value)
    default: return fallback
    }
  }

  func tensor(_ key: String) -> Tensor<Double>? {
    if case .tensor(let value) = values[key] { return value }
    return nil
  }

  var reduction: LossReduction {
    get throws {
      guard case .text(let name) = values["reduction"] else { return .mean }
      return try #require(LossReduction(rawValue: name), "unknown reduction \(name)")
    }
  }
}

/// Calls the Descent twin of `torch.nn.functional.<loss>`.
private func evaluate(
  _ loss: String, _ options: LossOptions, input: Tensor<Double>, labels: [Int]?,
  target: Tensor<Double>?
) throws -> Tensor<Double> {
  let reduction = try options.reduction
  switch loss {
  case "cross_entropy":
    return crossEntropy(
      logits: input, labels: try #require(labels), weight: options.tensor("weight"),
      ignoreIndex: options.integer("ignore_index", default: -100), reduction: reduction,
      labelSmoothing: options.number("label_smoothing", default: 0))
  case "nll_loss":
    return nllLoss(
      logProbabilities: input, labels: try #require(labels), weight: options.tensor("weight"),
      ignoreIndex: options.integer("ignore_index", default: -100), reduction: reduction)
  case "mse_loss":
    return mseLoss(input, try #require(target), reduction: reduction)
  case "l1_loss":
    return l1Loss(input, try #require(target), reduction: reduction)
  case "smooth_l1_loss":
    return smoothL1Loss(
      input, try #require(target), reduction: reduction,
      beta: options.number("beta", default: 1))
  case "binary_cross_entropy_with_logits":
    return binaryCrossEntropyWithLogits(
      input, try #require(target), weight: options.tensor("weight"), reduction: reduction,
      posWeight: options.tensor("pos_weight"))
  default:
    Issue.record("unknown loss \(loss)")
    return Tensor(0)
  }
}

/// `expectClose`, where a NaN expects a NaN.
private func expectMatch(
  _ actual: Tensor<Double>, _ expected: Tensor<Double>, _ what: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let nan = expected.scalars.map(\.isNaN)
  guard nan.contains(true) else {
    expectClose(actual, expected, what, sourceLocation: sourceLocation)
    return
  }
  #expect(actual.shape == expected.shape, "\(what): shape", sourceLocation: sourceLocation)
  #expect(
    actual.scalars.map(\.isNaN) == nan, "\(what): NaN positions", sourceLocation: sourceLocation)
}

@Suite("Losses")
struct LossTests {
  @Test(arguments: try NNFixture.names(prefix: "loss-"))
  func matchesPyTorchFixture(_ name: String) throws {
    let fixture = try NNFixture(name)
    let loss = try #require(fixture.json["loss"] as? String)
    let options = LossOptions(values: fixture.kwargs.compactMapValues { TorchOption(json: $0) })
    #expect(options.values.count == fixture.kwargs.count, "\(name): unread kwargs")
    let target = try fixture.tensor("target")
    let isClassLoss = loss == "cross_entropy" || loss == "nll_loss"
    let input = try fixture.tensor("input").requiringGrad()
    let output = try evaluate(
      loss, options, input: input, labels: isClassLoss ? target.scalars.map { Int($0) } : nil,
      target: isClassLoss ? nil : target)
    let expected = try #require(fixture.json["expected"] as? NSNumber).doubleValue
    expectClose(output, Tensor(expected), "\(name) loss")
    output.backward()
    expectClose(try #require(input.grad), try fixture.tensor("grad_input"), "\(name) grad_input")
  }

  @Test func everyLossFixtureIsHere() throws {
    #expect(try NNFixture.names(prefix: "loss-").count == 8)
  }

  @Test(arguments: torchLossCases.map(\.name))
  func matchesPyTorchOption(_ name: String) throws {
    let reference = try #require(torchLossCases.first { $0.name == name })
    let input = reference.input.requiringGrad()
    let output = try evaluate(
      reference.loss, LossOptions(values: reference.options), input: input,
      labels: reference.labels, target: reference.target)
    expectMatch(output, reference.expected, "\(name) loss")
    (output * reference.upstream).sum().backward()
    expectClose(try #require(input.grad), reference.gradInput, "\(name) grad_input")
  }

  @Test func plainCrossEntropyIsTheFusedOneAndAgreesWithTheGeneralPath() {
    var generator = SeededGenerator(seed: 11)
    let logits = Tensor<Double>(normal: [7, 4], generator: &generator)
    let labels = [0, 3, 1, 1, 2, 0, 3]
    let fused = logits.requiringGrad()
    let plain = crossEntropy(logits: fused, labels: labels)
    #expect(plain.item == fused.softmaxCrossEntropy(labels: labels).item)
    plain.backward()
    // The general path: a class weight of ones and the sum over the batch divided by it.
    let general = logits.requiringGrad()
    let weighted = crossEntropy(
      logits: general, labels: labels, weight: Tensor(ones: [4]), reduction: .sum)
    (weighted / 7).backward()
    expectClose(Tensor(weighted.item / 7), Tensor(plain.item), "loss")
    expectClose(general.grad!, fused.grad!, "gradient")
  }

  @Test func crossEntropyIsLogSoftmaxThenNLL() {
    var generator = SeededGenerator(seed: 12)
    let logits = Tensor<Double>(normal: [3, 5, 2], generator: &generator)
    let labels = [4, 0, -100, 2, 1, 3]
    let direct = crossEntropy(logits: logits, labels: labels, reduction: .none)
    let composed = nllLoss(
      logProbabilities: logits.logSoftmax(axis: 1), labels: labels, reduction: .none)
    expectClose(direct, composed, "per-target losses")
    #expect(direct.shape == [3, 2])
    #expect(direct.scalars[2] == 0)
  }

  @Test func floatLossesAgreeWithDouble() {
    var generator = SeededGenerator(seed: 13)
    let logits = Tensor<Double>(normal: [5, 6], generator: &generator)
    let labels = [5, 0, 2, 2, 1]
    let double = crossEntropy(logits: logits, labels: labels, ignoreIndex: 2, labelSmoothing: 0.1)
    let single = crossEntropy(
      logits: logits.converted(to: Float.self), labels: labels, ignoreIndex: 2,
      labelSmoothing: 0.1)
    #expect(abs(Double(single.item) - double.item) < 1e-5)
    let target = Tensor<Double>(uniform: [5, 6], generator: &generator)
    let bce = binaryCrossEntropyWithLogits(logits, target)
    let bceSingle = binaryCrossEntropyWithLogits(
      logits.converted(to: Float.self), target.converted(to: Float.self))
    #expect(abs(Double(bceSingle.item) - bce.item) < 1e-5)
  }

  @Test func reductionsByPyTorchName() {
    #expect(LossReduction.allCases.map(\.rawValue) == ["mean", "sum", "none"])
    #expect(LossReduction(rawValue: "sum") == .sum)
    #expect(LossReduction(rawValue: "average") == nil)
  }

  @Test func classLabelsFromOutsideAreChecked() throws {
    try validateClassLabels([0, 2, -100, 1], classes: 3)
    try validateClassLabels([0, 7, 1], classes: 3, ignoreIndex: 7)
    #expect(
      throws: ClassLabelError.labelOutOfRange(position: 1, label: 3, classes: 3, ignoreIndex: -100)
    ) {
      try validateClassLabels([0, 3, 1], classes: 3)
    }
    #expect(
      throws: ClassLabelError.labelOutOfRange(position: 0, label: -1, classes: 3, ignoreIndex: -100)
    ) {
      try validateClassLabels([-1], classes: 3)
    }
    #expect(throws: ClassLabelError.noClasses(0)) { try validateClassLabels([], classes: 0) }
    let message = ClassLabelError.labelOutOfRange(
      position: 1, label: 3, classes: 3, ignoreIndex: -100
    ).localizedDescription
    #expect(
      message == "class label 3 at position 1 is outside 0..<3 and is not the ignore index -100")
  }

  @Test func anOutOfRangeLabelStops() async {
    await #expect(processExitsWith: .failure) {
      _ = crossEntropy(logits: Tensor<Double>(zeros: [2, 3]), labels: [0, 3])
    }
    await #expect(processExitsWith: .failure) {
      _ = nllLoss(logProbabilities: Tensor<Double>(zeros: [2, 3]), labels: [0, -1])
    }
  }

  // MARK: - Finite differences

  @Test(arguments: LossReduction.allCases)
  func crossEntropyGradientMatchesFiniteDifferences(_ reduction: LossReduction) {
    var generator = SeededGenerator(seed: 21)
    let logits = Parameter(Tensor<Double>(normal: [3, 4, 2], generator: &generator))
    let weight = Tensor<Double>(uniform: [4], low: 0.5, high: 2, generator: &generator)
    let probe = Tensor<Double>(normal: reduction == .none ? [3, 2] : [], generator: &generator)
    let labels = [0, 3, 1, 1, 2, 0]
    expectGradientsMatchFiniteDifferences([logits], "crossEntropy \(reduction)") {
      (crossEntropy(
        logits: logits.value, labels: labels, weight: weight, ignoreIndex: 1, reduction: reduction,
        labelSmoothing: 0.15) * probe).sum()
    }
  }

  @Test func nllGradientMatchesFiniteDifferences() {
    var generator = SeededGenerator(seed: 22)
    let logits = Parameter(Tensor<Double>(normal: [5, 3], generator: &generator))
    let weight = Tensor<Double>(uniform: [3], low: 0.5, high: 2, generator: &generator)
    expectGradientsMatchFiniteDifferences([logits], "nllLoss") {
      nllLoss(
        logProbabilities: logits.value.logSoftmax(axis: 1), labels: [2, 0, 1, 2, -100],
        weight: weight)
    }
  }

  @Test func elementwiseLossGradientsMatchFiniteDifferences() {
    var generator = SeededGenerator(seed: 23)
    let input = Parameter(Tensor<Double>(normal: [4, 3], generator: &generator))
    let target = Parameter(Tensor<Double>(normal: [4, 3], generator: &generator))
    let probe = Tensor<Double>(normal: [4, 3], generator: &generator)
    expectGradientsMatchFiniteDifferences([input, target], "mseLoss") {
      (mseLoss(input.value, target.value, reduction: .none) * probe).sum()
    }
    expectGradientsMatchFiniteDifferences([input, target], "l1Loss") {
      l1Loss(input.value, target.value, reduction: .sum)
    }
    // beta 0.7: no difference lies within the step of the kink at |d| = beta.
    expectGradientsMatchFiniteDifferences([input, target], "smoothL1Loss") {
      smoothL1Loss(input.value, target.value, beta: 0.7)
    }
  }

  @Test func binaryCrossEntropyGradientMatchesFiniteDifferences() {
    var generator = SeededGenerator(seed: 24)
    let logits = Parameter(Tensor<Double>(normal: [4, 3], generator: &generator) * 3)
    let target = Parameter(Tensor<Double>(uniform: [4, 3], generator: &generator))
    let weight = Tensor<Double>(uniform: [4, 1], low: 0.5, high: 2, generator: &generator)
    let positive = Tensor<Double>([0.5, 2, 3])
    expectGradientsMatchFiniteDifferences([logits, target], "binaryCrossEntropyWithLogits") {
      binaryCrossEntropyWithLogits(
        logits.value, target.value, weight: weight, reduction: .sum, posWeight: positive)
    }
    expectGradientsMatchFiniteDifferences([logits, target], "plain") {
      binaryCrossEntropyWithLogits(logits.value, target.value)
    }
  }

  @Test func binaryCrossEntropyIsStableForLargeLogits() {
    let logits = Tensor<Double>([-800, 800, -40, 40])
    let target = Tensor<Double>([0, 1, 1, 0])
    let losses = binaryCrossEntropyWithLogits(logits, target, reduction: .none).scalars
    #expect(losses[0] == 0 && losses[1] == 0)
    #expect(losses[2] == 40 && losses[3] == 40)
  }
}

/// Made by scripts/fixtures/loss-options.py (PyTorch 2.15); do not edit by hand.
private var torchLossCases: [TorchLossCase] {
  [
    TorchLossCase(
      name: "cross-entropy-weight-smoothing-ignore", loss: "cross_entropy",
      options: [
        "weight": .tensor(
          Tensor(
            shape: [5],
            scalars: [
              1.0397422231167204, 1.2277782861032638, 0.945512446074399, 1.097174413074859,
              1.1869855463229864,
            ])), "ignore_index": .integer(2), "label_smoothing": .number(0.2),
      ],
      input: Tensor(
        shape: [6, 5],
        scalars: [
          0.8878986771214153, -2.8372824479929837, -1.5558617685953162, 0.27944636231629816,
          -1.5223280750940387, -0.003799576170641882, 0.6611423018833706, -0.06046407455665108,
          -1.0096830897495461, -0.7522565550951723, -1.0043327136397815, -0.4495845464269969,
          -0.26083068780724483, -0.7667184635259041, 0.6719812414366428, -1.2826913069600465,
          -0.2783730217971347, -1.529758799642545, -1.4318937262470663, 0.1416064675544863,
          -1.3046433295114284, 0.4609060364070936, 0.8535468962157259, -1.1642857914633333,
          0.27716352407664013, -0.603788961461239, 0.0564864878492115, -0.01625674600232075,
          0.842574626190341, -0.36792500564759695,
        ]),
      labels: [0, 2, 4, 2, 1, 3],
      upstream: Tensor(shape: [], scalars: [1.0]),
      expected: Tensor(shape: [], scalars: [1.093562958125025]),
      gradInput: Tensor(
        shape: [6, 5],
        scalars: [
          -0.05946736066369118, -0.00759733208325872, 0.003188885257328145, 0.062416870377575435,
          0.001458937112046326, 0.0, 0.0, 0.0, 0.0, 0.0, 0.01328504990171023, 0.02825875926472731,
          0.038851363947751884, 0.01879443554521934, -0.09918960865940879, 0.0, 0.0, 0.0, 0.0, 0.0,
          0.0031382509017673036, -0.15483564113112783, 0.09794067509010275, 0.004483269416206182,
          0.04927344572305161, 0.014392809147681226, 0.03474858432559299, 0.03403414170897161,
          -0.10253341082376558, 0.019357875641519764,
        ])),
    TorchLossCase(
      name: "cross-entropy-4d-weight-none", loss: "cross_entropy",
      options: [
        "weight": .tensor(
          Tensor(shape: [3], scalars: [1.2617953101524229, 0.8545350714591977, 0.9739169883316147])),
        "reduction": .text("none"),
      ],
      input: Tensor(
        shape: [2, 3, 2, 2],
        scalars: [
          0.2543571852241247, 0.86105935557715, 1.1003597504160527, 0.6112419209579242,
          -0.7097044052450175, -0.4508272376810725, -0.06539715321591524, -0.6874663981767825,
          -2.46103201422146, 0.4172482593140265, -0.37938175220873754, 0.28413655389400366,
          0.20986029278177318, -0.6173108419947303, -0.24622457939778966, -0.9376155037568412,
          0.1074048376249067, 0.598353280767201, 0.8027334960867127, -0.5657448294860314,
          1.2938625661674459, 2.3029700676747478, 1.3565329421821377, -0.17279269341717102,
        ]),
      labels: [0, 2, 2, 2, 0, 2, 2, 2],
      upstream: Tensor(
        shape: [2, 2, 2],
        scalars: [
          -1.1369609726839498, -0.10674063558848906, 0.9149374962694866, -1.1991472122501732,
          0.12109174478615697, -1.6103482976954586, -0.10657734593448027, 1.070601580675279,
        ]),
      expected: Tensor(
        shape: [2, 2, 2],
        scalars: [
          0.466677267219126, 1.0629178457745154, 1.8612754647818743, 0.9906623036749951,
          1.9947149996085225, 0.20616522242816918, 0.5594386798913008, 0.7411789849746981,
        ]),
      gradInput: Tensor(
        shape: [2, 3, 2, 2],
        scalars: [
          0.4435293804678767, -0.05440191613519948, 0.5788507847607646, -0.5857237758968127,
          -0.377940332871584, -0.01465106139569649, 0.18042006540482958, -0.15983467297665857,
          -0.06558904759629258, 0.06905297753089597, -0.759270850165594, 0.7455584488734712,
          -0.12134832945680142, -0.06842984121739319, -0.011766575513315496, 0.2267153048177289,
          0.02838253291703572, -0.23078190431018641, -0.0335897514469351, 0.32883816854654496,
          0.0929657965397657, 0.29921174552757956, 0.045356326960250604, -0.555553473364274,
        ])),
    TorchLossCase(
      name: "cross-entropy-3d-smoothing-sum", loss: "cross_entropy",
      options: ["label_smoothing": .number(0.3), "reduction": .text("sum")],
      input: Tensor(
        shape: [3, 4, 2],
        scalars: [
          1.1184574851844704, -1.174532413451671, -0.6731534377528976, 1.556572704416776,
          -0.22467738923988032, 0.3465022152788504, 0.003621376866477042, -0.6336760480671251,
          0.4541871213779293, -1.0978900643487173, -1.0461417620562683, -0.5656155408058159,
          -0.42080688569384583, -1.2424360822240488, -1.779776024877192, 1.273594573731203,
          0.7878385254433132, 0.20470866456021838, 0.5944192267438059, 0.9712983367091333,
          -0.014350972838224427, 0.2626809266949097, 0.35214814275961104, 0.4345356362212183,
        ]),
      labels: [0, 3, -100, 1, 2, 2],
      upstream: Tensor(shape: [], scalars: [1.0]),
      expected: Tensor(shape: [], scalars: [8.662774501894166]),
      gradInput: Tensor(
        shape: [3, 4, 2],
        scalars: [
          -0.2054222479432363, -0.030838729892162752, 0.019943727833925347, 0.6028684760013282,
          0.0736746595983961, 0.1271242872859542, 0.11180386051091484, -0.6991540333951196, 0.0,
          -0.004979353174410091, 0.0, -0.6557687747939828, 0.0, -0.014403075841013989, 0.0,
          0.6751512038094069, 0.26754780785215554, 0.10779927733510403, 0.20730609745565906,
          0.31845959355759257, -0.6214199799198641, -0.5812902377728, 0.14656607461204946,
          0.15503136688010327,
        ])),
    TorchLossCase(
      name: "cross-entropy-unbatched", loss: "cross_entropy",
      options: [:],
      input: Tensor(
        shape: [5],
        scalars: [
          0.6703535259494614, -0.41552473997635403, 0.26684061640604306, -0.4552213394956089,
          -1.571606316780339,
        ]),
      labels: [3],
      upstream: Tensor(shape: [], scalars: [1.0]),
      expected: Tensor(shape: [], scalars: [2.0160514645020506]),
      gradInput: Tensor(
        shape: [5],
        scalars: [
          0.4104600812399732, 0.13857343670176606, 0.27417477565241316, -0.8668197046333868,
          0.04361141103923431,
        ])),
    TorchLossCase(
      name: "cross-entropy-all-ignored", loss: "cross_entropy",
      options: [:],
      input: Tensor(
        shape: [2, 3],
        scalars: [
          -0.4202677732872942, -2.8640329511535234, 1.446326256821809, -0.7921744134684807,
          -0.8095568193100992, 0.4273429890046114,
        ]),
      labels: [-100, -100],
      upstream: Tensor(shape: [], scalars: [1.0]),
      expected: Tensor(shape: [], scalars: [.nan]),
      gradInput: Tensor(shape: [2, 3], scalars: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0])),
    TorchLossCase(
      name: "nll-3d-weight-ignore-mean", loss: "nll_loss",
      options: [
        "weight": .tensor(
          Tensor(
            shape: [4],
            scalars: [
              0.6933801921324776, 1.1985457872143899, 1.346408862647553, 1.4419592534237244,
            ])), "ignore_index": .integer(0),
      ],
      input: Tensor(
        shape: [2, 4, 3],
        scalars: [
          -0.3781061659479267, -2.5847874615044546, -1.4977725458819646, -1.748453063807983,
          -0.9562681600233229, -1.6414687418682141, -3.325909072378693, -0.7526728555132804,
          -0.9991455842762903, -2.2551344642031883, -2.6713648248005635, -1.5395246512726504,
          -0.3911347409064736, -3.1166105740201666, -1.3141889146516101, -2.5264181160350843,
          -1.9034377282000263, -2.398452901338919, -1.794393176346072, -2.134537978536621,
          -1.9582598153194184, -2.5569894666023454, -0.3734747742785407, -0.6944567029841326,
        ]),
      labels: [0, 3, 1, 2, 0, 0],
      upstream: Tensor(shape: [], scalars: [1.0]),
      expected: Tensor(shape: [], scalars: [2.0655980413125676]),
      gradInput: Tensor(
        shape: [2, 4, 3],
        scalars: [
          0.0, 0.0, 0.0, 0.0, 0.0, -0.3006199321802894, 0.0, 0.0, 0.0, 0.0, -0.3616730354361019,
          0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.33770703238360883, 0.0, 0.0, 0.0, 0.0, 0.0,
        ])),
    TorchLossCase(
      name: "nll-none", loss: "nll_loss",
      options: ["reduction": .text("none")],
      input: Tensor(
        shape: [4, 3],
        scalars: [
          -0.7226626920596979, -0.8732522892904038, -2.333550815320785, -0.3394400432317995,
          -2.4419050945130896, -1.605266399571399, -0.7131435980456157, -0.8594860606547603,
          -2.447387887604265, -2.8569940201825297, -0.5410274854885576, -1.0205156772790385,
        ]),
      labels: [2, 0, 1, 1],
      upstream: Tensor(
        shape: [4],
        scalars: [0.2698992213152794, -0.7845468619081757, -0.8615049273390789, 1.3540051901378478]),
      expected: Tensor(
        shape: [4],
        scalars: [2.333550815320785, 0.3394400432317995, 0.8594860606547603, 0.5410274854885576]),
      gradInput: Tensor(
        shape: [4, 3],
        scalars: [
          0.0, 0.0, -0.2698992213152794, 0.7845468619081757, 0.0, 0.0, 0.0, 0.8615049273390789, 0.0,
          0.0, -1.3540051901378478, 0.0,
        ])),
    TorchLossCase(
      name: "bce-weight-posweight-sum", loss: "binary_cross_entropy_with_logits",
      options: [
        "weight": .tensor(
          Tensor(shape: [3], scalars: [1.4606865067310726, 1.3515483538283397, 0.5525155012671594])),
        "pos_weight": .tensor(Tensor(shape: [3], scalars: [2.0, 0.5, 3.0])),
        "reduction": .text("sum"),
      ],
      input: Tensor(
        shape: [4, 3],
        scalars: [-40.0, 0.5, 3.0, 2.0, -1.5, 40.0, 0.0, -0.25, 1.0, -3.0, 7.0, -0.5]),
      target: Tensor(
        shape: [4, 3], scalars: [1.0, 0.0, 0.3, 1.0, 1.0, 0.0, 0.5, 0.0, 1.0, 0.0, 1.0, 0.9]),
      upstream: Tensor(shape: [], scalars: [1.0]),
      expected: Tensor(shape: [], scalars: [147.3631252564843]),
      gradInput: Tensor(
        shape: [4, 3],
        scalars: [
          -2.921373013462145, 0.8412838844109559, 0.34483520274023405, -0.34823619952124707,
          -0.5524957187157931, 0.5525155012671594, -0.36517162668276815, 0.5917396294951631,
          -0.4457829127192355, 0.06927433302041089, -0.0006156648710227387, -0.9077200521860419,
        ])),
    TorchLossCase(
      name: "bce-none", loss: "binary_cross_entropy_with_logits",
      options: ["reduction": .text("none")],
      input: Tensor(
        shape: [2, 3],
        scalars: [
          0.022838784658808033, 1.280199262947832, -1.0075091918023418, 1.748169609594215,
          0.01482580413371213, -1.2429485963724405,
        ]),
      target: Tensor(
        shape: [2, 3],
        scalars: [
          0.1741359052701088, 0.5443528676125706, 0.2605526319598216, 0.386745507453234,
          0.32413135383062386, 0.012075319116350736,
        ]),
      upstream: Tensor(
        shape: [2, 3],
        scalars: [
          0.8454976796626981, 0.9066886328033815, -0.30086571696903663, -0.5758676241230819,
          0.6158049519408259, -0.4813189441925739,
        ]),
      expected: Tensor(
        shape: [2, 3],
        scalars: [
          0.7006547202910863, 0.8286013188396153, 0.5737568633058293, 1.2325682128043056,
          0.6957820499682081, 0.26851274005135406,
        ]),
      gradInput: Tensor(
        shape: [2, 3],
        scalars: [
          0.28034466100838257, 0.21591051293069097, -0.002080473438764988, -0.2677647856566683,
          0.11058319229591869, -0.10196637761778385,
        ])),
    TorchLossCase(
      name: "mse-none", loss: "mse_loss",
      options: ["reduction": .text("none")],
      input: Tensor(
        shape: [3, 2],
        scalars: [
          0.39810732250824327, -1.3353033044010296, -0.4605183669551527, -0.7736032402797476,
          -0.7717749503110728, -0.08000899486711066,
        ]),
      target: Tensor(
        shape: [3, 2],
        scalars: [
          0.5387037386214013, -1.2301009892196764, 0.5156477424768234, 1.0667072169793672,
          -1.4449985897839412, -0.6393741409237,
        ]),
      upstream: Tensor(
        shape: [3, 2],
        scalars: [
          0.864036062701701, 0.764018972039589, 1.4878002195180318, -2.369672724622324,
          1.2830219267748315, 0.2750551692725245,
        ]),
      expected: Tensor(
        shape: [3, 2],
        scalars: [
          0.019767352223864287, 0.01106752711951679, 0.9529002732035607, 3.386742579097252,
          0.45323006874509475, 0.31288936662290956,
        ]),
      gradInput: Tensor(
        shape: [3, 2],
        scalars: [
          -0.24296074761676612, -0.16075312940208472, -2.9046803037979143, 8.721866990808323,
          1.7275213821336883, 0.30771254986749114,
        ])),
    TorchLossCase(
      name: "l1-mean", loss: "l1_loss",
      options: [:],
      input: Tensor(
        shape: [3, 4],
        scalars: [
          1.1744501335064208, 0.5386844066678176, -0.502458330842643, -2.073406496520929,
          -0.843224155740722, -1.0838536961655938, 0.11745270129651127, 0.18913327607357192,
          -1.140797121643746, -0.2609846277761038, 0.2662539624274876, -0.9858264817302611,
        ]),
      target: Tensor(
        shape: [3, 4],
        scalars: [
          -0.5562208386948029, -0.16359069400795417, 0.09801054217763608, 0.542621796024637,
          1.5872941354618078, -0.7500684420855747, -0.9334315851989605, 0.3070533035547737,
          -0.6844126259286973, 1.330198141562439, 1.8704804606427203, -1.4010384578468735,
        ]),
      upstream: Tensor(shape: [], scalars: [1.0]),
      expected: Tensor(shape: [], scalars: [1.1374630697572916]),
      gradInput: Tensor(
        shape: [3, 4],
        scalars: [
          0.08333333333333333, 0.08333333333333333, -0.08333333333333333, -0.08333333333333333,
          -0.08333333333333333, -0.08333333333333333, 0.08333333333333333, -0.08333333333333333,
          -0.08333333333333333, -0.08333333333333333, -0.08333333333333333, 0.08333333333333333,
        ])),
    TorchLossCase(
      name: "smooth-l1-default-sum", loss: "smooth_l1_loss",
      options: ["reduction": .text("sum")],
      input: Tensor(
        shape: [4, 3],
        scalars: [
          0.3592877652009102, -1.1330374686689024, -1.4063778973009886, 0.16839682578370563,
          0.374780817782465, -0.5575810980444798, 0.15906848077824104, -0.813136791848881,
          -0.7952804701891215, 0.3870436672203627, -0.2751684426477151, -0.7553305278053484,
        ]),
      target: Tensor(
        shape: [4, 3],
        scalars: [
          0.31339373704234735, -0.9418153644560018, 0.353032965020963, -2.00133279131667,
          0.6956603668861404, 0.6496230992990529, 1.4885591977553214, 0.7901209014709393,
          1.3407078151444747, -1.0556875192588233, 1.9969812653290338, -1.1221299211778726,
        ]),
      upstream: Tensor(shape: [], scalars: [1.0]),
      expected: Tensor(shape: [], scalars: [10.058051084338121]),
      gradInput: Tensor(
        shape: [4, 3],
        scalars: [
          0.04589402815856286, -0.19122210421290065, -1.0, 1.0, -0.3208795491036754, -1.0, -1.0,
          -1.0, -1.0, 1.0, -1.0, 0.3667993933725242,
        ])),
    TorchLossCase(
      name: "smooth-l1-beta0-none", loss: "smooth_l1_loss",
      options: ["beta": .number(0.0), "reduction": .text("none")],
      input: Tensor(
        shape: [2, 3],
        scalars: [
          -0.8867716207288671, 0.6692932252617066, -0.1294764891534844, 1.7709395670003882,
          1.0404526144152004, -0.5238318610158804,
        ]),
      target: Tensor(
        shape: [2, 3],
        scalars: [
          -0.39490241486880373, -2.1907419967210497, 0.3792741489465136, 0.9882734251764338,
          1.1869457327025106, 0.43122434175228264,
        ]),
      upstream: Tensor(
        shape: [2, 3],
        scalars: [
          0.8470989615184638, -1.0790217373571382, -1.3268215092042126, 1.427129864805665,
          1.5353416353235563, -0.9431094735531482,
        ]),
      expected: Tensor(
        shape: [2, 3],
        scalars: [
          0.49186920586006333, 2.8600352219827565, 0.508750638099998, 0.7826661418239544,
          0.14649311828731015, 0.955056202768163,
        ]),
      gradInput: Tensor(
        shape: [2, 3],
        scalars: [
          -0.8470989615184638, -1.0790217373571382, 1.3268215092042126, 1.427129864805665,
          -1.5353416353235563, 0.9431094735531482,
        ])),
  ]
}
