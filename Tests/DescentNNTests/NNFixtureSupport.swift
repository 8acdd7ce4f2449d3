import DescentNN
import Foundation
import Testing

/// A fixture of `Fixtures/` (PyTorch 2.15's numbers, see `Fixtures/FORMAT.md`), read as JSON.
struct NNFixture {
  /// The decoded JSON object.
  let json: [String: Any]

  /// The fixture named `name` (without `.json`).
  init(_ name: String) throws {
    let url = try #require(
      Bundle.module.resourceURL?.appendingPathComponent("Fixtures/\(name).json"))
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    json = try #require(object as? [String: Any], "\(name) is not a JSON object")
  }

  /// The names of every fixture whose name starts with `prefix`, sorted.
  static func names(prefix: String) throws -> [String] {
    let directory = try #require(Bundle.module.resourceURL?.appendingPathComponent("Fixtures"))
    return try FileManager.default.contentsOfDirectory(atPath: directory.path)
      .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }
      .map { String($0.dropLast(5)) }.sorted()
  }

  /// The `{"shape", "data"}` object at `key` as a float64 tensor.
  func tensor(_ key: String) throws -> Tensor<Double> {
    try NNFixture.tensor(from: try #require(json[key], "no '\(key)'"))
  }

  /// A `{"shape", "data"}` object as a float64 tensor.
  static func tensor(from value: Any) throws -> Tensor<Double> {
    let object = try #require(value as? [String: Any], "not a tensor object")
    let shape = try #require(object["shape"] as? [Int], "tensor without a shape")
    let data = try #require(object["data"] as? [NSNumber], "tensor without data")
    return Tensor(shape: shape, scalars: data.map(\.doubleValue))
  }

  /// The tensors of a `{name: {"shape", "data"}}` object (a state dict).
  func tensors(_ key: String) throws -> [String: Tensor<Double>] {
    let object = try #require(json[key] as? [String: Any], "no '\(key)' object")
    return try object.mapValues { try NNFixture.tensor(from: $0) }
  }

  /// The list of tensors at `key` (`null` entries, for integer inputs' gradients, are `nil`).
  func tensorList(_ key: String) throws -> [Tensor<Double>?] {
    let list = try #require(json[key] as? [Any], "no '\(key)' list")
    return try list.map { $0 is NSNull ? nil : try NNFixture.tensor(from: $0) }
  }

  /// The `kwargs` object.
  var kwargs: [String: Any] { json["kwargs"] as? [String: Any] ?? [:] }
}

/// Expects `actual` to match `expected` element by element within `|a - e| <= rtol |e| + atol`
/// (FORMAT.md's float64 tolerances for layers and losses by default).
func expectClose(
  _ actual: Tensor<Double>, _ expected: Tensor<Double>, rtol: Double = 1e-9, atol: Double = 1e-12,
  _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(
    actual.shape == expected.shape, "\(what): shape \(actual.shape), expected \(expected.shape)",
    sourceLocation: sourceLocation)
  guard actual.shape == expected.shape else { return }
  let worst = zip(actual.scalars, expected.scalars).enumerated().first { _, pair in
    !(abs(pair.0 - pair.1) <= rtol * abs(pair.1) + atol)
  }
  #expect(
    worst == nil,
    "\(what): element \(worst?.offset ?? 0) is \(worst?.element.0 ?? 0), expected \(worst?.element.1 ?? 0)",
    sourceLocation: sourceLocation)
}
