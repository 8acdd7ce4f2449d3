import Synchronization

/// The memory behind one or more tensors: a buffer of `capacity` scalars, 64-byte aligned.
///
/// Tensors are views on a storage (see ``Tensor``); several views share one storage, and a write
/// first makes its storage unique (copy on write). Buffers come from ``BufferCache``, so a warm
/// training step that frees and asks for buffers of the same sizes reuses them instead of going to
/// the system allocator.
public final class TensorStorage<Scalar: TensorScalar> {
  /// The first element.
  public let base: UnsafeMutablePointer<Scalar>
  /// The number of elements the buffer holds.
  public let capacity: Int

  /// An uninitialised buffer of `capacity` elements (trivial scalars: reading before writing
  /// gives unspecified values, never undefined behaviour).
  @usableFromInline
  init(uninitializedCapacity capacity: Int) {
    self.capacity = capacity
    base = BufferCache.shared.take(bytes: capacity * MemoryLayout<Scalar>.stride)
      .bindMemory(to: Scalar.self, capacity: Swift.max(capacity, 1))
  }

  /// A buffer of `capacity` elements, each `value`.
  convenience init(repeating value: Scalar, capacity: Int) {
    self.init(uninitializedCapacity: capacity)
    base.update(repeating: value, count: capacity)
  }

  /// A buffer holding a copy of `elements`.
  convenience init(copying elements: UnsafeBufferPointer<Scalar>) {
    self.init(uninitializedCapacity: elements.count)
    if let source = elements.baseAddress { base.update(from: source, count: elements.count) }
  }

  deinit {
    BufferCache.shared.give(
      UnsafeMutableRawPointer(base), bytes: capacity * MemoryLayout<Scalar>.stride)
  }
}

/// A caching allocator for tensor buffers, like PyTorch's CPU caching allocators and ggml's
/// planned buffers: a freed buffer is kept by its size and handed to the next request of that
/// size, so steady training steps allocate nothing from the system.
///
/// Buffers are 64-byte aligned. At most ``limitBytes`` are kept; beyond that freed buffers go back
/// to the system.
public final class BufferCache: Sendable {
  /// The cache every tensor uses.
  public static let shared = BufferCache(limitBytes: 1 << 30)

  /// The most bytes kept in free buffers.
  public let limitBytes: Int
  private struct State {
    /// Free buffers' addresses by size.
    var free: [Int: [UInt]] = [:]
    var cachedBytes = 0
  }
  private let state = Mutex(State())

  /// A cache keeping up to `limitBytes` of freed buffers.
  public init(limitBytes: Int) { self.limitBytes = limitBytes }

  /// The bytes a request is served with: sizes are rounded up so that nearby sizes share buffers.
  static func bucket(_ bytes: Int) -> Int {
    if bytes <= 64 { return 64 }
    if bytes <= 4096 { return (bytes + 63) & ~63 }
    // Round up to a multiple of 1/8 of the next power of two.
    let shift = (Int.bitWidth - (bytes - 1).leadingZeroBitCount) - 3
    let step = 1 << shift
    return (bytes + step - 1) & ~(step - 1)
  }

  /// A buffer of at least `bytes` bytes, from the cache when one of its size is free.
  func take(bytes: Int) -> UnsafeMutableRawPointer {
    let size = Self.bucket(bytes)
    let cached = state.withLock { state -> UInt? in
      guard let address = state.free[size]?.popLast() else { return nil }
      state.cachedBytes -= size
      return address
    }
    if let cached, let pointer = UnsafeMutableRawPointer(bitPattern: cached) { return pointer }
    return UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
  }

  /// Takes back a buffer that `take(bytes:)` gave out for `bytes`.
  func give(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
    let size = Self.bucket(bytes)
    let address = UInt(bitPattern: pointer)
    let kept = state.withLock { state -> Bool in
      guard state.cachedBytes + size <= limitBytes else { return false }
      state.free[size, default: []].append(address)
      state.cachedBytes += size
      return true
    }
    if !kept { pointer.deallocate() }
  }

  /// Returns every cached buffer to the system.
  public func empty() {
    state.withLock { state in
      for address in state.free.values.joined() {
        UnsafeMutableRawPointer(bitPattern: address)?.deallocate()
      }
      state.free = [:]
      state.cachedBytes = 0
    }
  }

  /// The bytes currently kept in free buffers.
  public var cachedBytes: Int { state.withLock { $0.cachedBytes } }
}
