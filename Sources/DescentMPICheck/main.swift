// descent-mpi-check: run under `mpirun -np N` by DescentDistributedTests to check every collective
// of MPICommunicator, for Float and Double, across real ranks. Prints "ok <check>" per check on
// rank 0 and exits non-zero with a message on the first wrong result.

import DescentDistributed
import DescentTensor
import Foundation

/// A wrong result, with the rank that saw it.
struct CheckFailure: Error, CustomStringConvertible {
  var description: String
}

func expect(_ condition: Bool, _ what: @autoclosure () -> String) throws {
  if !condition { throw CheckFailure(description: what()) }
}

func checkCollectives<Scalar: TensorScalar>(
  _: Scalar.Type, on communicator: MPICommunicator
) throws {
  let (rank, size) = (communicator.rank, communicator.size)
  let name = "\(Scalar.self)"
  // All-reduce: rank r contributes r + 1 + element / 4.
  var values = (0..<7).map { Scalar(rank + 1) + Scalar($0) / 4 }
  try communicator.allReduceSum(&values)
  let ranksTotal = Scalar(size * (size + 1) / 2)
  try expect(
    values == (0..<7).map { ranksTotal + Scalar(size) * Scalar($0) / 4 },
    "rank \(rank): all-reduce of \(name) gave \(values)")
  // Reduce-scatter: block b of rank r holds r * 10 + b; rank b receives sum_r (r * 10 + b).
  let block = 3
  let input = (0..<(block * size)).map { Scalar(rank * 10 + $0 / block) }
  var mine = [Scalar](repeating: -1, count: block)
  try input.withUnsafeBufferPointer { source in
    try mine.withUnsafeMutableBufferPointer { try communicator.reduceScatterSum(source, into: $0) }
  }
  let expected = Scalar(10 * size * (size - 1) / 2 + size * rank)
  try expect(
    mine == [Scalar](repeating: expected, count: block),
    "rank \(rank): reduce-scatter of \(name) gave \(mine), expected \(expected)")
  // All-gather: rank r gives [r, r + 0.5].
  let gathered = try communicator.allGather([Scalar(rank), Scalar(rank) + 0.5])
  try expect(
    gathered == (0..<size).flatMap { [Scalar($0), Scalar($0) + 0.5] },
    "rank \(rank): all-gather of \(name) gave \(gathered)")
  // Broadcast from the last rank.
  var shared = [Scalar(rank), Scalar(rank * 2)]
  try shared.withUnsafeMutableBufferPointer { try communicator.broadcast($0, root: size - 1) }
  try expect(
    shared == [Scalar(size - 1), Scalar(2 * (size - 1))],
    "rank \(rank): broadcast of \(name) gave \(shared)")
}

/// Gradients reduced in several buckets from a real backward pass (launched from its hooks, or
/// after it) equal the closed-form sum, whole (all-reduce) or this rank's shard (reduce-scatter).
func checkReducer(on communicator: MPICommunicator) throws {
  let (rank, size) = (communicator.rank, communicator.size)
  let modes: [GradientReducer<Float>.Mode] = [
    .allReduce, .reduceScatter(releasing: false), .reduceScatter(releasing: true),
  ]
  for mode in modes {
    for overlap in [true, false] {
      let parameters = [2, 3, 9, 1, 4].map { Parameter(Tensor<Float>(zeros: [$0])) }
      let reducer = GradientReducer(
        parameters, communicator: communicator, mode: mode, overlap: overlap, capacity: 6)
      try expect(reducer.buckets == [3..<5, 2..<3, 0..<2], "buckets \(reducer.buckets)")
      // Parameter i's gradient on rank r is (r + 1)(10 i + j).
      var loss: Tensor<Float>?
      for (index, parameter) in parameters.enumerated() {
        let weights = (0..<parameter.count).map { Float(rank + 1) * Float(index * 10 + $0) }
        let term = (parameter.value * Tensor(shape: parameter.shape, scalars: weights)).sum()
        loss = loss.map { $0 + term } ?? term
      }
      reducer.prepare(finalPass: true)
      loss?.backward()
      try reducer.finish()
      let factor = Float(size * (size + 1) / 2)
      let flat = parameters.indices.flatMap { index in
        (0..<parameters[index].count).map { factor * Float(index * 10 + $0) }
      }
      let what = "rank \(rank), \(mode), overlap \(overlap)"
      switch mode {
      case .allReduce:
        try expect(
          parameters.flatMap { $0.grad?.scalars ?? [] } == flat, "\(what): gradients differ")
      case .reduceScatter(let releasing):
        try expect(
          reducer.shardGradient == Array(flat[reducer.shard]),
          "\(what): shard \(reducer.shardGradient)")
        try expect(
          parameters.allSatisfy { ($0.grad == nil) == releasing }, "\(what): gradients kept")
      }
    }
  }
}

do {
  let communicator = try MPICommunicator()
  do {
    try checkCollectives(Float.self, on: communicator)
    try checkCollectives(Double.self, on: communicator)
    try checkReducer(on: communicator)
    let compared = try checkFollowsOneProcess(on: communicator)
    if communicator.isRoot { print("ok \(compared) runs follow one process") }
    var failedEverywhere = false
    do {
      try communicator.agree("a check that fails on rank 0") {
        if communicator.rank == 0 { throw CheckFailure(description: "planned") }
      }
    } catch {
      failedEverywhere = true
    }
    try expect(failedEverywhere, "rank \(communicator.rank): an agreed failure did not reach it")
    try communicator.barrier()
  } catch {
    FileHandle.standardError.write(Data("descent-mpi-check: \(error)\n".utf8))
    communicator.abort(code: 1)
  }
  if communicator.isRoot { print("ok collectives over \(communicator.size) ranks") }
  try communicator.finalize()
} catch {
  FileHandle.standardError.write(Data("descent-mpi-check: \(error)\n".utf8))
  exit(1)
}
