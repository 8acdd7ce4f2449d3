#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Open MPI's C entry points and predefined handles, loaded at run time with `dlopen`, so that
/// Descent builds and runs where MPI is not installed and only `--distributed` needs it.
///
/// In Open MPI a handle such as `MPI_COMM_WORLD` is the address of a global object
/// (`ompi_mpi_comm_world`), which `dlsym` returns directly.
final class OpenMPILibrary {
  typealias Handle = UnsafeMutableRawPointer
  typealias Status = Int32

  /// The library name tried first, then the unversioned one.
  static let candidates = ["libmpi.so.40", "libmpi.so", "libmpi.dylib"]

  let name: String
  let initialized: @convention(c) (UnsafeMutablePointer<Int32>?) -> Status
  let finalized: @convention(c) (UnsafeMutablePointer<Int32>?) -> Status
  let initialize: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Status
  let initializeThreads:
    @convention(c) (
      UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int32, UnsafeMutablePointer<Int32>
    ) -> Status
  let queryThreads: @convention(c) (UnsafeMutablePointer<Int32>) -> Status
  let finalize: @convention(c) () -> Status
  let commRank: @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Status
  let commSize: @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Status
  let setErrorHandler: @convention(c) (Handle, Handle) -> Status
  let errorString:
    @convention(c) (Int32, UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Status
  let allReduce:
    @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle) ->
      Status
  let reduceScatter:
    @convention(c) (
      UnsafeRawPointer?, UnsafeMutableRawPointer?, UnsafePointer<Int32>?, Handle, Handle, Handle
    ) -> Status
  let reduceScatterBlock:
    @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle) ->
      Status
  let allGather:
    @convention(c) (
      UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, Int32, Handle, Handle
    )
      -> Status
  let broadcast: @convention(c) (UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Status
  let barrier: @convention(c) (Handle) -> Status
  let abort: @convention(c) (Handle, Int32) -> Status

  let commWorld: Handle
  let float: Handle
  let double: Handle
  let byte: Handle
  let sum: Handle
  let max: Handle
  let errorsReturn: Handle
  /// `MPI_THREAD_SERIALIZED`: any thread may call MPI, one at a time.
  static let threadSerialized: Int32 = 2
  /// `MPI_IN_PLACE`, which Open MPI defines as `(void *) 1`.
  let inPlace = UnsafeRawPointer(bitPattern: 1)

  /// Loads Open MPI and resolves every symbol Descent uses.
  ///
  /// - Throws: ``DistributedError/libraryMissing(library:reason:)`` or
  ///   ``DistributedError/missingSymbol(name:library:)``.
  init() throws {
    var reasons: [String] = []
    var opened: UnsafeMutableRawPointer?
    var openedName = Self.candidates[0]
    for candidate in Self.candidates {
      // Open MPI's plugins resolve symbols of libmpi itself: load it globally.
      if let handle = dlopen(candidate, RTLD_NOW | RTLD_GLOBAL) {
        opened = handle
        openedName = candidate
        break
      }
      reasons.append(dlerror().map { String(cString: $0) } ?? "\(candidate) not found")
    }
    guard let library = opened else {
      throw DistributedError.libraryMissing(
        library: Self.candidates[0], reason: reasons.first ?? "not found")
    }
    name = openedName
    func symbol(_ symbolName: String) throws -> Handle {
      guard let address = dlsym(library, symbolName) else {
        throw DistributedError.missingSymbol(name: symbolName, library: openedName)
      }
      return address
    }
    func function<F>(_ symbolName: String, as _: F.Type) throws -> F {
      unsafeBitCast(try symbol(symbolName), to: F.self)
    }
    initialized = try function("MPI_Initialized", as: type(of: initialized))
    finalized = try function("MPI_Finalized", as: type(of: finalized))
    initialize = try function("MPI_Init", as: type(of: initialize))
    initializeThreads = try function("MPI_Init_thread", as: type(of: initializeThreads))
    queryThreads = try function("MPI_Query_thread", as: type(of: queryThreads))
    finalize = try function("MPI_Finalize", as: type(of: finalize))
    commRank = try function("MPI_Comm_rank", as: type(of: commRank))
    commSize = try function("MPI_Comm_size", as: type(of: commSize))
    setErrorHandler = try function("MPI_Comm_set_errhandler", as: type(of: setErrorHandler))
    errorString = try function("MPI_Error_string", as: type(of: errorString))
    allReduce = try function("MPI_Allreduce", as: type(of: allReduce))
    reduceScatter = try function("MPI_Reduce_scatter", as: type(of: reduceScatter))
    reduceScatterBlock = try function("MPI_Reduce_scatter_block", as: type(of: reduceScatterBlock))
    allGather = try function("MPI_Allgather", as: type(of: allGather))
    broadcast = try function("MPI_Bcast", as: type(of: broadcast))
    barrier = try function("MPI_Barrier", as: type(of: barrier))
    abort = try function("MPI_Abort", as: type(of: abort))
    commWorld = try symbol("ompi_mpi_comm_world")
    float = try symbol("ompi_mpi_float")
    double = try symbol("ompi_mpi_double")
    byte = try symbol("ompi_mpi_byte")
    sum = try symbol("ompi_mpi_op_sum")
    max = try symbol("ompi_mpi_op_max")
    errorsReturn = try symbol("ompi_mpi_errors_return")
  }

  /// MPI's text for error `code`.
  func message(for code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 512)
    var length: Int32 = 0
    guard errorString(code, &buffer, &length) == 0 else { return "unknown error" }
    return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Throws ``DistributedError/call(function:code:message:)`` unless `status` is `MPI_SUCCESS`.
  func check(_ status: Status, _ function: String) throws {
    guard status == 0 else {
      throw DistributedError.call(function: function, code: status, message: message(for: status))
    }
  }
}
