import DescentData
import DescentTensor

/// Fuzzes ``CSVLoader/parse(_:path:labelColumn:header:as:)`` and what training does with its
/// result: split and batch it.
enum CSVFuzz {
  /// Parses `bytes` as CSV text with each header mode and label column, as float32 and float64.
  static func run(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    for (header, column) in [(nil, -1), (true, 0), (false, 1)] as [(Bool?, Int)] {
      if let data = try? CSVLoader.parse(
        text, path: "fuzz.csv", labelColumn: column, header: header, as: Float.self)
      {
        use(data)
      }
      _ = try? CSVLoader.parse(
        text, path: "fuzz.csv", labelColumn: column, header: header, as: Double.self)
    }
  }

  /// Splits `data` and takes its batches, as `descent train --data` does.
  private static func use(_ data: Dataset<Float>) {
    precondition(data.features.shape == [data.count, data.featureCount])
    precondition(data.features.scalars.allSatisfy(\.isFinite), "a non-finite feature loaded")
    guard let (train, test) = try? data.splitForTraining(testFraction: 0.2, seed: 1, source: "f")
    else { return }
    precondition(train.count + test.count == data.count && train.count > 0 && test.count > 0)
    guard let loader = try? BatchLoader(train, batchSize: 3, seed: 2) else { return }
    for batch in loader.batches(epoch: 0) {
      precondition(batch.labels.allSatisfy { (0..<data.classCount).contains($0) })
    }
  }
}
