import DescentData
import DescentNN
import Testing

/// `--task regression`: the label column holds real-valued targets.
@Suite struct RegressionDataTests {
  @Test func theLastColumnIsATarget() throws {
    let data: Dataset<Float> = try CSVLoader.parse(
      "a,b,y\n1,2,0.5\n3,4,-2.25\n5,6,1e3\n", path: "r.csv", task: .regression)
    #expect(data.isRegression && data.count == 3 && data.featureCount == 2)
    #expect(data.targets?.shape == [3, 1] && data.targets?.scalars == [0.5, -2.25, 1000])
    #expect(data.labels.isEmpty && data.outputCount == 1)
    // Subsets and splits keep each row's target with its features.
    let picked = data.subset([2, 0])
    #expect(picked.targets?.scalars == [1000, 0.5] && picked.features.scalars == [5, 6, 1, 2])
    let (train, test) = data.split(testFraction: 0.34, seed: 0)
    #expect(train.count + test.count == 3 && train.isRegression && test.isRegression)
  }

  /// The same file read for classes refuses a fractional label; for regression it is a value.
  @Test func fractionalTargetsAreFineButNotFiniteOnesAreNot() throws {
    #expect(throws: DataError.self) {
      let _: Dataset<Float> = try CSVLoader.parse("1,0.5\n2,1\n", path: "c.csv")
    }
    #expect(throws: DataError.self) {
      let _: Dataset<Float> = try CSVLoader.parse(
        "1,0.5\n2,nan\n", path: "r.csv", task: .regression)
    }
    #expect(throws: DataError.self) {
      let _: Dataset<Float> = try CSVLoader.parse(
        "1,0.5\n2,1e39\n", path: "r.csv", task: .regression)
    }
  }

  @Test func targetsMustMatchTheRows() {
    #expect(throws: DataError.self) {
      try Dataset<Float>(features: Tensor(zeros: [3, 2]), targets: Tensor(zeros: [2, 1]))
    }
  }
}
