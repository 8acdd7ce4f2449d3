import Foundation

/// How to run fixtures.
public struct ConformanceOptions: Sendable {
  /// The path element-wise optimizers use.
  public var kernelPath: KernelPath

  /// Options with the given kernel path (vectorized by default).
  public init(kernelPath: KernelPath = .vectorized) { self.kernelPath = kernelPath }
}

/// Checks fixtures of one `kind`.
public protocol FixtureRunner: Sendable {
  /// The fixture kind handled (`"optimizer"`, `"trajectory"`, ...).
  var kind: String { get }
  /// Checks the fixture held in `data` (its JSON text).
  func run(_ data: Data, options: ConformanceOptions) throws -> ConformanceResult
}

/// The runners by fixture kind; `standard` holds those the library provides, and other kinds
/// plug in with ``registering(_:)``.
public struct ConformanceRegistry: Sendable {
  /// The runners by kind.
  public private(set) var runners: [String: any FixtureRunner] = [:]

  /// A registry of the given runners.
  public init(_ runners: [any FixtureRunner] = []) {
    for runner in runners { self.runners[runner.kind] = runner }
  }

  /// The runners Descent provides.
  public static var standard: ConformanceRegistry {
    ConformanceRegistry([
      OptimizerFixtureRunner(), TrajectoryFixtureRunner(), LBFGSFixtureRunner(),
      SchedulerFixtureRunner(), EWMAFixtureRunner(), LayerFixtureRunner(),
      LossFixtureRunner(), TrainingFixtureRunner(),
    ])
  }

  /// This registry with `runner` added (replacing one of the same kind).
  public func registering(_ runner: any FixtureRunner) -> ConformanceRegistry {
    var copy = self
    copy.runners[runner.kind] = runner
    return copy
  }

  /// Reads the fixture at `url` and checks it with the runner of its `kind`.
  ///
  /// - Throws: ``ConformanceError`` when the file cannot be read, has no known kind, or is
  ///   malformed.
  public func run(fixtureAt url: URL, options: ConformanceOptions = ConformanceOptions()) throws
    -> ConformanceResult
  {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw ConformanceError.unreadable(path: url.path, reason: error.localizedDescription)
    }
    struct Header: Decodable { let kind: String }
    let header: Header
    do {
      header = try JSONDecoder().decode(Header.self, from: data)
    } catch DecodingError.dataCorrupted(let context) {
      let detail = context.underlyingError.map { ": \($0.localizedDescription)" } ?? ""
      throw ConformanceError.unreadable(path: url.path, reason: "it is not valid JSON\(detail)")
    } catch {
      throw ConformanceError.unreadable(path: url.path, reason: "no 'kind' field (\(error))")
    }
    guard let runner = runners[header.kind] else { throw ConformanceError.unknownKind(header.kind) }
    return try runner.run(data, options: options)
  }
}

/// Decodes a fixture, turning decoding errors into ``ConformanceError``.
func decodeFixture<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
  do {
    return try JSONDecoder().decode(type, from: data)
  } catch let DecodingError.keyNotFound(key, _) {
    throw ConformanceError.invalidField(key.stringValue, "missing")
  } catch let DecodingError.typeMismatch(_, context) {
    let path = context.codingPath.map(\.stringValue).joined(separator: ".")
    throw ConformanceError.invalidField(path, context.debugDescription)
  } catch {
    throw ConformanceError.invalidField("(file)", "\(error)")
  }
}
