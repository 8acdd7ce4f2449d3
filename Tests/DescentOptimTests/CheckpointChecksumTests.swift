import DescentNN
import Foundation
import Testing

@testable import DescentOptim

/// A safetensors file's header as JSON objects, its data, and the way back to bytes.
struct EditableSafetensors {
  var header: [String: Any]
  let data: [UInt8]

  init(_ bytes: [UInt8]) throws {
    let length = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
    header = try #require(
      try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any])
    data = Array(bytes[(8 + length)...])
  }

  /// The `__metadata__` map.
  var metadata: [String: String] {
    get { header["__metadata__"] as? [String: String] ?? [:] }
    set { header["__metadata__"] = newValue }
  }

  /// The Descent manifest, decoded, edited by `edit` and encoded again; the checksums are
  /// dropped, as in a file written before they existed.
  mutating func editManifest(_ edit: (inout [String: Any]) -> Void) throws {
    let text = try #require(metadata[CheckpointManifest.key])
    var manifest = try #require(
      try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    edit(&manifest)
    metadata[CheckpointManifest.key] = String(
      decoding: try JSONSerialization.data(withJSONObject: manifest), as: UTF8.self)
    metadata[TensorChecksums.key] = nil
  }

  /// The tensor names and their data ranges.
  var tensors: [(name: String, range: Range<Int>)] {
    header.compactMap { name, value in
      guard let info = value as? [String: Any], let offsets = info["data_offsets"] as? [Int]
      else { return nil }
      return (name, offsets[0]..<offsets[1])
    }.sorted { $0.range.lowerBound < $1.range.lowerBound }
  }

  var bytes: [UInt8] {
    get throws {
      var json = Array(try JSONSerialization.data(withJSONObject: header))
      while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
      let length = (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) }
      return length + json + data
    }
  }
}

/// The checkpoint of ``CheckpointFixture`` (Adam, a scheduler and an EMA after three steps,
/// saved at epoch 1) and the run to load it into.
private struct SavedRun {
  let fixture: CheckpointFixture

  init() throws { fixture = try CheckpointFixture() }

  var folder: URL { fixture.folder }
  var target: CheckpointRun { fixture.target }
  var bytes: [UInt8] { get throws { Array(try Data(contentsOf: fixture.file)) } }

