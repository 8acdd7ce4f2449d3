import DescentTensor

/// The roofline of an element-wise step: a kernel that streams the same bytes as an optimizer
/// step with no arithmetic to speak of. It reads `readCount` arrays and writes back the first
/// `writeCount` of them in place (see ``run(on:)``), over the same chunks and threads as the
/// optimizers, so the ratio of the two times measures what the optimizer's arithmetic and
/// bookkeeping cost above pure memory traffic.
public final class StreamingKernel: PoolJob {
  /// The element type streamed: float32, as the benchmark's parameters.
  public typealias Scalar = Float
  /// The number of arrays read per element.
  public let readCount: Int
  /// The number of arrays written per element (each also read).
  public let writeCount: Int
  /// Elements per array.
  public let count: Int
  /// The arrays, allocated once (a pass allocates nothing, as an optimizer step does not).
  private let arrays: [UnsafeMutablePointer<Scalar>]

  /// A kernel over `readCount` arrays of `count` elements, writing `writeCount` of them.
  ///
  /// - Precondition: `1 <= writeCount < readCount`.
  public init(readCount: Int, writeCount: Int, count: Int) {
    precondition(writeCount >= 1 && writeCount < readCount, "writes \(writeCount) of \(readCount)")
    self.readCount = readCount
    self.writeCount = writeCount
    self.count = count
    arrays = (0..<readCount).map { index in
      let array = UnsafeMutablePointer<Scalar>.allocate(capacity: max(count, 1))
      array.initialize(repeating: Scalar(0.5) * Scalar(index + 1), count: count)
      return array
    }
  }

  deinit {
    for array in arrays { array.deallocate() }
  }

  /// Bytes moved by one pass: every array read once, the written ones written once.
  public var bytesPerPass: Int { (readCount + writeCount) * count * MemoryLayout<Scalar>.stride }

  /// One pass over the arrays on `pool`'s threads: each written array `a` becomes
  /// `a * 0.5 + r` per element, `r` being the first array that is only read.
  public func run(on pool: WorkerPool) {
    let chunks = (count + ElementwiseKernel.chunkSize - 1) / ElementwiseKernel.chunkSize
    if count >= ElementwiseKernel.parallelThreshold {
      pool.run(taskCount: chunks, job: self)
    } else {
      for chunk in 0..<chunks { run(task: chunk) }
    }
  }

  /// The pass over chunk `chunk` (``ElementwiseKernel/chunkSize`` elements).
  public func run(task chunk: Int) {
    let (reads, writes) = (readCount, writeCount)
    let range =
      chunk * ElementwiseKernel.chunkSize..<min(count, (chunk + 1) * ElementwiseKernel.chunkSize)
    typealias V = Scalar.Vector
    let half = V(repeating: 0.5)
    var i = range.lowerBound
    while i + V.width <= range.upperBound {
      var sum = V.load(from: arrays[writes] + i)
      for j in (writes + 1)..<reads { sum = sum + V.load(from: arrays[j] + i) }
      for j in 0..<writes {
        (V.load(from: arrays[j] + i) * half + sum).store(to: arrays[j] + i)
      }
      i += V.width
    }
    while i < range.upperBound {
      var sum = arrays[writes][i]
      for j in (writes + 1)..<reads { sum += arrays[j][i] }
      for j in 0..<writes { arrays[j][i] = arrays[j][i] * 0.5 + sum }
      i += 1
    }
  }
}
