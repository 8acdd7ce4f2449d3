import DescentTraining
import Foundation

/// A request for a test function's landscape (`/api/surface?function=NAME`): its values on a
/// grid over the drawn region, for the page to shade.
public struct SurfaceRequest: Equatable, Sendable {
  /// Grid columns.
  public static let columns = 100
  /// Grid rows.
  public static let rows = 80

  /// The function.
  public var surface: TestSurface

  /// The request in `query`.
  ///
  /// - Throws: ``ExplorerError`` for an unknown parameter or function.
  public init(query: String?) throws(ExplorerError) {
    let parameters = try QueryParameters(query, known: ["function"])
    surface = try PathsRequest.surface(parameters.text("function"))
  }

  /// `log10(1 + f)` at the centre of each grid cell, row by row from the bottom (low y), to four
  /// decimals; every test function is non-negative with minimum 0, so the shading suits all.
  public func response() -> SurfaceResponse {
    let region = surface.region
    let width = (region.x.upperBound - region.x.lowerBound) / Double(Self.columns)
    let height = (region.y.upperBound - region.y.lowerBound) / Double(Self.rows)
    let levels = (0..<Self.rows).map { row in
      (0..<Self.columns).map { column in
        let x = region.x.lowerBound + (Double(column) + 0.5) * width
        let y = region.y.lowerBound + (Double(row) + 0.5) * height
        return (log10(1 + surface.value(x, y)) * 1e4).rounded() / 1e4
      }
    }
    return SurfaceResponse(
      function: surface.rawValue, formula: ExplorerText.formula(surface),
      region: PathsResponse.Region(
        x: [region.x.lowerBound, region.x.upperBound],
        y: [region.y.lowerBound, region.y.upperBound]),
      levels: levels)
  }
}

/// What `/api/surface` sends back.
public struct SurfaceResponse: Codable, Equatable, Sendable {
  /// The function's name.
  public var function: String
  /// The function in plain text.
  public var formula: String
  /// The region the grid covers.
  public var region: PathsResponse.Region
  /// `log10(1 + f)` per cell: ``SurfaceRequest/rows`` rows from low y to high y, each of
  /// ``SurfaceRequest/columns`` values from low x to high x.
  public var levels: [[Double]]
}

/// Words the page shows beside the numbers.
enum ExplorerText {
  /// The function in plain text, with where its minima are.
  static func formula(_ surface: TestSurface) -> String {
    switch surface {
    case .rosenbrock: return "(1 − x)² + 100 (y − x²)²: a curved, narrow valley; minimum at (1, 1)"
    case .beale:
      return "(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²: plateaus and steep "
        + "walls; minimum at (3, 0.5)"
    case .saddle: return "x² + (y² − 1)²/4: a saddle at (0, 0) between minima at (0, ±1)"
    case .himmelblau: return "(x² + y − 11)² + (x + y² − 7)²: four minima"
    case .quadratic:
      return "(x² + 25 y²)/2: an ill-conditioned bowl (condition number 25); minimum at (0, 0)"
    }
  }
}
