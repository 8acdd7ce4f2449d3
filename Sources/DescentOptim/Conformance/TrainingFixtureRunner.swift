import DescentNN
import Foundation

/// A `training` fixture (FORMAT.md): ten-odd steps of a whole model in float64.
struct TrainingFixture: Decodable {
  let name: String
  let model: Model
  let optimizer: String
  let options: [String: JSONValue]
  let stateDict: [String: FixtureTensor]
  let batches: [Batch]
  let losses: [Double]
  let finalStateDict: [String: FixtureTensor]
  let repr: String?

  /// The model: a `Sequential` of torch.nn layers, or the tiny transformer.
  struct Model: Decodable {
    let sequential: [LayerSpec]?
    let tinyTransformer: TransformerSpec?

    enum CodingKeys: String, CodingKey {
      case sequential
      case tinyTransformer = "tiny_transformer"
    }
  }

  /// One layer of a sequential model: `[class name, kwargs]`.
  struct LayerSpec: Decodable {
    let name: String
    let kwargs: [String: JSONValue]

    init(from decoder: any Decoder) throws {
      var container = try decoder.unkeyedContainer()
      name = try container.decode(String.self)
      kwargs = try container.decode([String: JSONValue].self)
    }
  }

  /// The tiny transformer's sizes.
  struct TransformerSpec: Decodable {
    /// The most elements one of its matrices may have (2^26), so that a typo in a fixture is
    /// refused instead of exhausting memory.
    static let maximumParametersPerMatrix = 1 << 26

    let vocab: Int
    let dModel: Int
    let heads: Int
    let length: Int

    enum CodingKeys: String, CodingKey {
      case vocab, heads, length
      case dModel = "d_model"
    }
  }

  /// One step's batch: inputs and class targets.
  struct Batch: Decodable {
    let input: FixtureTensor
    let target: FixtureTensor
  }

  enum CodingKeys: String, CodingKey {
    case name, model, optimizer, options, batches, losses, repr
    case stateDict = "state_dict"
    case finalStateDict = "final_state_dict"
  }
}

/// Runs `training` fixtures: builds the model, loads its initial state, and takes one optimizer
/// step per batch (zero the gradients, forward, cross-entropy, backward, step), comparing each
/// step's loss and the final state dict with PyTorch's.
public struct TrainingFixtureRunner: FixtureRunner {
  /// `"training"`.
  public var kind: String { "training" }

  /// A runner.
  public init() {}

  /// Checks the fixture in `data`.
  public func run(_ data: Data, options: ConformanceOptions) throws -> ConformanceResult {
    let fixture = try decodeFixture(TrainingFixture.self, from: data)
    let model = try makeModel(fixture.model)
    do {
      try model.loadStateDict(
        try fixture.stateDict.mapValues { try $0.tensor("state_dict") }, strict: true)
    } catch let error as StateDictError {
      throw ConformanceError.invalidField("state_dict", error.description)
    }
    model.train()
    let optimizer = try OptimizerCatalog.make(
      fixture.optimizer, parameters: model.parameters(),
      options: hyperparameters(fixture.options, field: "options"))
    optimizer.kernelPath = options.kernelPath
    var tally = DeviationTally(tolerance: Tolerance(rtol: 1e-7, atol: 1e-9))
    guard fixture.losses.count == fixture.batches.count else {
      throw ConformanceError.invalidField("losses", "one loss per batch is needed")
    }
    for (step, batch) in fixture.batches.enumerated() {
      let input: Tensor<Double> = try batch.input.tensor("batches[\(step)].input")
      let targets = try classTargets(batch.target, field: "batches[\(step)].target")
      _ = try ModuleInputCheck(field: "batches[\(step)].input", training: true)
        .outputShape(of: model, for: input)
      optimizer.zeroGrad(setToNil: true)
      var logits = model(input)
      if logits.rank > 2 { logits = logits.reshaped([-1, logits.shape[logits.rank - 1]]) }
      guard logits.rank == 2, logits.shape[0] == targets.count,
        targets.allSatisfy({ (0..<logits.shape[1]).contains($0) })
      else {
        throw ConformanceError.invalidField(
          "batches[\(step)].target", "does not fit logits of shape \(logits.shape)")
      }
      let loss = crossEntropy(logits: logits, labels: targets)
      tally.compare([loss.item], [fixture.losses[step]], "loss of step \(step + 1)")
      loss.backward()
      optimizer.step()
    }
    tally.compareState(
      of: model, with: fixture.finalStateDict, printed: fixture.repr, "final_state_dict")
    return tally.result(name: fixture.name, kind: kind)
  }

  /// The fixture's model, initialised from the global generator (its state is loaded after).
  private func makeModel(_ spec: TrainingFixture.Model) throws -> any Module<Double> {
    if let layers = spec.sequential {
      var total = 0
      for (index, layer) in layers.enumerated() {
        let field = "model.sequential[\(index)]"
        total += try ModuleInputCheck.checkSizes(of: layer.kwargs, field: field)
        guard total <= ModuleInputCheck.maximumArgumentProduct else {
          throw ConformanceError.invalidField(
            field,
            "the layers' sizes add up to more than \(ModuleInputCheck.maximumArgumentProduct)")
        }
      }
      let modules = try layers.enumerated().map { index, layer -> any Module<Double> in
        do {
          return try LayerCatalog.make(
            layer.name, LayerArguments(layer.kwargs.mapValues(\.layerArgument)), as: Double.self)
        } catch {
          throw ConformanceError.invalidField("model.sequential[\(index)]", "\(error)")
        }
      }
      return Sequential<Double>(modules)
    }
    if let sizes = spec.tinyTransformer {
      let limit = TrainingFixture.TransformerSpec.maximumParametersPerMatrix
      guard [sizes.vocab, sizes.dModel, sizes.heads, sizes.length].allSatisfy({ $0 > 0 }),
        sizes.dModel % sizes.heads == 0,
        [sizes.vocab, sizes.length].allSatisfy({ $0 <= limit / sizes.dModel }),
        sizes.dModel <= limit / 4 / sizes.dModel
      else {
        throw ConformanceError.invalidField(
          "model.tiny_transformer",
          "sizes \(sizes) out of range: positive, heads dividing d_model, and each of vocab, "
            + "length and 4 d_model times d_model at most \(limit)")
      }
      return TinyTransformer<Double>(
        vocab: sizes.vocab, dModel: sizes.dModel, heads: sizes.heads, length: sizes.length)
    }
    throw ConformanceError.invalidField(
      "model", "no model Descent knows (sequential or tiny_transformer)")
  }

  /// Whole-number class targets.
  private func classTargets(_ tensor: FixtureTensor, field: String) throws -> [Int] {
    try tensor.data.map { value in
      guard value == value.rounded(), value >= 0, value < 1e9 else {
        throw ConformanceError.invalidField(field, "\(value) is not a class index")
      }
      return Int(value)
    }
  }
}
