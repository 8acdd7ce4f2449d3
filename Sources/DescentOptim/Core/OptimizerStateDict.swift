/// An optimizer's state in PyTorch's `state_dict()` structure: per-parameter state keyed by the
/// parameter's index in group order, and each group's parameter indices and hyperparameters.
///
/// Buffers are stored as `Double` (exact for `Float` too), so the value is the same type
/// whatever the optimizer's scalar type, and can be saved in a checkpoint; a buffer held in
/// another type (8-bit codes, bfloat16 moments) says so in its record's
/// ``ParameterRecord/bufferDTypes``, and a checkpoint stores it in that type.
public struct OptimizerStateDict: Codable, Equatable, Sendable {
  /// The element type a buffer is held in when it is not the parameters' own.
  public enum BufferDType: String, Codable, Sendable, CaseIterable {
    /// Unsigned bytes: bitsandbytes' 8-bit codes (`state1`, `state2`), whole numbers in 0...255.
    case uint8
    /// bfloat16: moments kept rounded to bfloat16.
    case bfloat16
    /// float32 whatever the parameters' type: bitsandbytes' `qmap` and `absmax`.
    case float32

    /// Whether `value` is exactly representable in this type.
    func represents(_ value: Double) -> Bool {
      switch self {
      case .uint8: return value >= 0 && value <= 255 && value == value.rounded()
      case .bfloat16:
        let float = Float(value)
        return value.isNaN || (Double(float) == value && float.bitPattern & 0xFFFF == 0)
      case .float32: return value.isNaN || Double(Float(value)) == value
      }
    }
  }

  /// The state of one parameter.
  public struct ParameterRecord: Codable, Equatable, Sendable {
    /// The number of steps taken.
    public var step: Int
    /// The parameter's shape (every buffer has it).
    public var shape: [Int]
    /// Buffers by PyTorch's state key (`exp_avg`...), in row-major order.
    public var buffers: [String: [Double]]
    /// The order in which the buffers are kept.
    public var bufferOrder: [String]
    /// Scalar state by PyTorch's state key.
    public var scalars: [String: Double]
    /// The element type of each buffer not held in the parameters' own type (bitsandbytes'
    /// `state1` in `uint8`, `absmax1` in `float32`; bfloat16 moments); the others are absent.
    public var bufferDTypes: [String: BufferDType]

    /// A record of the given values.
    public init(
      step: Int, shape: [Int], buffers: [String: [Double]], bufferOrder: [String],
      scalars: [String: Double], bufferDTypes: [String: BufferDType] = [:]
    ) {
      self.step = step
      self.shape = shape
      self.buffers = buffers
      self.bufferOrder = bufferOrder
      self.scalars = scalars
      self.bufferDTypes = bufferDTypes
    }

    private enum CodingKeys: String, CodingKey {
      case step, shape, buffers, bufferOrder, scalars, bufferDTypes
    }

    /// Decodes a record; one encoded before buffer types existed has none.
    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      step = try container.decode(Int.self, forKey: .step)
      shape = try container.decode([Int].self, forKey: .shape)
      buffers = try container.decode([String: [Double]].self, forKey: .buffers)
      bufferOrder = try container.decode([String].self, forKey: .bufferOrder)
      scalars = try container.decode([String: Double].self, forKey: .scalars)
      bufferDTypes =
        try container.decodeIfPresent([String: BufferDType].self, forKey: .bufferDTypes) ?? [:]
    }
  }

  /// One parameter group: its parameters' indices and its hyperparameters.
  public struct GroupRecord: Codable, Equatable, Sendable {
    /// Indices of the group's parameters, counted across groups in order.
    public var params: [Int]
    /// Every hyperparameter of the group by name.
    public var hyperparameters: [String: HyperparameterValue]

    /// A record of the given values.
    public init(params: [Int], hyperparameters: [String: HyperparameterValue]) {
      self.params = params
      self.hyperparameters = hyperparameters
    }
  }

  /// Per-parameter state, by parameter index; parameters never stepped have none.
  public var state: [Int: ParameterRecord]
  /// The parameter groups, in order.
  public var paramGroups: [GroupRecord]

  /// A state dict of the given values.
  public init(state: [Int: ParameterRecord], paramGroups: [GroupRecord]) {
    self.state = state
    self.paramGroups = paramGroups
  }
}
