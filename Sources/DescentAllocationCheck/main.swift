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

// A warm training step of the digits MLP: fused forward and backward, then the optimizer.
let digits: Dataset<Float> = try Digits.load()
let rows = Array(0..<32)
let labels = rows.map { digits.labels[$0] }
for name in ["SGD", "Adam"] {
  for inArena in [false, true] {
    let model = DigitsMLP.make(seed: 0, as: Float.self)
    guard let lean = LeanMLP(model, batchCapacity: 32) else {
      print("FAIL the digits MLP has no lean path")
      exit(1)
    }
    let optimizer = try OptimizerCatalog.make(
      name,
      parameters: inArena ? [try ParameterArena(model.parameters()).flat] : model.parameters(),
      options: OptimizerBench.options(for: name))
    func trainingStep() {
      _ = lean.lossAndGradient(features: digits.features, rows: rows, labels: labels)
      optimizer.step()
    }
    trainingStep()
    trainingStep()
    report(
      "\(name) training step of the digits MLP\(inArena ? " in an arena" : "")",
      allocations(trainingStep))
  }

  // A whole epoch allocates per epoch (the shuffled batches), not per step.
  let model = DigitsMLP.make(seed: 0, as: Float.self)
  let optimizer = try OptimizerCatalog.make(
    name, parameters: model.parameters(), options: OptimizerBench.options(for: name))
  let loader = try BatchLoader(digits, batchSize: 32, seed: 0)
  let trainer = Trainer(model: model, optimizer: optimizer, loader: loader)
  trainer.trainEpoch()
  report(
    "\(name) training epoch of \(loader.batchCount) steps", allocations { trainer.trainEpoch() },
    limit: loader.batchCount + 8)
}

if !failures.isEmpty {
  print("\(failures.count) checks allocated")
  exit(1)
}
print("every warm step allocates nothing")