  /// Loads `bytes` (written to a file of their own) into the target: the error thrown, `nil`
  /// when it loads. A failed load must leave the target as it was.
  func load(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws
    -> CheckpointError?
  {
    let url = folder.appendingPathComponent("edited.safetensors")
    try Data(bytes).write(to: url)
    let before = target.snapshot
    do {
      try target.checkpoint.load(from: url)
      return nil
    } catch let error as CheckpointError {
      #expect(target.snapshot == before, "the target changed", sourceLocation: sourceLocation)
      return error
    }
  }

  /// Whether the target holds exactly the saved state (its own data generator aside, which is
  /// not part of a checkpoint).
  var restored: Bool {
    let (loaded, original) = (target.snapshot, fixture.saved.snapshot)
    return loaded.weights == original.weights && loaded.averages == original.averages
      && loaded.optimizer == original.optimizer && loaded.scheduler == original.scheduler
      && loaded.nAveraged == original.nAveraged
  }

  func remove() { fixture.remove() }
}

@Suite struct CheckpointChecksumTests {
  /// zlib's CRC-32 check value, and the eight-byte loop against the byte-at-a-time definition.
  @Test func crc32MatchesZlib() {
    #expect(CRC32(Array("123456789".utf8)).value == 0xCBF4_3926)
    #expect(CRC32([UInt8]()).value == 0)
    let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ $0 >> 3) }
    var reference: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      reference ^= UInt32(byte)
      for _ in 0..<8 {
        reference = reference & 1 == 1 ? (reference >> 1) ^ 0xEDB8_8320 : reference >> 1
      }
    }
    for cut in [0, 1, 7, 8, 9, 999, 1000] {
      var crc = CRC32(bytes[..<cut])
      crc.update(bytes[cut...])
      #expect(crc.value == ~reference, "cut at \(cut)")
    }
    #expect(TensorChecksums.hex(0xA) == "0000000a")
  }

  /// A flipped byte in any tensor's data is an error naming the tensor and the file; nothing
  /// is loaded.
  @Test func flippedTensorBytesAreRejected() throws {
    let run = try SavedRun()
    defer { run.remove() }
    let bytes = try run.bytes
    let file = try EditableSafetensors(bytes)
    #expect(file.metadata[TensorChecksums.key] != nil)
    let dataStart = bytes.count - file.data.count
    #expect(file.tensors.count > 10)
    for (name, range) in file.tensors {
      var damaged = bytes
      damaged[dataStart + range.lowerBound + range.count / 2] ^= 0x10
      let error = try #require(try run.load(damaged), "\(name)")
      guard case .checksumMismatch(let path, name, _, _) = error else {
        Issue.record("\(name): \(error)")
        continue
      }
      #expect(path.hasSuffix("edited.safetensors"))
      #expect(error.description.contains("tensor '\(name)'"))
      #expect(error.description.contains(path) && error.description.contains("damaged"))
    }
    #expect(try run.load(bytes) == nil)
    #expect(run.restored)
  }

  /// A changed character in the manifest (the epoch) is caught by the metadata's checksum.
  @Test func editedMetadataIsRejected() throws {
    let run = try SavedRun()
    defer { run.remove() }
    var bytes = try run.bytes
    let pattern = Array(#"\"epoch\":1"#.utf8)
    let start = try #require(
      (0...(bytes.count - pattern.count)).first {
        bytes[$0..<($0 + pattern.count)].elementsEqual(pattern)
      })
    bytes[start + pattern.count - 1] = UInt8(ascii: "7")
    let error = try #require(try run.load(bytes))
    #expect(error.description.contains("its metadata does not match the checksum"), "\(error)")
  }

  /// A checkpoint written before checksums existed loads, and restores the run exactly.
  @Test func checkpointsWithoutChecksumsLoad() throws {
    let run = try SavedRun()
    defer { run.remove() }
    var file = try EditableSafetensors(try run.bytes)
    file.metadata[TensorChecksums.key] = nil
    #expect(try run.load(try file.bytes) == nil)
    #expect(run.restored)
  }

  /// Malformed checksums: not JSON, a tensor without one, one for no tensor, not hex.
  @Test func malformedChecksumsAreRejected() throws {
    let run = try SavedRun()
    defer { run.remove() }
    let file = try EditableSafetensors(try run.bytes)
    let sums = try #require(
      try JSONSerialization.jsonObject(with: Data(file.metadata[TensorChecksums.key]!.utf8))
        as? [String: String])
    let first = try #require(file.tensors.first?.name)
    var missing = sums
    missing[first] = nil
    var stray = sums
    stray["model.ghost"] = "00000000"
    var notHex = sums
    notHex[first] = "+1234567"
    let cases: [(String, String)] = [
      ("[1, 2]", "not a JSON map"),
      (try json(missing), "'\(first)' has no checksum"),
      (try json(stray), "checksum for 'model.ghost', which is not a tensor"),
      (try json(notHex), "not 8 lowercase hex digits"),
    ]
    for (text, expected) in cases {
      var edited = file
      edited.metadata[TensorChecksums.key] = text
      let error = try #require(try run.load(try edited.bytes), "\(expected)")
      #expect(error.description.contains(expected), "\(error)")
    }
  }

  /// Counts out of range in the manifest are refused as corrupted, naming the field: epochs of
  /// Int.max or -5, steps of Int.max, a negative average count, an impossible state shape.
  @Test func outOfRangeCountsAreRejected() throws {
    let run = try SavedRun()
    defer { run.remove() }
    let file = try EditableSafetensors(try run.bytes)
    typealias Edit = (inout [String: Any]) -> Void
    func progress(_ key: String, _ value: Int) -> Edit {
      { manifest in
        var progress = manifest["progress"] as! [String: Any]
        progress[key] = value
        manifest["progress"] = progress
      }
    }
    func optimizerState(_ key: String, _ value: Any) -> Edit {
      { manifest in
        var optimizer = manifest["optimizer"] as! [String: Any]
        var state = optimizer["state"] as! [[String: Any]]
        state[0][key] = value
        optimizer["state"] = state
        manifest["optimizer"] = optimizer
      }
    }
    let cases: [(Edit, String)] = [
      (progress("epoch", Int.max), "progress.epoch \(Int.max), outside 0...1000000000"),
      (progress("epoch", -5), "progress.epoch -5"),
      (progress("step", Int.max), "progress.step \(Int.max)"),
      (optimizerState("step", Int.max), "optimizer.state[0].step \(Int.max)"),
      (optimizerState("step", -1), "optimizer.state[0].step -1"),
      (optimizerState("shape", [2_147_483_647, 2_147_483_647]), "element count of optimizer"),
      (optimizerState("index", -3), "optimizer.state.index -3"),
      (
        { manifest in
          var averaging = manifest["averaging"] as! [String: Any]
          averaging["nAveraged"] = -1
          manifest["averaging"] = averaging
        }, "averaging.nAveraged -1"
      ),
    ]
    for (edit, expected) in cases {
      var edited = file
      try edited.editManifest(edit)
      let error = try #require(try run.load(try edited.bytes), "\(expected)")
      guard case .corrupted = error else {
        Issue.record("\(expected): \(error)")
        continue
      }
      #expect(error.description.contains(expected), "\(error)")
    }
    // The unedited manifest, without checksums, still loads: the edits are what is refused.
    var plain = file
    try plain.editManifest { _ in }
    #expect(try run.load(try plain.bytes) == nil)
  }

  /// A tensor of shape [2147483647, 2147483647] is refused by the reader before any allocation.
  @Test func hugeShapesAreRejected() throws {
    let run = try SavedRun()
    defer { run.remove() }
    var file = try EditableSafetensors(try run.bytes)
    let name = try #require(file.tensors.first?.name)
    var info = try #require(file.header[name] as? [String: Any])
    info["shape"] = [2_147_483_647, 2_147_483_647]
    file.header[name] = info
    let error = try #require(try run.load(try file.bytes))
    #expect(error.description.contains("shape [2147483647, 2147483647]"), "\(error)")
  }

  /// NaN or infinity in a stored tensor (a file not written by a healthy run) is refused with
  /// the tensor's name and the element.
  @Test func nonFiniteValuesAreRejected() throws {
    let run = try SavedRun()
    defer { run.remove() }
    let bytes = try run.bytes
    let file = try EditableSafetensors(bytes)
    let dataStart = bytes.count - file.data.count
    for prefix in ["model.", "optimizer.", "averaging."] {
      let (name, range) = try #require(file.tensors.first { $0.name.hasPrefix(prefix) })
      var damaged = bytes
      let nan = Double.nan.bitPattern
      for index in 0..<8 {
        damaged[dataStart + range.lowerBound + 8 + index] = UInt8(
          truncatingIfNeeded: nan >> (8 * index))
      }
      var edited = try EditableSafetensors(damaged)
      edited.metadata[TensorChecksums.key] = nil
      let error = try #require(try run.load(try edited.bytes), "\(name)")
      #expect(error.description.contains("tensor '\(name)' holds nan at element 1"), "\(error)")
    }
  }

  /// Model state files carry checksums too; PyTorch reads them unchanged (extra metadata), and a
  /// flipped byte is an error naming the key.
  @Test func modelStateFilesAreChecked() throws {
    let folder = try checkpointFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("net.safetensors")
    let net = CheckpointNet(seed: 1)
    try ModelStateFile.save(net, to: url)
    var bytes = Array(try Data(contentsOf: url))
    let file = try EditableSafetensors(bytes)
    #expect(file.metadata["format"] == "pt" && file.metadata[TensorChecksums.key] != nil)
    let (name, range) = try #require(file.tensors.last)
    bytes[bytes.count - file.data.count + range.lowerBound] ^= 1
    try Data(bytes).write(to: url)
    #expect {
      try ModelStateFile.load(into: CheckpointNet(seed: 2), from: url)
    } throws: { error in
      guard case .corrupted(let path, let reason) = error as? ModelStateError else { return false }
      return path == url.path && reason.contains("tensor '\(name)'") && reason.contains("CRC-32")
    }
  }
}

/// Removes the checksums from the safetensors file at `url`, as PyTorch (or Descent before
/// checksums) would have written it.
func removeChecksums(at url: URL) throws {
  var file = try EditableSafetensors(Array(try Data(contentsOf: url)))
  file.metadata[TensorChecksums.key] = nil
  try Data(try file.bytes).write(to: url)
}

/// `object` as JSON text.
private func json(_ object: [String: String]) throws -> String {
  String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}
