import DescentTraining
import Testing

@Suite("Test surfaces")
struct TestSurfaceTests {
  /// Points spread over each surface's region.
  private func samplePoints(_ surface: TestSurface) -> [PlanePoint] {
    let (xs, ys) = surface.region
    return [0.13, 0.41, 0.77].flatMap { u in
      [0.21, 0.58, 0.93].map { v in
        PlanePoint(
          x: xs.lowerBound + u * (xs.upperBound - xs.lowerBound),
          y: ys.lowerBound + v * (ys.upperBound - ys.lowerBound))
      }
    }
  }

  /// The closed-form gradient agrees with central finite differences of the value.
  @Test(arguments: TestSurface.allCases)
  func gradientMatchesFiniteDifferences(_ surface: TestSurface) {
    let h = 1e-6
    for p in samplePoints(surface) {
      let (gx, gy) = surface.gradient(p.x, p.y)
      let fx = (surface.value(p.x + h, p.y) - surface.value(p.x - h, p.y)) / (2 * h)
      let fy = (surface.value(p.x, p.y + h) - surface.value(p.x, p.y - h)) / (2 * h)
      #expect(abs(gx - fx) <= 1e-5 * max(1, abs(fx)), "\(surface) d/dx at \(p)")
      #expect(abs(gy - fy) <= 1e-5 * max(1, abs(fy)), "\(surface) d/dy at \(p)")
    }
  }

  /// Every listed minimum has value 0 and a vanishing gradient; the surface is never negative.
  @Test(arguments: TestSurface.allCases)
  func minimaAreZeroAndStationary(_ surface: TestSurface) {
    for minimum in surface.minima {
      #expect(abs(surface.value(minimum.x, minimum.y)) < 1e-20)
      let (gx, gy) = surface.gradient(minimum.x, minimum.y)
      #expect(abs(gx) < 1e-9 && abs(gy) < 1e-9, "\(surface) at \(minimum)")
      #expect(surface.distanceToNearestMinimum(minimum) == 0)
    }
    for p in samplePoints(surface) { #expect(surface.value(p.x, p.y) >= 0) }
  }

  /// The default start lies in the drawn region and is not a minimum.
  @Test(arguments: TestSurface.allCases)
  func startIsInsideTheRegion(_ surface: TestSurface) {
    let start = surface.defaultStart
    #expect(surface.region.x.contains(start.x) && surface.region.y.contains(start.y))
    #expect(surface.distanceToNearestMinimum(start) > 0.5)
  }

  /// The saddle surface's origin is stationary but not a minimum.
  @Test func saddleHasAStationaryOrigin() {
    let (gx, gy) = TestSurface.saddle.gradient(0, 0)
    #expect(gx == 0 && gy == 0)
    #expect(TestSurface.saddle.value(0, 0) == 0.25)
  }

  /// With the default learning rates, Adam and Momentum end near a minimum of every surface
  /// within 500 steps (the pictures show converging paths).
  @Test(arguments: TestSurface.allCases)
  func defaultRatesMakeProgress(_ surface: TestSurface) throws {
    let runner = PathRunner(surface: surface, steps: 500)
    let start = surface.defaultStart
    for name in ["momentum", "adam"] {
      let recipe = try OptimizerRecipe.named(name)
      let path = try runner.run(recipe.withDefaultLR(runner.defaultLR(for: recipe)), from: start)
      #expect(path.points.count == 501)
      #expect(
        surface.distanceToNearestMinimum(path.end) < surface.distanceToNearestMinimum(start) / 3,
        "\(name) on \(surface)")
    }
  }

  /// A learning rate far too large gives a non-finite path that stops early, not a trap.
  @Test func divergenceStopsThePath() throws {
    let recipe = try OptimizerRecipe.named("sgd").withDefaultLR(1)
    let path = try PathRunner(surface: .rosenbrock, steps: 1000).run(
      recipe, from: TestSurface.rosenbrock.defaultStart)
    #expect(path.points.count < 1001)
    #expect(!path.end.isFinite)
  }
}
