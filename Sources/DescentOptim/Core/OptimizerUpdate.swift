extension Optimizer {
  /// Prepares every parameter's update (creating state at its first gradient), then runs all
  /// element-wise updates as one work list.
  ///
  /// `Optimizer` is a generic class, so its methods are compiled once for every algorithm and
  /// reached through the class's table from other modules. This one is also compiled for each of
  /// the built-in element-wise rules: the generic entry checks the algorithm's type once and jumps
  /// to code where the state, the rule's constants and the kernel's lanes are all concrete
  /// (a step over many small tensors then costs little more than one over a single tensor).
  @_specialize(where Algorithm == ASGDUpdate<Float>)
  @_specialize(where Algorithm == ASGDUpdate<Double>)
  @_specialize(where Algorithm == AdadeltaUpdate<Float>)
  @_specialize(where Algorithm == AdadeltaUpdate<Double>)
  @_specialize(where Algorithm == AdagradUpdate<Float>)
  @_specialize(where Algorithm == AdagradUpdate<Double>)
  @_specialize(where Algorithm == AdamUpdate<Float>)
  @_specialize(where Algorithm == AdamUpdate<Double>)
  @_specialize(where Algorithm == Adam8bitUpdate<Float>)
  @_specialize(where Algorithm == Adam8bitUpdate<Double>)
  @_specialize(where Algorithm == AdamaxUpdate<Float>)
  @_specialize(where Algorithm == AdamaxUpdate<Double>)
  @_specialize(where Algorithm == AdamWScheduleFreeUpdate<Float>)
  @_specialize(where Algorithm == AdamWScheduleFreeUpdate<Double>)
  @_specialize(where Algorithm == LionUpdate<Float>)
  @_specialize(where Algorithm == LionUpdate<Double>)
  @_specialize(where Algorithm == Lion8bitUpdate<Float>)
  @_specialize(where Algorithm == Lion8bitUpdate<Double>)
  @_specialize(where Algorithm == NAdamUpdate<Float>)
  @_specialize(where Algorithm == NAdamUpdate<Double>)
  @_specialize(where Algorithm == RAdamUpdate<Float>)
  @_specialize(where Algorithm == RAdamUpdate<Double>)
  @_specialize(where Algorithm == RMSpropUpdate<Float>)
  @_specialize(where Algorithm == RMSpropUpdate<Double>)
  @_specialize(where Algorithm == RpropUpdate<Float>)
  @_specialize(where Algorithm == RpropUpdate<Double>)
  @_specialize(where Algorithm == SGDUpdate<Float>)
  @_specialize(where Algorithm == SGDUpdate<Double>)
  @_specialize(where Algorithm == SGD8bitUpdate<Float>)
  @_specialize(where Algorithm == SGD8bitUpdate<Double>)
  @_specialize(where Algorithm == SGDScheduleFreeUpdate<Float>)
  @_specialize(where Algorithm == SGDScheduleFreeUpdate<Double>)
  func update() {
    // The plan and the states are taken out of the object for the loop, so that each parameter
    // costs no exclusivity check on them and no copy of its state.
    var plan = StepPlan<Algorithm>()
    swap(&plan, &self.plan)
    let path = kernelPath
    var position = 0
    states.withUnsafeMutableBufferPointer { states in
      for group in paramGroups {
        let settings = group.hyperparameters
        for parameter in group.parameters {
          defer { position += 1 }
          guard parameter.hasGradient else { continue }
          if case .none = states[position] {
            states[position] = Algorithm.initialState(for: parameter, settings)
          }
          states[position]!.step += 1
          Algorithm.plan(
            parameter, state: &states[position]!, hyperparameters: settings, into: &plan,
            path: path)
        }
      }
    }
    Algorithm.runPlan(&plan, on: workerPool, path: path)
    swap(&plan, &self.plan)
  }
}
