import DescentTensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `MPI_COMM_WORLD` of Open MPI, loaded at run time: start it with ``init()`` in a process
/// launched by `mpirun`, call ``finalize()`` before exiting. MPI errors are returned, not fatal
/// (`MPI_ERRORS_RETURN`), and become ``DistributedError/call(function:code:message:)``.
public final class MPICommunicator: Communicator {
  /// This process's rank in `MPI_COMM_WORLD`.
  public let rank: Int
  /// The number of ranks in `MPI_COMM_WORLD`.
  public let size: Int
  /// Whether MPI lets any thread call it, one at a time (`MPI_THREAD_SERIALIZED`).
  public let supportsSerializedThreads: Bool
  private let mpi: OpenMPILibrary
  private var finalized = false

  /// Whether the environment says this process was started by `mpirun`/`mpiexec`
  /// (Open MPI's `OMPI_COMM_WORLD_SIZE`, or PMIx's `PMIX_RANK`).
  public static var isLaunchedByMPI: Bool {
    let names: [String] = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"]
    return names.contains { getenv($0) != nil }
  }

  /// Checks that this process runs under `mpirun`, loads Open MPI, initialises it (unless done
  /// already) and makes errors on `MPI_COMM_WORLD` returned rather than fatal.
  ///
  /// - Throws: ``DistributedError/notLaunchedByMPI`` outside `mpirun`,
  ///   ``DistributedError/libraryMissing(library:reason:)`` without Open MPI, or a call error.
  public init() throws {
    guard Self.isLaunchedByMPI else { throw DistributedError.notLaunchedByMPI }
    let mpi = try OpenMPILibrary()
    var flag: Int32 = 0
    try mpi.check(mpi.initialized(&flag), "MPI_Initialized")
    var provided: Int32 = 0
    if flag == 0 {
      // Gradient reductions run on a communication thread while backward goes on: any thread
      // may call MPI, never two at once.
      try mpi.check(
        mpi.initializeThreads(nil, nil, OpenMPILibrary.threadSerialized, &provided),
        "MPI_Init_thread")
    } else {
      try mpi.check(mpi.queryThreads(&provided), "MPI_Query_thread")
    }
    supportsSerializedThreads = provided >= OpenMPILibrary.threadSerialized
    try mpi.check(mpi.setErrorHandler(mpi.commWorld, mpi.errorsReturn), "MPI_Comm_set_errhandler")
    var rank: Int32 = 0
    var size: Int32 = 0
    try mpi.check(mpi.commRank(mpi.commWorld, &rank), "MPI_Comm_rank")
    try mpi.check(mpi.commSize(mpi.commWorld, &size), "MPI_Comm_size")
    self.mpi = mpi
    self.rank = Int(rank)
    self.size = Int(size)
  }

  /// Shuts MPI down (once; later calls do nothing). Every rank must call it before exiting
  /// normally.
  public func finalize() throws {
    guard !finalized else { return }
    finalized = true
    var flag: Int32 = 0
    try mpi.check(mpi.finalized(&flag), "MPI_Finalized")
    if flag == 0 { try mpi.check(mpi.finalize(), "MPI_Finalize") }
  }

  /// Stops every rank of the job with `code` (for a failure only this rank saw).
  public func abort(code: Int32) {
    _ = mpi.abort(mpi.commWorld, code)
  }

  private func datatype<Scalar: TensorScalar>(_: Scalar.Type) -> OpenMPILibrary.Handle {
    if Scalar.self == Float.self { return mpi.float }
    precondition(Scalar.self == Double.self, "MPI buffers hold Float or Double, not \(Scalar.self)")
    return mpi.double
  }

  private func count(_ value: Int, _ function: String) throws -> Int32 {
    guard let count = Int32(exactly: value) else {
      throw DistributedError.countTooLarge(function: function, count: value)
    }
    return count
  }

