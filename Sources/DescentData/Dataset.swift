import DescentTensor

/// A data set held in memory: one row of features per sample, and either an integer class label
/// per sample (classification) or a row of real-valued targets (regression).
public struct Dataset<Scalar: TensorScalar> {
  /// The features, `[count, featureCount]`.
  public let features: Tensor<Scalar>
  /// The class label of each sample (empty for a regression data set).
  public let labels: [Int]
  /// The real-valued targets of a regression data set, `[count, outputs]`; `nil` for classes.
  public let targets: Tensor<Scalar>?

  /// A classification data set from a feature matrix and one label per row.
  ///
  /// - Throws: ``DataError/labelCount(features:labels:)`` when the counts differ,
  ///   ``DataError/negativeLabel(index:value:)`` for a label below 0.
  public init(features: Tensor<Scalar>, labels: [Int]) throws {
    guard features.rank == 2, features.shape[0] == labels.count else {
      throw DataError.labelCount(features: features.shape.first ?? 0, labels: labels.count)
    }
    if let index = labels.firstIndex(where: { $0 < 0 }) {
      throw DataError.negativeLabel(index: index, value: labels[index])
    }
    self.features = features
    self.labels = labels
    self.targets = nil
  }

  /// A regression data set from a feature matrix and a matrix of targets, one row per sample.
  ///
  /// - Throws: ``DataError/labelCount(features:labels:)`` when the row counts differ or either is
  ///   not a matrix.
  public init(features: Tensor<Scalar>, targets: Tensor<Scalar>) throws {
    guard features.rank == 2, targets.rank == 2, features.shape[0] == targets.shape[0] else {
      throw DataError.labelCount(
        features: features.shape.first ?? 0, labels: targets.shape.first ?? 0)
    }
    self.features = features
    self.labels = []
    self.targets = targets
  }

  /// The number of samples.
  public var count: Int { features.shape[0] }
  /// The number of features per sample.
  public var featureCount: Int { features.shape[1] }
  /// The number of classes, taken as the largest label plus one (0 for regression).
  public var classCount: Int { (labels.max() ?? -1) + 1 }
  /// Whether the samples have real-valued targets rather than class labels.
  public var isRegression: Bool { targets != nil }
  /// The width of a model's output for this data: the class count, or the targets per sample.
  public var outputCount: Int { targets?.shape[1] ?? classCount }

  /// The samples at `indices`, in that order.
  public func subset(_ indices: [Int]) -> Dataset {
    // Indices come from this data set, so the counts agree.
    if let targets {
      return try! Dataset(
        features: features.gatherRows(indices), targets: targets.gatherRows(indices))
    }
    return try! Dataset(features: features.gatherRows(indices), labels: indices.map { labels[$0] })
  }

  /// A seeded random split into a training part and a test part holding `testFraction` of the
  /// samples (rounded down, at least one of each when there are two or more samples).
  public func split(testFraction: Double, seed: UInt64) -> (train: Dataset, test: Dataset) {
    var generator = SeededGenerator(seed: seed)
    var order = Array(0..<count)
    order.shuffle(using: &generator)
    var testCount = Int(Double(count) * testFraction)
    if count >= 2 { testCount = min(max(testCount, 1), count - 1) }
    return (subset(Array(order[testCount...])), subset(Array(order[..<testCount])))
  }

  /// ``split(testFraction:seed:)`` for training, where both parts must hold samples.
  ///
  /// - Parameter source: names the data in the error (a file's path, `digits`).
  /// - Throws: ``DataError/tooFewSamples(source:count:needed:)`` for fewer than two samples.
  public func splitForTraining(testFraction: Double, seed: UInt64, source: String) throws
    -> (train: Dataset, test: Dataset)
  {
    guard count >= 2 else { throw DataError.tooFewSamples(source: source, count: count, needed: 2) }
    return split(testFraction: testFraction, seed: seed)
  }

  /// Features scaled by `factor` (e.g. 1/16 for digits' pixel counts).
  public func scaled(by factor: Scalar) -> Dataset {
    // Same labels or targets, same rows.
    if let targets { return try! Dataset(features: features * factor, targets: targets) }
    return try! Dataset(features: features * factor, labels: labels)
  }
}
