/// What the fuzz targets (`Fuzz/`) reach inside checkpoint reading, outside the public API:
/// import with `@_spi(Fuzzing) import DescentOptim`.
@_spi(Fuzzing)
public enum CheckpointFuzzing {
  /// Parses `bytes` as a safetensors file of any dtype Descent reads, checksums checked; `true`
  /// when it is valid.
  public static func parses(_ bytes: [UInt8]) -> Bool {
    (try? SafetensorsArchive(
      bytes: bytes, path: "fuzz", dtypes: Set(SafetensorsArchive.DType.allCases))) != nil
  }

  /// The optimizer, scheduler and averaging rule a checkpoint's manifest names (checksums not
  /// checked), or `nil` when `bytes` is not a checkpoint with a valid manifest.
  public static func parts(of bytes: [UInt8]) -> (
    optimizer: String?, scheduler: String?, averaging: String?
  )? {
    guard
      let archive = try? SafetensorsArchive(bytes: bytes, path: "fuzz", verifyingChecksums: false),
      let manifest = try? CheckpointManifest.read(from: archive.metadata, path: "fuzz")
    else { return nil }
    return (manifest.optimizer?.name, manifest.scheduler?.kind, manifest.averaging?.rule)
  }
}
