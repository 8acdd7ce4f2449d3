import Foundation
import Testing

@testable import DescentOptim

/// The process id of a process that has exited (a finished `/bin/true`).
private func exitedProcessID() throws -> Int32 {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/true")
  try process.run()
  process.waitUntilExit()
  return process.processIdentifier
}

/// The names in `folder` that look like temporary files.
private func temporaries(in folder: URL) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
    .sorted()
}

@Suite struct AtomicFileTests {
  /// Temporary files a killed writer left beside the same destination are removed by the next
  /// write: those of a process that is gone, and those over an hour old; others stay.
  @Test func orphanedTemporariesAreRemoved() throws {
    let folder = try checkpointFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("run.safetensors")
    let dead = try exitedProcessID()
    let orphan = ".run.safetensors.tmp-\(dead)-12345"
    let old = ".run.safetensors.tmp-1-777"
    let live = ".run.safetensors.tmp-1-888"
    let otherTarget = ".other.safetensors.tmp-\(dead)-1"
    let notOurs = ".run.safetensors.tmp-notes"
    for name in [orphan, old, live, otherTarget, notOurs] {
      try Data("partial".utf8).write(to: folder.appendingPathComponent(name))
    }
    try FileManager.default.setAttributes(
      [.modificationDate: Date(timeIntervalSinceNow: -2 * AtomicFile.staleAge)],
      ofItemAtPath: folder.appendingPathComponent(old).path)
    try AtomicFile.write(Array("new".utf8), to: url)
    #expect(try Data(contentsOf: url) == Data("new".utf8))
    #expect(try temporaries(in: folder) == [otherTarget, live, notOurs].sorted())
  }

  /// A symbolic link is written through: the link stays, its target gets the bytes (also through
  /// a relative link and a chain of links), and keeps its permissions.
  @Test func symbolicLinksAreWrittenThrough() throws {
    let folder = try checkpointFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let manager = FileManager.default
    let targets = folder.appendingPathComponent("targets")
    try manager.createDirectory(at: targets, withIntermediateDirectories: false)
    let target = targets.appendingPathComponent("real.safetensors")
    try Data("old".utf8).write(to: target)
    try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target.path)
    let link = folder.appendingPathComponent("link.safetensors")
    try manager.createSymbolicLink(
      atPath: link.path, withDestinationPath: "targets/real.safetensors")
    let chain = folder.appendingPathComponent("chain.safetensors")
    try manager.createSymbolicLink(atPath: chain.path, withDestinationPath: link.path)
    try AtomicFile.write(Array("through".utf8), to: chain)
    #expect(try manager.destinationOfSymbolicLink(atPath: chain.path) == link.path)
    #expect(try manager.destinationOfSymbolicLink(atPath: link.path) == "targets/real.safetensors")
    #expect(try Data(contentsOf: target) == Data("through".utf8))
    let permissions = try manager.attributesOfItem(atPath: target.path)[.posixPermissions] as? Int
    #expect(permissions == 0o600)
    #expect(try temporaries(in: folder).isEmpty && temporaries(in: targets).isEmpty)
  }

  /// Devices, FIFOs, folders and links to them are refused, and stay what they were.
  @Test func specialFilesAreRefused() throws {
    let folder = try checkpointFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let fifo = folder.appendingPathComponent("fifo")
    #expect(mkfifo(fifo.path, 0o644) == 0)
    let nullLink = folder.appendingPathComponent("null.safetensors")
    try FileManager.default.createSymbolicLink(
      atPath: nullLink.path, withDestinationPath: "/dev/null")
    let cases: [(URL, String)] = [
      (URL(fileURLWithPath: "/dev/null"), "a character device"), (fifo, "a FIFO"),
      (folder, "a folder"), (nullLink, "a character device"),
    ]
    for (url, kind) in cases {
      #expect {
        try AtomicFile.write([1, 2, 3], to: url)
      } throws: { error in
        guard case .io(let path, "replace the file", let reason) = error as? CheckpointError
        else { return false }
        return path == url.path && reason.contains(kind) && reason.contains("not a regular file")
      }
    }
    var info = stat()
    #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    #expect(lstat(fifo.path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
    #expect(try temporaries(in: folder).isEmpty)
  }

  /// A loop of links is an error, not a hang.
  @Test func linkLoopsAreAnError() throws {
    let folder = try checkpointFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let a = folder.appendingPathComponent("a")
    let b = folder.appendingPathComponent("b")
    try FileManager.default.createSymbolicLink(atPath: a.path, withDestinationPath: b.path)
    try FileManager.default.createSymbolicLink(atPath: b.path, withDestinationPath: a.path)
    #expect {
      try AtomicFile.write([1], to: a)
    } throws: { error in
      "\(error)".contains("too many levels of symbolic links")
    }
  }
}
