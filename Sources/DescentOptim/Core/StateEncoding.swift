/// The element type an optimizer keeps its moments in (Adam's and AdamW's `stateDType`).
public enum StateDType: String, CaseIterable, Sendable {
  /// The parameters' own type, as PyTorch.
  case float32
  /// bfloat16: the arithmetic stays float32 and each moment is rounded to the nearest bfloat16
  /// (ties to even) when stored, after every step.
  case bfloat16
}

/// How a parameter's state buffers are stored.
public enum StateEncoding: Sendable, Equatable {
  /// As the parameter's scalars.
  case plain
  /// As bfloat16, two bytes per element.
  case bfloat16
  /// As bitsandbytes' blockwise 8-bit state: one code per element into the signed (`true`) or
  /// unsigned dynamic map of each buffer, scaled by a float32 `absmax` per block of 256.
  case blockwise8bit(signed: [Bool])

  /// The bytes of one encoded element.
  var bytesPerElement: Int {
    switch self {
    case .plain: return 0
    case .bfloat16: return 2
    case .blockwise8bit: return 1
    }
  }
}

extension HyperparameterField {
  /// Descent's `stateDType`: omitted from the entries (so printed forms and state dicts stay
  /// PyTorch's) unless bfloat16.
  public static func stateDType(_ keyPath: WritableKeyPath<Settings, StateDType>) -> Self {
    Self(
      "stateDType",
      read: { settings, reader in
        guard reader.has("stateDType") else { return }
        let text = try reader.text("stateDType")
        guard let type = StateDType(rawValue: text) else {
          throw OptimizerError.invalidHyperparameter(
            optimizer: reader.optimizer, name: "stateDType", value: text,
            requirement: "float32 or bfloat16")
        }
        settings[keyPath: keyPath] = type
      },
      value: { $0[keyPath: keyPath] == .float32 ? nil : .text($0[keyPath: keyPath].rawValue) })
  }
}

extension ParameterState {
  /// bitsandbytes' state for a parameter of `count` elements: `buffers` (`state1`, ...) at zero,
  /// as 8-bit codes into the signed or unsigned dynamic map from
  /// ``BlockwiseQuantization/minimumQuantizedCount`` elements on, as plain scalars below.
  public static func blockwise8bit(count: Int, buffers: [(name: String, signed: Bool)]) -> Self {
    Self(
      count: count, buffers: buffers.map { ($0.name, 0) },
      encoding: count >= BlockwiseQuantization.minimumQuantizedCount
        ? .blockwise8bit(signed: buffers.map(\.signed)) : .plain)
  }

  /// Encodes `buffers` into ``packed`` (and ``absmax``) as ``encoding`` says.
  mutating func setEncodedBuffers(_ buffers: [(name: String, values: [Scalar])]) {
    bufferNames = buffers.map(\.name)
    let width = encoding.bytesPerElement
    packed = [UInt8](repeating: 0, count: buffers.count * count * width)
    let blocks = BlockwiseQuantization.blockCount(count)
    absmax = [Float](repeating: 0, count: encoding == .bfloat16 ? 0 : buffers.count * blocks)
    for (index, buffer) in buffers.enumerated() {
      packed.withUnsafeMutableBytes { bytes in
        absmax.withUnsafeMutableBufferPointer { absmax in
          buffer.values.withUnsafeBufferPointer { values in
            let codec = StateCodec(
              encoding: encoding, packed: bytes.baseAddress!, absmax: absmax.baseAddress,
              count: count, bufferIndex: index)
            codec.encode(values.baseAddress!, count: count)
          }
        }
      }
    }
  }

  /// Buffer `index`, decoded.
  func decodedBuffer(_ index: Int) -> [Scalar] {
    var values = [Scalar](repeating: 0, count: count)
    var bytes = packed
    var scales = absmax
    bytes.withUnsafeMutableBytes { bytes in
      scales.withUnsafeMutableBufferPointer { absmax in
        values.withUnsafeMutableBufferPointer { values in
          guard let base = bytes.baseAddress, let output = values.baseAddress else { return }
          StateCodec(
            encoding: encoding, packed: base, absmax: absmax.baseAddress, count: count,
            bufferIndex: index
          ).decode(into: output, count: count)
        }
      }
    }
    return values
  }

