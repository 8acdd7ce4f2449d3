import Synchronization

/// A small, fast, seeded pseudo-random generator (SplitMix64 seeding a xoshiro256**), so that runs
/// repeat exactly; its state is a value that can be saved and restored.
public struct SeededGenerator: RandomNumberGenerator, Codable, Equatable, Sendable {
  /// The four words of xoshiro256** state.
  public private(set) var state: [UInt64]

  /// A generator whose whole sequence is determined by `seed`.
  public init(seed: UInt64) {
    var mix = seed
    func splitMix() -> UInt64 {
      mix &+= 0x9E37_79B9_7F4A_7C15
      var z = mix
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    state = [splitMix(), splitMix(), splitMix(), splitMix()]
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotate(state[1] &* 5, 7) &* 9
    let t = state[1] << 17
    state[2] ^= state[0]
    state[3] ^= state[1]
    state[1] ^= state[2]
    state[0] ^= state[3]
    state[2] ^= t
    state[3] = rotate(state[3], 45)
    return result
  }

  private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// A uniform value in `[0, 1)` with 53 random bits.
  public mutating func nextUnit() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A standard normal value (Box–Muller).
  public mutating func nextNormal() -> Double {
    var u = nextUnit()
    while u <= 0 { u = nextUnit() }
    let v = nextUnit()
    return (-2 * Double.log(u)).squareRoot() * Double.cos(2 * .pi * v)
  }
}

extension Tensor {
  /// A tensor of values drawn uniformly from `[low, high)`.
  public init(
    uniform shape: [Int], low: Scalar = 0, high: Scalar = 1, generator: inout SeededGenerator
  ) {
    let count = shape.reduce(1, *)
    var values = [Scalar]()
    values.reserveCapacity(count)
    for _ in 0..<count { values.append(low + (high - low) * Scalar(generator.nextUnit())) }
    self.init(shape: shape, scalars: values)
  }

  /// A tensor of values drawn from the normal distribution with the given mean and standard
  /// deviation.
  public init(
    normal shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1,
    generator: inout SeededGenerator
  ) {
    let count = shape.reduce(1, *)
    var values = [Scalar]()
    values.reserveCapacity(count)
    for _ in 0..<count { values.append(mean + standardDeviation * Scalar(generator.nextNormal())) }
    self.init(shape: shape, scalars: values)
  }
}

/// The process-wide generator behind initialisers that take no generator, like PyTorch's global
/// RNG; `manualSeed(_:)` makes everything drawn from it repeat.
public enum GlobalGenerator {
  private static let shared = Mutex(SeededGenerator(seed: 0))

  /// Reseeds the global generator, as `torch.manual_seed`.
  public static func manualSeed(_ seed: UInt64) {
    shared.withLock { $0 = SeededGenerator(seed: seed) }
  }

  /// Runs `body` with exclusive use of the global generator.
  public static func withGenerator<R>(_ body: (inout SeededGenerator) throws -> R) rethrows -> R {
    try shared.withLock { try body(&$0) }
  }

  /// The global generator's state, to save in a checkpoint.
  public static var state: SeededGenerator {
    get { shared.withLock { $0 } }
    set { shared.withLock { $0 = newValue } }
  }
}
