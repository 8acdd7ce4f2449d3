import DescentData
import DescentTensor
import Foundation
import Testing

@Suite("CSV loading")
struct CSVLoaderTests {
  @Test func parsesFeaturesAndLabels() throws {
    let data: Dataset<Double> = try CSVLoader.parse("1,2,0\n3.5,-4,2\n", path: "a.csv")
    #expect(data.features.shape == [2, 2])
    #expect(data.features.scalars == [1, 2, 3.5, -4])
    #expect(data.labels == [0, 2])
    #expect(data.classCount == 3)
  }

  @Test func detectsHeaderAndLabelColumn() throws {
    let data: Dataset<Float> = try CSVLoader.parse(
      "label,x,y\n1,0.5,0.25\n\n0,1,2\n", path: "h.csv", labelColumn: 0)
    #expect(data.labels == [1, 0])
    #expect(data.features.scalars == [0.5, 0.25, 1, 2])
  }

  @Test func wrongColumnCountNamesFileAndLine() {
    #expect(throws: DataError.columnCount(path: "b.csv", line: 3, expected: 3, found: 2)) {
      let _: Dataset<Double> = try CSVLoader.parse("1,2,0\n3,4,1\n5,1\n", path: "b.csv")
    }
  }

  @Test func nonNumberNamesValue() {
    let error = #expect(throws: DataError.self) {
      let _: Dataset<Double> = try CSVLoader.parse("1,2,0\n3,x4,1\n", path: "c.csv")
    }
    #expect(error == .notANumber(path: "c.csv", line: 2, column: 2, value: "x4"))
    #expect(error?.description == "c.csv:2: column 2 is not a number: 'x4'")
  }

  @Test func badLabel() {
    #expect(throws: DataError.badLabel(path: "d.csv", line: 1, value: "1.5")) {
      let _: Dataset<Double> = try CSVLoader.parse("1,2,1.5\n", path: "d.csv")
    }
  }

  @Test func emptyFile() {
    #expect(throws: DataError.empty(path: "e.csv")) {
      let _: Dataset<Double> = try CSVLoader.parse("\n\n", path: "e.csv")
    }
  }

  @Test func missingFile() {
    let error = #expect(throws: DataError.self) {
      let _: Dataset<Double> = try CSVLoader.load(URL(fileURLWithPath: "/nonexistent/f.csv"))
    }
    #expect(error?.description.contains("/nonexistent/f.csv") == true)
  }

  @Test func readsAFileFromDisk() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("descent-\(UUID()).csv")
    try "0.1,0.2,1\n0.3,0.4,0\n".write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    let data: Dataset<Float> = try CSVLoader.load(url)
    #expect(data.count == 2)
  }
}

@Suite("Digits and batching")
struct DigitsTests {
  @Test func digitsShipsWithThePackage() throws {
    let digits: Dataset<Float> = try Digits.load()
    #expect(digits.count == 1797)
    #expect(digits.featureCount == 64)
    #expect(digits.classCount == 10)
    #expect(digits.features.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    // Every class is present in roughly equal numbers (the data set has 174 to 183 per class).
    let counts = (0..<10).map { label in digits.labels.filter { $0 == label }.count }
    #expect(counts.allSatisfy { (170...185).contains($0) })
  }

  @Test func splitIsSeededAndDisjoint() throws {
    let digits: Dataset<Double> = try Digits.load()
    let (train, test) = digits.split(testFraction: 0.2, seed: 1)
    let (trainAgain, _) = digits.split(testFraction: 0.2, seed: 1)
    let (trainOther, _) = digits.split(testFraction: 0.2, seed: 2)
    #expect(test.count == 359 && train.count == 1438)
    #expect(train.labels == trainAgain.labels && train.features == trainAgain.features)
    #expect(train.features != trainOther.features)
  }

  @Test func loaderIsDeterministicAndCoversEverySampleOnce() throws {
    var generator = SeededGenerator(seed: 5)
    let data = try Dataset<Double>(
      features: Tensor(normal: [103, 2], generator: &generator),
      labels: Array(repeating: 0, count: 103))
    let loader = try BatchLoader(data, batchSize: 10, seed: 9)
    let again = try BatchLoader(data, batchSize: 10, seed: 9)
    #expect(loader.batchIndices(epoch: 3) == again.batchIndices(epoch: 3))
    #expect(loader.batchIndices(epoch: 0) != loader.batchIndices(epoch: 1))
    let epoch = loader.batchIndices(epoch: 0)
    #expect(epoch.count == 11 && epoch.last?.count == 3)
    #expect(epoch.flatMap { $0 }.sorted() == Array(0..<103))
    let dropping = try BatchLoader(data, batchSize: 10, dropLast: true)
    #expect(dropping.batchIndices(epoch: 0).count == 10)
    let ordered = try BatchLoader(data, batchSize: 50, shuffle: false)
    #expect(ordered.batchIndices(epoch: 4)[0] == Array(0..<50))
    let batch = loader.batches(epoch: 0)[0]
    #expect(batch.features.shape == [10, 2])
  }

  @Test func badBatchSize() {
    #expect(throws: DataError.batchSize(0)) {
      _ = try BatchLoader(
        try Dataset<Float>(features: Tensor(zeros: [1, 1]), labels: [0]), batchSize: 0)
    }
  }
}
