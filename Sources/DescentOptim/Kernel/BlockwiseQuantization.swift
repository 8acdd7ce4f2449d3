import CLanes
import Foundation

/// bitsandbytes' blockwise 8-bit quantization (0.50's CPU path): each block of 256 values is
/// scaled by its largest magnitude (`absmax`) and every value becomes the index of the nearest
/// entry of a 256-entry dynamic map, found through a table of 65,536 evenly spaced points in
/// [-1, 1], as bitsandbytes' `quantize_cpu` finds it.
public enum BlockwiseQuantization {
  /// Elements per block (one `absmax` each).
  public static let blockSize = 256
  /// The smallest state kept in 8 bits; smaller tensors keep float32 state, as bitsandbytes'
  /// `min_8bit_size`.
  public static let minimumQuantizedCount = 4096

  /// The number of blocks of `count` elements (the last may be partial).
  public static func blockCount(_ count: Int) -> Int { (count + blockSize - 1) / blockSize }

  /// bitsandbytes' `create_dynamic_map(signed)`: 256 sorted values in [-1, 1] (signed) or
  /// [0, 1], dense near zero.
  public static func codebook(signed: Bool) -> [Float] {
    signed ? signedTable.codebook : unsignedTable.codebook
  }

  /// The signed map's tables (first moments, Lion's and SGD's momentum).
  static let signedTable = QuantizationTable(codebook: dynamicMap(signed: true))
  /// The unsigned map's tables (second moments).
  static let unsignedTable = QuantizationTable(codebook: dynamicMap(signed: false))

  /// `create_dynamic_map(signed, max_exponent_bits=7, total_bits=8)` in float32 as PyTorch
  /// computes it: for each decade `10^(i-6)`, the midpoints of `linspace(0.1, 1, 2^i + 1)`
  /// (`2^(i+1) + 1` unsigned; linspace's points are `start + step * k` below the middle and
  /// `end - step * (n - 1 - k)` from it, each one fused multiply-add), scaled, with their
  /// negatives when signed; then 0 and 1, sorted.
  static func dynamicMap(signed: Bool) -> [Float] {
    var data: [Float] = []
    for exponent in 0..<7 {
      let points = signed ? (1 << exponent) + 1 : (1 << (exponent + 1)) + 1
      let (start, end): (Float, Float) = (0.1, 1)
      let step = (end - start) / Float(points - 1)
      let boundaries = (0..<points).map { k in
        k < points / 2
          ? start.addingProduct(step, Float(k)) : end.addingProduct(-step, Float(points - 1 - k))
      }
      let scale = Foundation.pow(10, Double(exponent - 6))
      for sign in signed ? [1.0, -1.0] : [1.0] {
        let factor = Float(sign * scale)
        for k in 0..<points - 1 {
          data.append(factor * ((boundaries[k] + boundaries[k + 1]) / 2))
        }
      }
    }
    data += [0, 1]
    return data.sorted()
  }
}

/// A dynamic map and the table that finds its nearest entry, kept at fixed addresses for the
/// kernel (made once per map and never freed).
final class QuantizationTable: @unchecked Sendable {
  /// The map's 256 values, sorted.
  let codebook: [Float]
  /// The map at a fixed address, followed by its byte planes (`descent_blockwise_map_planes`:
  /// 1 KiB that the vector decoding picks from).
  let codes: UnsafeMutablePointer<Float>
  /// For each of 65,536 evenly spaced points of [-1, 1], the index of the map entry nearest to
  /// it (bitsandbytes' `build_quantize_lut`), followed by the search tables the vector encoding
  /// finds the same entries with (`descent_blockwise_search_tables`: 512 bytes).
  let lookup: UnsafeMutablePointer<UInt8>

  /// The tables of `codebook`.
  init(codebook: [Float]) {
    precondition(codebook.count == 256, "a dynamic map has 256 entries")
    self.codebook = codebook
    codes = .allocate(capacity: 2 * 256)
    codes.initialize(from: codebook, count: 256)
    (codes + 256).initialize(repeating: 0, count: 256)
    descent_blockwise_map_planes(codes)
    lookup = UnsafeMutableRawPointer.allocate(byteCount: 65536 + 512, alignment: 64)
      .initializeMemory(as: UInt8.self, repeating: 0, count: 65536 + 512)
    var index = 0
    for point in 0..<65536 {
      let value = -1 + (2 * Float(point)) / 65535
      while index < codebook.count - 1 && 0.5 * (codebook[index] + codebook[index + 1]) < value {
        index += 1
      }
      lookup[point] = UInt8(index)
    }
    descent_blockwise_search_tables(lookup)
  }

  /// The code of `value` (already divided by its block's absmax): bitsandbytes'
  /// `lut[(clamp(value, -1, 1) + 1) * 0.5 * 65535 + 0.5]` (NaN, a diverged state, takes point 0).
  @inline(__always)
  func code(of value: Float) -> UInt8 { descent_blockwise_code(value, lookup) }
}