  /// `MPI_Allreduce(MPI_IN_PLACE, buffer, MPI_SUM)`.
  public func allReduceSum<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>)
    throws
  {
    guard buffer.count > 0 else { return }
    let function = "MPI_Allreduce"
    try mpi.check(
      mpi.allReduce(
        mpi.inPlace, buffer.baseAddress, try count(buffer.count, function), datatype(Scalar.self),
        mpi.sum, mpi.commWorld), function)
  }

  /// `MPI_Reduce_scatter_block(input, output, output.count, MPI_SUM)`.
  public func reduceScatterSum<Scalar: TensorScalar>(
    _ input: UnsafeBufferPointer<Scalar>, into output: UnsafeMutableBufferPointer<Scalar>
  ) throws {
    precondition(
      input.count == output.count * size, "reduce-scatter of \(input.count) into \(output.count)")
    let function = "MPI_Reduce_scatter_block"
    try mpi.check(
      mpi.reduceScatterBlock(
        input.baseAddress, output.baseAddress, try count(output.count, function),
        datatype(Scalar.self), mpi.sum, mpi.commWorld), function)
  }

  /// `MPI_Reduce_scatter(input, output, counts, MPI_SUM)`.
  public func reduceScatterSum<Scalar: TensorScalar>(
    _ input: UnsafeBufferPointer<Scalar>, counts: [Int],
    into output: UnsafeMutableBufferPointer<Scalar>
  ) throws {
    let function = "MPI_Reduce_scatter"
    precondition(
      counts.count == size && counts.reduce(0, +) == input.count && counts[rank] <= output.count,
      "reduce-scatter of \(input.count) by \(counts) into \(output.count)")
    let counts32 = try counts.map { try count($0, function) }
    try mpi.check(
      mpi.reduceScatter(
        input.baseAddress, output.baseAddress, counts32, datatype(Scalar.self), mpi.sum,
        mpi.commWorld), function)
  }

  /// `MPI_Allgather(input, output)`.
  public func allGather<Scalar: TensorScalar>(
    _ input: UnsafeBufferPointer<Scalar>, into output: UnsafeMutableBufferPointer<Scalar>
  ) throws {
    precondition(
      output.count == input.count * size, "all-gather of \(input.count) into \(output.count)")
    let function = "MPI_Allgather"
    let type = datatype(Scalar.self)
    let blockCount = try count(input.count, function)
    try mpi.check(
      mpi.allGather(
        input.baseAddress, blockCount, type, output.baseAddress, blockCount, type, mpi.commWorld),
      function)
  }

  /// `MPI_Bcast(buffer, root)`.
  public func broadcast<Scalar: TensorScalar>(
    _ buffer: UnsafeMutableBufferPointer<Scalar>, root: Int
  ) throws {
    let function = "MPI_Bcast"
    try mpi.check(
      mpi.broadcast(
        buffer.baseAddress, try count(buffer.count, function), datatype(Scalar.self), Int32(root),
        mpi.commWorld), function)
  }

  /// `MPI_Allgather` of 64-bit words, as bytes.
  public func allGatherWords(_ words: [UInt64]) throws -> [[UInt64]] {
    var gathered = [UInt64](repeating: 0, count: words.count * size)
    let function = "MPI_Allgather"
    let bytes = try count(words.count * 8, function)
    try words.withUnsafeBufferPointer { input in
      try gathered.withUnsafeMutableBufferPointer { output in
        try mpi.check(
          mpi.allGather(
            input.baseAddress, bytes, mpi.byte, output.baseAddress, bytes, mpi.byte, mpi.commWorld),
          function)
      }
    }
    return (0..<size).map { Array(gathered[($0 * words.count)..<(($0 + 1) * words.count)]) }
  }

  /// `MPI_Barrier`.
  public func barrier() throws {
    try mpi.check(mpi.barrier(mpi.commWorld), "MPI_Barrier")
  }
}
