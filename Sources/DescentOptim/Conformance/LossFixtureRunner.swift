import DescentNN
import Foundation

/// A `loss` fixture (FORMAT.md): a torch.nn.functional loss and its gradient in float64.
struct LossFixture: Decodable {
  let name: String
  let loss: String
  let kwargs: [String: JSONValue]
  let input: FixtureTensor
  let target: FixtureTensor
  let expected: JSONValue
  let gradInput: FixtureTensor

  enum CodingKeys: String, CodingKey {
    case name, loss, kwargs, input, target, expected
    case gradInput = "grad_input"
  }
}

/// Runs `loss` fixtures: the loss of `input` against `target` with the fixture's options, and
/// its gradient with respect to the input (seeded with ones for `reduction="none"`).
public struct LossFixtureRunner: FixtureRunner {
  /// `"loss"`.
  public var kind: String { "loss" }

  /// A runner.
  public init() {}

  /// Checks the fixture in `data`.
  public func run(_ data: Data, options: ConformanceOptions) throws -> ConformanceResult {
    let fixture = try decodeFixture(LossFixture.self, from: data)
    let input: Tensor<Double> = try fixture.input.tensor("input").requiringGrad()
    let target: Tensor<Double> = try fixture.target.tensor("target")
    let reduction = try reductionOption(fixture.kwargs["reduction"])
    let loss = try compute(fixture, input: input, target: target, reduction: reduction)
    var tally = DeviationTally(tolerance: .float64)
    let expected: [Double]
    switch fixture.expected {
    case .number(let value): expected = [value]
    case .object(let object):
      guard let data = object["data"]?.numbers else {
        throw ConformanceError.invalidField("expected", "not a number or a tensor")
      }
      expected = data
    default: throw ConformanceError.invalidField("expected", "not a number or a tensor")
    }
    tally.compare(loss.scalars, expected, "loss")
    loss.backward(Tensor(ones: loss.shape))
    let gradient = input.grad ?? Tensor(zeros: input.shape)
    tally.compare(gradient.scalars, fixture.gradInput.data, "grad_input")
    return tally.result(name: fixture.name, kind: kind)
  }

  /// The loss the fixture names, with its options.
  private func compute(
    _ fixture: LossFixture, input: Tensor<Double>, target: Tensor<Double>,
    reduction: LossReduction
  ) throws -> Tensor<Double> {
    let kwargs = fixture.kwargs
    func number(_ key: String, _ fallback: Double) throws -> Double {
      guard let value = kwargs[key] else { return fallback }
      guard let number = value.number, number.isFinite else {
        throw ConformanceError.invalidField("kwargs.\(key)", "not a finite number")
      }
      return number
    }
    switch fixture.loss {
    case "cross_entropy", "nll_loss":
      guard input.rank >= 2, input.shape[1] > 0 else {
        throw ConformanceError.invalidField("input", "shape \(input.shape) has no class axis")
      }
      let ignoreIndex = Int(try number("ignore_index", -100))
      let labels = try target.scalars.map { value -> Int in
        guard value == value.rounded(), abs(value) < 1e9 else {
          throw ConformanceError.invalidField("target", "\(value) is not a class index")
        }
        return Int(value)
      }
      var expectedLabels = input.shape
      expectedLabels.remove(at: 1)
      guard labels.count == expectedLabels.reduce(1, *) else {
        throw ConformanceError.invalidField("target", "does not fit input of shape \(input.shape)")
      }
      do {
        try validateClassLabels(labels, classes: input.shape[1], ignoreIndex: ignoreIndex)
      } catch {
        throw ConformanceError.invalidField("target", "\(error)")
      }
      if fixture.loss == "nll_loss" {
        return nllLoss(
          logProbabilities: input, labels: labels, ignoreIndex: ignoreIndex, reduction: reduction)
      }
      let smoothing = try number("label_smoothing", 0)
      guard (0...1).contains(smoothing) else {
        throw ConformanceError.invalidField("kwargs.label_smoothing", "outside 0...1")
      }
      return crossEntropy(
        logits: input, labels: labels, ignoreIndex: ignoreIndex, reduction: reduction,
        labelSmoothing: smoothing)
    default:
      guard input.shape == target.shape else {
        throw ConformanceError.invalidField("target", "shape differs from the input's")
      }
      switch fixture.loss {
      case "mse_loss": return mseLoss(input, target, reduction: reduction)
      case "l1_loss": return l1Loss(input, target, reduction: reduction)
      case "smooth_l1_loss":
        let beta = try number("beta", 1)
        guard beta >= 0 else { throw ConformanceError.invalidField("kwargs.beta", "negative") }
        return smoothL1Loss(input, target, reduction: reduction, beta: beta)
      case "binary_cross_entropy_with_logits":
        return binaryCrossEntropyWithLogits(input, target, reduction: reduction)
      default:
        throw ConformanceError.invalidField("loss", "'\(fixture.loss)' is not a loss Descent has")
      }
    }
  }

  /// `reduction` as a ``LossReduction`` (`mean` when absent).
  private func reductionOption(_ value: JSONValue?) throws -> LossReduction {
    guard let value else { return .mean }
    guard case .string(let name) = value, let reduction = LossReduction(rawValue: name) else {
      throw ConformanceError.invalidField("kwargs.reduction", "not mean, sum or none")
    }
    return reduction
  }
}
