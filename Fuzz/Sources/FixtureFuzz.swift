import DescentOptim
import Foundation

/// Fuzzes the conformance fixture reader: JSON of any kind, run by the runner of its `kind`.
enum FixtureFuzz {
  /// Runs `bytes` as a fixture; every failure must be a thrown error.
  static func run(_ bytes: [UInt8]) {
    let data = Data(bytes)
    _ = try? JSONDecoder().decode(JSONValue.self, from: data)
    struct Header: Decodable { let kind: String }
    guard let kind = try? JSONDecoder().decode(Header.self, from: data).kind,
      let runner = ConformanceRegistry.standard.runners[kind]
    else { return }
    _ = try? runner.run(data, options: ConformanceOptions())
  }
}
