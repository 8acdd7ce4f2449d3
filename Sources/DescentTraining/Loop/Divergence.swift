import DescentNN

extension Trainer {
  /// Throws when the last epoch diverged: a step's loss that was not finite (the step is named),
  /// or, after the last step, a parameter holding a value that is not finite. Call it after
  /// ``trainEpoch(afterStep:)`` and before saving anything, so that a NaN model is never kept.
  ///
  /// - Throws: ``TrainingError/diverged(epoch:step:what:)``.
  public func checkFinite() throws {
    if let divergence { throw divergence }
    if let what = Self.nonFiniteParameter(model.parameters()) {
      let step = stepsDone - (epochsDone - 1) * stepsPerEpoch
      throw TrainingError.diverged(epoch: epochsDone, step: step, what: what)
    }
  }

  /// `parameter 2 (shape [100, 10]) holds nan` for the first parameter with a value that is not
  /// finite, or `nil` when every value is finite.
  public static func nonFiniteParameter(_ parameters: [Parameter<Scalar>]) -> String? {
    for (index, parameter) in parameters.enumerated() {
      if let bad = parameter.value.scalars.first(where: { !$0.isFinite }) {
        return "parameter \(index) (shape \(parameter.value.shape)) holds \(bad)"
      }
    }
    return nil
  }
}
