// descent-allocation-check: run in a release build by `./test.sh` to check that a warm optimizer
// step and a warm training step allocate nothing (issue: no allocation in a steady-state step).
// It counts the heap allocations of the calling thread through AllocationCounter, prints one
// line per check, and exits non-zero when any allocates or when the counter misses a known
// allocation (so it cannot pass by counting nothing). Debug builds allocate in unspecialized
// generic code, so only an optimized build says anything about the shipped library.

import AllocationCounter
import DescentData
import DescentNN
import DescentOptim
import DescentTensor
import DescentTraining
import Foundation

/// Heap allocations on the calling thread while `body` runs.
func allocations(_ body: () throws -> Void) rethrows -> Int {
  allocation_counter_start()
  defer { _ = allocation_counter_stop() }
  try body()
  return allocation_counter_stop()
}

var failures: [String] = []

/// The most small allocations a warm training step of a two-layer MLP may make: about 185 today
/// (about 205 with the parameters in an arena, whose members' values are copied out for the
/// forward pass), with room for noise but not for an allocation per element or per row.
let trainingStepBookkeepingLimit = 240

/// Prints `what` with its count, and records it as a failure when the count exceeds `limit`.
@MainActor func report(_ what: String, _ count: Int, limit: Int = 0) {
  print("\(count <= limit ? "ok  " : "FAIL") \(what): \(count) allocations (at most \(limit))")
  if count > limit { failures.append(what) }
}

// The counter must see an allocation that certainly happens.
let seen = allocations { _ = [Int](repeating: 7, count: 1000 + failures.count) }
if seen < 1 {
  print("FAIL the allocation counter saw no allocation of a new array")
  exit(1)
}

// A warm step: many small tensors (on the calling thread) and a few large ones (on two
// threads), owned by their parameters or in an arena.
let pool = WorkerPool(threadCount: 2)
for name in OptimizerBench.elementwiseNames {
  for (tensors, size) in [(200, 64), (3, 50_000)] {
    for inArena in [false, true] {
      let members = (0..<tensors).map { _ in
        let parameter = Parameter(Tensor<Float>(repeating: 1, shape: [size]))
        parameter.grad = Tensor(repeating: 0.01, shape: [size])
        return parameter
      }
      let optimizer = try OptimizerCatalog.make(
        name, parameters: inArena ? [try ParameterArena(members).flat] : members,
        options: OptimizerBench.options(for: name))
      (optimizer as? FusedStepping)?.workerPool = pool
      optimizer.step()
      optimizer.step()
      report(
        "\(name) step, \(tensors)x\(size)\(inArena ? " in an arena" : "")",
        allocations { optimizer.step() })
    }
  }
}

/// A model written the way the README teaches (not a `Sequential`).
final class UserMLP: Module {
  let fc1: Linear<Float>
  let fc2: Linear<Float>
  init(generator: inout SeededGenerator) {
    fc1 = Linear(64, 100, generator: &generator)
    fc2 = Linear(100, 10, generator: &generator)
  }
  func forward(_ x: Tensor<Float>) -> Tensor<Float> { fc2(fc1(x).relu()) }
}

/// Heap allocations of `body`: all of them, and those of at least 1 KiB (tensor buffers).
func allocationSizes(_ body: () throws -> Void) rethrows -> (all: Int, large: Int) {
  let all = try allocations(body)
  return (all, allocation_counter_large())
}

// A warm training step through the general engine: forward, cross-entropy, backward, step. Tensor
// buffers come from the caching allocator, so no buffer is allocated; what remains is the
// bookkeeping of autograd (per operation a graph node, its closure context, the storage object
// and the shape arrays of its result), a bounded count per step.
let digits: Dataset<Float> = try Digits.load()
let rows = Array(0..<32)
let labels = rows.map { digits.labels[$0] }
for name in ["SGD", "Adam"] {
  for (modelName, inArena) in [("digits MLP", false), ("digits MLP", true), ("user MLP", false)] {
    var generator = SeededGenerator(seed: 0)
    let model: any Module<Float> =
      modelName == "user MLP"
      ? UserMLP(generator: &generator) : DigitsMLP.make(seed: 0, as: Float.self)
    let optimizer = try OptimizerCatalog.make(
      name,
      parameters: inArena ? [try ParameterArena(model.parameters()).flat] : model.parameters(),
      options: OptimizerBench.options(for: name))
    func trainingStep() {
      optimizer.zeroGrad(setToNil: true)
      _ = ClassifierBatch.lossAndGradient(
        model: model, features: digits.features, rows: rows, labels: labels)
      optimizer.step()
    }
    trainingStep()
    trainingStep()
    let counts = allocationSizes(trainingStep)
    let what = "\(name) training step of the \(modelName)\(inArena ? " in an arena" : "")"
    report("\(what), buffers of 1 KiB or more", counts.large)
    report("\(what), bookkeeping", counts.all, limit: trainingStepBookkeepingLimit)
  }

  // A whole epoch allocates per epoch (the shuffled batches), not per step.
  let model = DigitsMLP.make(seed: 0, as: Float.self)
  let optimizer = try OptimizerCatalog.make(
    name, parameters: model.parameters(), options: OptimizerBench.options(for: name))
  let loader = try BatchLoader(digits, batchSize: 32, seed: 0)
  let trainer = Trainer(model: model, optimizer: optimizer, loader: loader)
  try trainer.trainEpoch()
  report(
    "\(name) training epoch of \(loader.batchCount) steps",
    allocations { _ = try? trainer.trainEpoch() },
    limit: loader.batchCount * trainingStepBookkeepingLimit)
}

if !failures.isEmpty {
  print("\(failures.count) checks allocated more than their bound")
  exit(1)
}
print("every warm optimizer step allocates nothing; training steps allocate no tensor buffer")
