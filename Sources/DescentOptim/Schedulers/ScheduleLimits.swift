/// Bounds on how far a schedule is traced in one go, so that a typo (1e9 epochs) is refused with
/// a message instead of running for hours: `descent schedule --epochs` and the `epochs` of a
/// scheduler fixture are at most ``maximumEpochs``.
public enum ScheduleLimits {
  /// The most epochs (or steps) a schedule is traced over.
  public static let maximumEpochs = 1_000_000
}
