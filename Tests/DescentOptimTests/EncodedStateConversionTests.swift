import CLanes
import DescentTensor
import Testing

@testable import DescentOptim

/// The vector conversions of encoded optimizer state (16 lanes at a time, AVX-512 permutes and
/// gathers where the build has them) against the scalar definitions, element by element, on
/// values chosen to hit rounding ties, the ends of the map, zeros, infinities and NaN.
@Suite struct EncodedStateConversionTests {
  /// 300 values (16-lane runs and a tail): specials, then a spread over [-2, 2].
  static let values: [Float] = {
    let specials: [Float] = [
      0, -0, 1, -1, 0.5, -0.5, .infinity, -.infinity, .nan, -.nan, 1e-30, -1e-30,
      .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1 + .ulpOfOne, -(1 + .ulpOfOne),
      Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000),
      Float(bitPattern: 0x7FC0_0001),
    ]
    var generator = SeededGenerator(seed: 7)
    return specials
      + (specials.count..<300).map { _ in Float.random(in: -2..<2, using: &generator) }
  }()

  @Test(arguments: [false, true])
  func codesMatchTheScalarCodeOfEveryValue(signed: Bool) {
    let table = signed ? BlockwiseQuantization.signedTable : BlockwiseQuantization.unsignedTable
    for inverse: Float in [1, 0.5, 3.7] {
      for count in [0, 15, 16, 17, 256, 300] {
        var codes = [UInt8](repeating: 0xAA, count: count)
        descent_blockwise_codes(Self.values, count, inverse, table.lookup, &codes)
        let expected = Self.values.prefix(count).map { table.code(of: $0 * inverse) }
        #expect(codes == expected, "inverse \(inverse), count \(count)")
      }
    }
  }

  /// Floats whose points (the lookup's indices) cover all 65,536: each point's value and its
  /// neighbours, the values either side of each point's rounding boundary and of each midpoint
  /// of the map, and the specials.
  static func pointCovering(map: [Float]) -> [Float] {
    var values: [Float] = []
    for point in 0..<65536 {
      let value = -1 + (2 * Float(point)) / 65535
      let boundary = -1 + (2 * (Float(point) + 0.5)) / 65535
      values += [value, value.nextDown, value.nextUp, boundary.nextDown, boundary, boundary.nextUp]
    }
    for k in 0..<map.count - 1 {
      let middle = 0.5 * (map[k] + map[k + 1])
      values += [middle.nextDown, middle, middle.nextUp]
    }
    return values + Self.values.prefix(19)
  }

  @Test(arguments: [false, true])
  func codesEqualTheLookupAtEveryPoint(signed: Bool) {
    let table = signed ? BlockwiseQuantization.signedTable : BlockwiseQuantization.unsignedTable
    let values = Self.pointCovering(map: table.codebook)
    var reached = [Bool](repeating: false, count: 65536)
    for value in values {
      let clamped = value < -1 ? -1 : value > 1 ? 1 : value
      let point = (clamped + 1) * 0.5 * 65535 + 0.5
      reached[point >= 0 ? Int(point) : 0] = true
    }
    #expect(!reached.contains(false))
    var codes = [UInt8](repeating: 0, count: values.count)
    descent_blockwise_codes(values, values.count, 1, table.lookup, &codes)
    var mismatches = 0
    for (index, value) in values.enumerated() where codes[index] != table.code(of: value) {
      mismatches += 1
    }
    #expect(mismatches == 0)
  }

  @Test(arguments: [false, true])
  func codesOfRandomFloatsMatchTheScalarCode(signed: Bool) {
    let table = signed ? BlockwiseQuantization.signedTable : BlockwiseQuantization.unsignedTable
    var generator = SeededGenerator(seed: signed ? 11 : 13)
    // Any bits (NaNs, infinities, huge and subnormal values) or magnitudes spread over
    // [2^-20, 2), as optimizer state divided by its absmax is.
    let values: [Float] = (0..<(1 << 18)).map { index in
      index % 2 == 0
        ? Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator))
        : Float(
          sign: index % 4 == 1 ? .plus : .minus,
          exponent: -Int.random(in: 0...20, using: &generator),
          significand: Float.random(in: 1..<2, using: &generator))
    }
    for inverse: Float in [1, 0.75, 1.9] {
      var codes = [UInt8](repeating: 0, count: values.count)
      descent_blockwise_codes(values, values.count, inverse, table.lookup, &codes)
      var mismatches = 0
      for (index, value) in values.enumerated()
      where codes[index] != table.code(of: value * inverse) {
        mismatches += 1
      }
      #expect(mismatches == 0, "inverse \(inverse)")
    }
  }

  @Test(arguments: [false, true])
  func decodingEveryCodeAtEveryLengthMatchesTheMap(signed: Bool) {
    let table = signed ? BlockwiseQuantization.signedTable : BlockwiseQuantization.unsignedTable
    let codes = (0..<320).map { UInt8(truncatingIfNeeded: $0 * 37 + $0 / 256) }
    for count in 0...320 {
      var output = [Float](repeating: .nan, count: count)
      descent_blockwise_decode(codes, count, table.codes, 0.37, &output)
      let expected = codes.prefix(count).map { table.codes[Int($0)] * 0.37 }
      #expect(output.map(\.bitPattern) == expected.map(\.bitPattern), "count \(count)")
    }
  }

  @Test func decodingMatchesTheMapTimesTheScale() {
    let map = BlockwiseQuantization.signedTable.codes
    let codes = (0..<300).map { UInt8(truncatingIfNeeded: $0 * 37 + $0 / 256) }
    for count in [0, 1, 16, 31, 256, 300] {
      var output = [Float](repeating: .nan, count: count)
      descent_blockwise_decode(codes, count, map, 0.37, &output)
      #expect(output == codes.prefix(count).map { map[Int($0)] * 0.37 }, "count \(count)")
    }
  }

  @Test func absmaxIgnoresNaNAndTakesTheLargestMagnitude() {
    for count in [0, 5, 16, 19, 300] {
      let scalar = Self.values.prefix(count).reduce(Float(0)) { largest, value in
        Swift.abs(value) > largest ? Swift.abs(value) : largest
      }
      #expect(descent_absmax(Self.values, count).bitPattern == scalar.bitPattern)
    }
    #expect(descent_absmax([.nan, -3, .nan], 3) == 3)
  }

  @Test func bfloat16LanesRoundAndWidenAsTheScalars() {
    for start in stride(from: 0, to: 288, by: 16) {
      let lane = Array(Self.values[start..<start + 16])
      var halves = [UInt16](repeating: 0, count: 16)
      lane.withUnsafeBufferPointer { floats in
        halves.withUnsafeMutableBufferPointer {
          EncodedLanes.narrow(VectorLane.load(from: floats.baseAddress!), to: $0.baseAddress!)
        }
      }
      #expect(halves == lane.map(bfloat16Bits), "lanes from \(start)")
      let widened = halves.withUnsafeBufferPointer { EncodedLanes.widen($0.baseAddress!) }
      for (index, half) in halves.enumerated() {
        #expect(widened[index].bitPattern == UInt32(half) << 16)
      }
    }
  }
}