/// The encoded buffers of one parameter's state, for encoding and decoding runs of elements
/// (the kernel decodes a block into float scratch, runs the rule, and encodes it back).
@usableFromInline struct StateCodec {
  /// Whether the buffers are bfloat16 (else 8-bit).
  let bfloat16: Bool
  /// For 8-bit buffers, bit `i` set when buffer `i` uses the signed map.
  let signedMask: Int
  /// The encoded buffers, back to back.
  let packed: UnsafeMutableRawPointer
  /// The 8-bit buffers' scales, buffer after buffer (`nil` for bfloat16).
  let absmax: UnsafeMutablePointer<Float>?
  /// Elements per buffer.
  let count: Int
  /// The buffer encoded or decoded by the whole-buffer methods.
  var bufferIndex = 0

  /// The codec of buffers stored as `encoding` (not `.plain`).
  init(
    encoding: StateEncoding, packed: UnsafeMutableRawPointer,
    absmax: UnsafeMutablePointer<Float>?, count: Int, bufferIndex: Int = 0
  ) {
    bfloat16 = encoding == .bfloat16
    if case .blockwise8bit(let signed) = encoding {
      signedMask = signed.enumerated().reduce(0) { $0 | ($1.element ? 1 << $1.offset : 0) }
    } else {
      signedMask = 0
    }
    (self.packed, self.absmax, self.count, self.bufferIndex) = (packed, absmax, count, bufferIndex)
  }

  /// The map of buffer `index` (8-bit only).
  @inline(__always)
  func table(_ index: Int) -> QuantizationTable {
    signedMask & (1 << index) != 0
      ? BlockwiseQuantization.signedTable : BlockwiseQuantization.unsignedTable
  }

  /// Decodes buffer ``bufferIndex`` into `output`.
  func decode<Scalar: LaneScalar>(into output: UnsafeMutablePointer<Scalar>, count: Int) {
    for start in stride(from: 0, to: count, by: BlockwiseQuantization.blockSize) {
      decode(
        buffer: bufferIndex, from: start,
        count: Swift.min(BlockwiseQuantization.blockSize, count - start), into: output + start)
    }
  }

  /// Encodes `values` as buffer ``bufferIndex``.
  func encode<Scalar: LaneScalar>(_ values: UnsafePointer<Scalar>, count: Int) {
    for start in stride(from: 0, to: count, by: BlockwiseQuantization.blockSize) {
      encode(
        buffer: bufferIndex, from: start,
        count: Swift.min(BlockwiseQuantization.blockSize, count - start), values: values + start)
    }
  }

  /// Decodes `length` elements of buffer `index` from element `start` (a block's first, for
  /// 8-bit buffers; at most one block) into `output`.
  @inline(__always)
  func decode<Scalar: LaneScalar>(
    buffer index: Int, from start: Int, count length: Int, into output: UnsafeMutablePointer<Scalar>
  ) {
    if bfloat16 {
      let halves = packed.assumingMemoryBound(to: UInt16.self) + index * count + start
      for i in 0..<length {
        output[i] = Scalar(Float(bitPattern: UInt32(halves[i]) << 16))
      }
      return
    }
    let codes = packed.assumingMemoryBound(to: UInt8.self) + index * count + start
    let scale = absmax![
      index * BlockwiseQuantization.blockCount(count)
        + start / BlockwiseQuantization.blockSize]
    let map = table(index).codes
    if Scalar.self == Float.self {
      let floats = UnsafeMutableRawPointer(output).assumingMemoryBound(to: Float.self)
      descent_blockwise_decode(codes, length, map, scale, floats)
      return
    }
    for i in 0..<length {
      output[i] = Scalar(map[Int(codes[i])] * scale)
    }
  }

  /// Encodes `length` elements of buffer `index` from element `start` (as for decoding) from
  /// `values`: bfloat16 rounded to nearest even, or a block's absmax and codes.
  @inline(__always)
  func encode<Scalar: LaneScalar>(
    buffer index: Int, from start: Int, count length: Int, values: UnsafePointer<Scalar>
  ) {
    if bfloat16 {
      let halves = packed.assumingMemoryBound(to: UInt16.self) + index * count + start
      for i in 0..<length {
        halves[i] = bfloat16Bits(Float(values[i]))
      }
      return
    }
    let codes = packed.assumingMemoryBound(to: UInt8.self) + index * count + start
    // Float values take the vector loops (the same bits).
    let floats =
      Scalar.self == Float.self ? UnsafeRawPointer(values).assumingMemoryBound(to: Float.self) : nil
    var largest: Float = 0
    if let floats {
      largest = descent_absmax(floats, length)
    } else {
      for i in 0..<length {
        let magnitude = Swift.abs(Float(values[i]))
        largest = magnitude > largest ? magnitude : largest
      }
    }
    absmax![
      index * BlockwiseQuantization.blockCount(count)
        + start / BlockwiseQuantization.blockSize] = largest
    guard largest != 0 else {
      codes.update(repeating: 0, count: length)
      return
    }
    let inverse = 1 / largest
    let table = table(index)
    if let floats {
      descent_blockwise_codes(floats, length, inverse, table.lookup, codes)
      return
    }
    for i in 0..<length {
      codes[i] = table.code(of: Float(values[i]) * inverse)
    }
  }
}

/// The bits of `value` rounded to the nearest bfloat16, ties to even (NaN stays NaN).
@inline(__always)
func bfloat16Bits(_ value: Float) -> UInt16 {
  let bits = value.bitPattern
  if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x40 }
  return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
}
