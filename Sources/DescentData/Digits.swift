import DescentTensor
import Foundation

/// The "Optical Recognition of Handwritten Digits" data set (Alpaydin & Kaynak, 1998; UCI Machine
/// Learning Repository, CC BY 4.0): 1,797 images of 8x8 pixel counts in 0...16 with labels 0...9.
public enum Digits {
  /// The number of samples.
  public static let sampleCount = 1797

  /// The shipped data set, with pixels scaled to `[0, 1]` (divided by 16).
  public static func load<Scalar: TensorScalar>(as _: Scalar.Type = Scalar.self) throws
    -> Dataset<Scalar>
  {
    guard let url = Bundle.module.url(forResource: "digits", withExtension: "csv") else {
      throw DataError.unreadable(
        path: "digits.csv", reason: "the resource is missing from the bundle")
    }
    let raw: Dataset<Scalar> = try CSVLoader.load(url, header: false)
    return raw.scaled(by: 1 / 16)
  }
}
