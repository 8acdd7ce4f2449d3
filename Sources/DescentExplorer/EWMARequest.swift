import DescentOptim
import DescentTraining

/// A request for daily temperatures and their exponentially weighted moving averages
/// (`/api/ewma?beta=0.9&days=100&seed=0`), started the three ways of ``EWMAConvention``.
public struct EWMARequest: Equatable, Sendable {
  /// The most days a request may ask for.
  public static let maximumDays = 1000

  /// The smoothing factor, in [0, 1).
  public var beta: Double
  /// Number of days.
  public var days: Int
  /// The seed of the weather noise.
  public var seed: UInt64

  /// The request in `query`.
  ///
  /// - Throws: ``ExplorerError`` for an unknown parameter or a value out of range.
  public init(query: String?) throws(ExplorerError) {
    let parameters = try QueryParameters(query, known: ["beta", "days", "seed"])
    beta = try parameters.fraction("beta", default: 0.9)
    days = try parameters.integer("days", in: 1...Self.maximumDays, default: 100)
    seed = UInt64(try parameters.integer("seed", in: 0...1_000_000, default: 0))
  }

  /// The temperatures (``DailyTemperatures``) and one average per convention, computed by
  /// DescentOptim's `ewma(_:beta:convention:)`.
  public func response() throws(ExplorerError) -> EWMAResponse {
    let data = DailyTemperatures.make(days: days, seed: seed)
    var curves: [EWMAResponse.Curve] = []
    for convention in EWMAConvention.allCases {
      do {
        curves.append(
          EWMAResponse.Curve(
            convention: convention.rawValue, label: convention.legendText,
            values: try ewma(data, beta: beta, convention: convention)))
      } catch {
        throw ExplorerError("\(error)")
      }
    }
    return EWMAResponse(beta: beta, temperatures: data, curves: curves)
  }
}

/// What `/api/ewma` sends back.
public struct EWMAResponse: Codable, Equatable, Sendable {
  /// One average.
  public struct Curve: Codable, Equatable, Sendable {
    /// The convention's name, e.g. `bias-corrected`.
    public var convention: String
    /// Legend text, e.g. `zero start, bias-corrected`.
    public var label: String
    /// One value per day.
    public var values: [Double]
  }

  /// The smoothing factor.
  public var beta: Double
  /// One temperature (°C) per day, day 1 first.
  public var temperatures: [Double]
  /// The averages: first-value start, zero start, zero start bias-corrected.
  public var curves: [Curve]
}
