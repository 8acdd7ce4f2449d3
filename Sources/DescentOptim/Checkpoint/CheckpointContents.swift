import Foundation

/// Which companions of the model a checkpoint file holds, read from its metadata without
/// loading any tensor: so that a run resuming from it can say what it would leave behind.
public struct CheckpointContents: Equatable, Sendable {
  /// The optimizer's class name, when its state was saved.
  public var optimizer: String?
  /// The learning-rate scheduler's class name, when its state was saved.
  public var scheduler: String?
  /// The weight-averaging rule (`exponential`, `running mean`), when an average was saved.
  public var averaging: String?
  /// The saved progress.
  public var progress: TrainingProgress

  /// The contents of the checkpoint at `url`.
  ///
  /// - Throws: ``CheckpointError`` when the file cannot be read or is not a Descent checkpoint.
  public init(of url: URL) throws {
    let archive = try SafetensorsArchive(bytes: try AtomicFile.read(url), path: url.path)
    let manifest = try CheckpointManifest.read(from: archive.metadata, path: url.path)
    optimizer = manifest.optimizer?.name
    scheduler = manifest.scheduler?.kind
    averaging = manifest.averaging?.rule
    progress = manifest.progress
  }
}
