/// The single formula behind every moving average in this folder, generic over the number type.
///
/// `v_t = beta v_{t-1} + (1 - beta) x_t`.
@inlinable
func ewmaUpdate<T: FloatingPoint>(_ previous: T, _ sample: T, beta: T) -> T {
  beta * previous + (1 - beta) * sample
}

/// Adam's bias correction: `v_t / (1 - beta^t)`, with `betaPower` = `beta^t`.
@inlinable
func ewmaBiasCorrected<T: FloatingPoint>(_ raw: T, betaPower: T) -> T {
  raw / (1 - betaPower)
}
