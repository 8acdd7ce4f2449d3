import DescentOptim
import DescentTensor
import Foundation

/// Options that switch on every buffer and branch of each optimizer, so that state-dict and
/// path tests cover them all.
let richOptions: [String: [String: HyperparameterValue]] = [
  "SGD": ["lr": 0.01, "momentum": 0.9, "nesterov": true, "weightDecay": 0.01],
  "Adagrad": ["lr": 0.05, "lrDecay": 0.01, "initialAccumulatorValue": 0.1],
  "RMSprop": ["lr": 0.01, "momentum": 0.5, "centered": true, "weightDecay": 0.01],
  "Adam": ["lr": 0.01, "amsgrad": true, "weightDecay": 0.1],
  "AdamW": ["lr": 0.01, "amsgrad": true],
  "Adadelta": ["lr": 0.5, "weightDecay": 0.01],
  "Adamax": ["lr": 0.01, "maximize": true],
  "NAdam": ["lr": 0.01, "decoupledWeightDecay": true, "weightDecay": 0.1],
  "RAdam": ["lr": 0.01, "weightDecay": 0.1],
  "ASGD": ["lr": 0.01, "t0": 3, "weightDecay": 0.01],
  "Rprop": ["lr": 0.01, "etas": .pair(0.4, 1.3)],
  "Lion": ["lr": 0.01, "weightDecay": 0.1],
  "AdamWScheduleFree": ["lr": 0.01, "warmupSteps": 3, "weightDecay": 0.01, "r": 0.5],
  "SGDScheduleFree": ["lr": 0.1, "warmupSteps": 2, "weightDecay": 0.01],
  "Muon": ["lr": 0.02, "adjustLrFn": .text("match_rms_adamw")],
  "Adam8bit": ["lr": 0.01, "weightDecay": 0.1],
  "AdamW8bit": ["lr": 0.01, "betas": .pair(0.9, 0.99)],
  "SGD8bit": ["lr": 0.01, "momentum": 0.9, "weightDecay": 0.01],
  "Lion8bit": ["lr": 0.01, "weightDecay": 0.1],
]

/// The catalog's optimizers that take parameters of any shape, for the tests that run every
/// optimizer on vectors (Muon takes matrices only; MuonTests covers it).
let anyShapeOptimizerNames = OptimizerCatalog.entries.filter(\.takesAnyShape).map(\.name)

/// A deterministic, varied gradient value for element `index` at `step`.
func syntheticGradient(_ index: Int, step: Int, parameter: Int) -> Double {
  sin(1.3 * Double(index) + 0.7 * Double(step) + 2.1 * Double(parameter)) * 2
    + 0.3 * cos(0.37 * Double(index * (step + 1)))
}

/// Parameters of the given shapes with deterministic starting values.
func makeParameters<Scalar: LaneScalar>(_ shapes: [[Int]], as _: Scalar.Type = Scalar.self)
  -> [Parameter<Scalar>]
{
  shapes.enumerated().map { offset, shape in
    let count = shape.reduce(1, *)
    return Parameter(
      Tensor(
        shape: shape,
        scalars: (0..<count).map { Scalar(cos(Double($0) * 0.9 + Double(offset)) * 1.5) }))
  }
}

/// Copies of `parameters` (same values, new identities).
func cloned<Scalar: LaneScalar>(_ parameters: [Parameter<Scalar>]) -> [Parameter<Scalar>] {
  parameters.map { Parameter($0.value) }
}

/// Sets synthetic gradients for `step` on every parameter.
func setGradients<Scalar: LaneScalar>(_ parameters: [Parameter<Scalar>], step: Int) {
  for (offset, parameter) in parameters.enumerated() {
    parameter.grad = Tensor(
      shape: parameter.shape,
      scalars: (0..<parameter.count).map {
        Scalar(syntheticGradient($0, step: step, parameter: offset))
      })
  }
}

/// Runs `steps` synthetic steps starting at step number `first`.
func runSteps<Scalar: LaneScalar>(
  _ optimizer: any TrainingOptimizer, _ parameters: [Parameter<Scalar>], from first: Int = 0,
  count steps: Int
) {
  for step in first..<first + steps {
    setGradients(parameters, step: step)
    optimizer.step()
  }
}

/// An optimizer from the catalog over one group of `parameters`.
func catalogOptimizer<Scalar: LaneScalar>(
  _ name: String, _ parameters: [Parameter<Scalar>],
  _ options: [String: HyperparameterValue]? = nil
) throws -> any TrainingOptimizer {
  try OptimizerCatalog.make(
    name, groups: [ParameterGroup(parameters)], options: options ?? richOptions[name] ?? [:])
}
