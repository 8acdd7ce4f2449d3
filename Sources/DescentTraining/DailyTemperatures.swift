import DescentTensor
import Foundation

/// A seeded series of daily temperatures in °C, the classic data of the exponentially weighted
/// average lesson: a level far from zero (14–21 °C over May to August), a slow seasonal trend, and day-to-day
/// weather noise.
///
/// Day 1 is 1 May of a temperate year: the seasonal level is
/// `12 - 9 cos(2π (day + 105) / 365)` (coldest in mid-January, warmest in mid-July), and the
/// weather adds an AR(1) noise `e_t = 0.6 e_{t-1} + 2.4 z_t` with `z_t` standard normal from
/// `seed` (about 3 °C of spread).
public enum DailyTemperatures {
  /// The seasonal level on `day` (1 = 1 May), without weather.
  public static func seasonalLevel(day: Int) -> Double {
    12 - 9 * cos(2 * Double.pi * Double(day + 105) / 365)
  }

  /// `days` daily temperatures from `seed`; the same seed gives the same series.
  public static func make(days: Int, seed: UInt64) -> [Double] {
    var generator = SeededGenerator(seed: seed)
    var weather = 0.0
    return (0..<max(0, days)).map { index in
      weather = 0.6 * weather + 2.4 * generator.nextNormal()
      return seasonalLevel(day: index + 1) + weather
    }
  }
}
