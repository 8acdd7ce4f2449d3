/// The roofline of an element-wise step: a kernel that streams the same bytes as an optimizer
/// step with no arithmetic to speak of. It reads `readCount` arrays and writes back the first
/// `writeCount` of them in place (see ``run(on:)``), over the same chunks and threads as the optimizers, so the ratio of the two times measures what
/// the optimizer's arithmetic and bookkeeping cost above pure memory traffic.
public final class StreamingKernel {
  /// The element type streamed: float32, as the benchmark's parameters.
  public typealias Scalar = Float
  /// The number of arrays read per element.
  public let readCount: Int
  /// The number of arrays written per element (each also read).
  public let writeCount: Int
  /// Elements per array.
  public let count: Int
  private var arrays: [[Scalar]]

  /// A kernel over `readCount` arrays of `count` elements, writing `writeCount` of them.
  ///
  /// - Precondition: `1 <= writeCount < readCount`.
  public init(readCount: Int, writeCount: Int, count: Int) {
    precondition(writeCount >= 1 && writeCount < readCount, "writes \(writeCount) of \(readCount)")
    self.readCount = readCount
    self.writeCount = writeCount
    self.count = count
    arrays = (0..<readCount).map { [Scalar](repeating: Scalar(0.5) * Scalar($0 + 1), count: count) }
  }

  /// Bytes moved by one pass: every array read once, the written ones written once.
  public var bytesPerPass: Int { (readCount + writeCount) * count * MemoryLayout<Scalar>.stride }

  /// One pass over the arrays on `pool`'s threads: each written array `a` becomes
  /// `a * 0.5 + r` per element, `r` being the first array that is only read.
  public func run(on pool: WorkerPool) {
    let (reads, writes, count) = (readCount, writeCount, count)
    var pointers: [UnsafeMutablePointer<Scalar>] = []
    pointers.reserveCapacity(reads)
    for index in 0..<reads {
      pointers.append(arrays[index].withUnsafeMutableBufferPointer { $0.baseAddress! })
    }
    let chunkSize = ElementwiseKernel.chunkSize
    pointers.withUnsafeBufferPointer { arrays in
      func pass(_ chunk: Int) {
        let range = chunk * chunkSize..<min(count, (chunk + 1) * chunkSize)
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
      let chunks = (count + chunkSize - 1) / chunkSize
      if count >= ElementwiseKernel.parallelThreshold {
        pool.run(taskCount: chunks, pass)
      } else {
        for chunk in 0..<chunks { pass(chunk) }
      }
    }
  }
}