  /// One buffer as a state dict holds it: its values and, when not the parameters' own, the
  /// type they are kept in.
  typealias RecordedBuffer = (
    name: String, values: [Double], dtype: OptimizerStateDict.BufferDType?
  )

  /// The type a state dict gives this state's buffer `name`: `nil` (the parameters' own) for
  /// plain state; bfloat16 moments; bitsandbytes' `stateN` codes `uint8`, its `qmapN` and
  /// `absmaxN` `float32`.
  func recordedDType(of name: String) -> OptimizerStateDict.BufferDType? {
    switch encoding {
    case .plain: return nil
    case .bfloat16: return .bfloat16
    case .blockwise8bit: return name.hasPrefix("state") ? .uint8 : .float32
    }
  }

  /// The buffers as a state dict holds them (see ``recordedDType(of:)``): plain and bfloat16
  /// buffers by name with their values; 8-bit buffers in bitsandbytes' order: `stateN` (codes),
  /// `qmapN`, ..., then `absmaxN`.
  func recordBuffers() -> [RecordedBuffer] {
    guard case .blockwise8bit(let signed) = encoding else {
      return bufferNames.map { name in
        (name, buffer(name)!.map { Double($0) }, recordedDType(of: name))
      }
    }
    let blocks = BlockwiseQuantization.blockCount(count)
    var codes: [(String, [Double])] = []
    var scales: [(String, [Double])] = []
    for (index, name) in bufferNames.enumerated() {
      let suffix = name.dropFirst("state".count)
      codes.append((name, packed[index * count..<(index + 1) * count].map { Double($0) }))
      codes.append(
        ("qmap\(suffix)", BlockwiseQuantization.codebook(signed: signed[index]).map { Double($0) }))
      scales.append(
        ("absmax\(suffix)", absmax[index * blocks..<(index + 1) * blocks].map { Double($0) }))
    }
    return (codes + scales).map { ($0, $1, recordedDType(of: $0)) }
  }

  /// Restores the encoded buffers of this (fresh) state from a state dict record's buffers,
  /// throwing a sentence naming the buffer that is missing or does not fit.
  mutating func restoreEncoded(from buffers: [String: [Double]]) throws(StateRestoreError) {
    func values(_ name: String, count expected: Int) throws(StateRestoreError) -> [Double] {
      guard let values = buffers[name] else { throw .missing(name) }
      guard values.count == expected else {
        throw .invalid(name, "has \(values.count) elements, not \(expected)")
      }
      return values
    }
    guard case .blockwise8bit(let signed) = encoding else {
      var decoded: [(name: String, values: [Scalar])] = []
      for name in bufferNames {
        decoded.append((name, try values(name, count: count).map { Scalar($0) }))
      }
      setEncodedBuffers(decoded)
      return
    }
    let blocks = BlockwiseQuantization.blockCount(count)
    for (index, name) in bufferNames.enumerated() {
      let suffix = name.dropFirst("state".count)
      let codes = try values(name, count: count)
      guard codes.allSatisfy({ $0 >= 0 && $0 <= 255 && $0 == $0.rounded() }) else {
        throw .invalid(name, "holds a value that is not a code in 0...255")
      }
      let map = try values("qmap\(suffix)", count: 256)
      guard map == BlockwiseQuantization.codebook(signed: signed[index]).map({ Double($0) }) else {
        throw .invalid("qmap\(suffix)", "is not bitsandbytes' dynamic map")
      }
      let scales = try values("absmax\(suffix)", count: blocks)
      guard scales.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
        throw .invalid("absmax\(suffix)", "holds a negative or non-finite scale")
      }
      packed.replaceSubrange(index * count..<(index + 1) * count, with: codes.map { UInt8($0) })
      absmax.replaceSubrange(
        index * blocks..<(index + 1) * blocks, with: scales.map { Float($0) })
    }
  }
}

/// Why a state dict's encoded buffers cannot be restored.
enum StateRestoreError: Error {
  /// The buffer is not in the record.
  case missing(String)
  /// The buffer is there but does not fit; the reason says how.
  case invalid(String, String)

  /// A sentence for ``OptimizerError/stateDictMismatch(optimizer:reason:)``.
  func reason(parameter index: Int) -> String {
    switch self {
    case .missing(let name):
      return "parameter \(index): buffer '\(name)' is missing, and the optimizer needs it"
    case .invalid(let name, let why):
      return "parameter \(index): buffer '\(name)' \(why)"
    }
  }
}
