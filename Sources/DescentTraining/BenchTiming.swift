import Foundation

/// How a benchmark measures: untimed warm-up runs, then the median of timed runs.
public struct BenchTiming: Sendable, Equatable {
  /// Runs before timing starts.
  public var warmups: Int
  /// Timed runs; the median is reported.
  public var runs: Int

  /// A timing of `warmups` warm-up runs and `runs` timed runs (at least one of each is made).
  public init(warmups: Int = 2, runs: Int = 7) {
    self.warmups = max(0, warmups)
    self.runs = max(1, runs)
  }

  /// The median wall-clock seconds of `body` over the timed runs, after the warm-ups.
  public func medianSeconds(_ body: () -> Void) -> Double {
    withoutActuallyEscaping(body) { medianSeconds(of: [$0])[0] }
  }

  /// ``medianSeconds(_:)`` of a body that may throw; the first error stops the runs and is
  /// rethrown.
  public func checkedMedianSeconds(_ body: () throws -> Void) throws -> Double {
    var failure: (any Error)?
    let seconds = medianSeconds {
      guard failure == nil else { return }
      do { try body() } catch { failure = error }
    }
    if let failure { throw failure }
    return seconds
  }

  /// The median wall-clock seconds of each of `bodies`, timed in turn within every run (one
  /// warm-up or timed run calls each body once), so that drift over the measurement (clock
  /// speed, caches, the other processes) falls on all of them alike.
  public func medianSeconds(of bodies: [() -> Void]) -> [Double] {
    let rounds = rounds(of: bodies.map(Self.timed))
    return bodies.indices.map { index in Self.median(rounds.map { $0[index] }) }
  }

  /// The seconds each of `bodies` reports in every timed run, `result[run][body]`, the bodies
  /// called in turn within each run after the warm-up runs. A body times itself, so that it can
  /// report what another process measured.
  public func rounds<Failure: Error>(of bodies: [() throws(Failure) -> Double]) throws(Failure)
    -> [[Double]]
  {
    for _ in 0..<warmups {
      for body in bodies { _ = try body() }
    }
    var rounds: [[Double]] = []
    for _ in 0..<runs {
      var round: [Double] = []
      for body in bodies { round.append(try body()) }
      rounds.append(round)
    }
    return rounds
  }

  /// `body` as a body of ``rounds(of:)``: it runs `body` and returns the wall-clock seconds taken.
  public static func timed(_ body: @escaping () -> Void) -> () -> Double {
    {
      let start = DispatchTime.now().uptimeNanoseconds
      body()
      return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
  }

  /// The median of `values` (the mean of the middle two for an even count; NaN when empty).
  public static func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }
}

/// The parameters of one benchmark case: `tensorCount` tensors of `tensorSize` float32 elements.
public struct BenchLayout: Sendable, Equatable, CustomStringConvertible {
  /// The number of tensors.
  public let tensorCount: Int
  /// Elements per tensor.
  public let tensorSize: Int

  /// The most parameters a layout may hold in all (one billion: 4 GB of float32 values, more
  /// than 20 GB with gradients and optimizer state).
  public static let maximumParameterCount = 1_000_000_000

  /// `tensorCount` tensors of `tensorSize` elements.
  ///
  /// - Throws: ``TrainingError/invalidOption(_:_:)`` unless both are positive and their product
  ///   is at most ``maximumParameterCount``.
  public init(tensorCount: Int = 1, tensorSize: Int) throws {
    guard tensorCount > 0, tensorSize > 0 else {
      throw TrainingError.invalidOption("size", "\(tensorCount)x\(tensorSize) (must be positive)")
    }
    let (total, overflow) = tensorCount.multipliedReportingOverflow(by: tensorSize)
    guard !overflow, total <= Self.maximumParameterCount else {
      throw TrainingError.invalidOption(
        "size",
        "\(tensorCount)x\(tensorSize) (at most \(Self.maximumParameterCount) parameters in all)")
    }
    self.init(checked: tensorCount, tensorSize)
  }

  private init(checked tensorCount: Int, _ tensorSize: Int) {
    self.tensorCount = tensorCount
    self.tensorSize = tensorSize
  }

  /// Parses `4K`, `1M`, `50M`, `1000` (one tensor) or `200x4096` (200 tensors of 4,096).
  ///
  /// - Throws: ``TrainingError/invalidOption(_:_:)`` for anything else.
  public init(parsing text: String) throws {
    let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
    guard parts.count <= 2, let size = Self.count(parts[parts.count - 1]),
      let tensors = parts.count == 2 ? Self.count(parts[0]) : 1
    else {
      throw TrainingError.invalidOption(
        "size", "'\(text)' (expected e.g. 4K, 1M, 50M, 1000 or 200x4096)")
    }
    try self.init(tensorCount: tensors, tensorSize: size)
  }

  private static func count(_ text: Substring) -> Int? {
    let multipliers: [Character: Int] = ["k": 1_000, "m": 1_000_000]
    if let last = text.last, let multiplier = multipliers[last] {
      return Int(text.dropLast()).flatMap { $0.multipliedReportingOverflow(by: multiplier) }
        .flatMap { $0.overflow ? nil : $0.partialValue }
    }
    return Int(text)
  }

  /// The number of parameters over all tensors.
  public var parameterCount: Int { tensorCount * tensorSize }

  /// `50M`, `4K`, `200x4096`.
  public var description: String {
    let size =
      tensorSize % 1_000_000 == 0
      ? "\(tensorSize / 1_000_000)M"
      : tensorSize % 1_000 == 0 && tensorCount == 1 ? "\(tensorSize / 1_000)K" : "\(tensorSize)"
    return tensorCount == 1 ? size : "\(tensorCount)x\(size)"
  }

  /// The layouts of the full benchmark: 4 thousand, 1 million, 50 million, 200 tensors of 4,096.
  public static let standard = [
    BenchLayout(checked: 1, 4_000), BenchLayout(checked: 1, 1_000_000),
    BenchLayout(checked: 1, 50_000_000), BenchLayout(checked: 200, 4096),
  ]

  /// The layouts of a quick run: small sizes only.
  public static let quick = [
    BenchLayout(checked: 1, 4_000), BenchLayout(checked: 1, 1_000_000),
    BenchLayout(checked: 200, 4096),
  ]
}
