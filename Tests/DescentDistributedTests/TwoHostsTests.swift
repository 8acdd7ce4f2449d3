import Foundation
import Testing

/// The 2-rank training run with each rank on its own "host": two network namespaces joined by a
/// veth pair, with Open MPI restricted to TCP on the veth (scripts/two-hosts/mpirun.sh, which
/// needs root, as CI has). A run without the rights fails with the script's instructions.
@Suite struct TwoHostsTests {
  /// The number of optimizer steps each run takes.
  static let steps = 20

  /// A short data-parallel run of the digits MLP.
  static let arguments = [
    "train", "--distributed", "--batch-size", "64", "--steps", "\(steps)", "--optimizer", "Adam",
    "--lr", "0.001",
  ]

  /// The lines of a run's output that report losses and accuracies, and the optimizer state.
  static func results(_ output: String) -> [Substring] {
    output.split(separator: "\n").filter {
      $0.hasPrefix("epoch ") || $0.hasPrefix("optimizer state elements per rank:")
    }
  }

  /// The parameter count a run printed ("… samples; N parameters").
  static func parameterCount(_ output: String) -> Int? {
    guard let line = output.split(separator: "\n").first(where: { $0.hasSuffix(" parameters") })
    else { return nil }
    return line.split(separator: " ").dropLast().last.flatMap { Int($0) }
  }

  /// The bytes each host's end of the veth received and sent, as the script printed them
  /// ("two-hosts: host-a descent0 rx_bytes=N tx_bytes=N").
  static func counters(_ output: String) -> [String: (received: Int, sent: Int)] {
    var counters: [String: (received: Int, sent: Int)] = [:]
    for line in output.split(separator: "\n") where line.hasPrefix("two-hosts: host-") {
      let words = line.split(separator: " ")
      guard words.count == 5 else { continue }
      let values = words[3...].compactMap { $0.split(separator: "=").last.flatMap { Int($0) } }
      if values.count == 2 { counters[String(words[1])] = (values[0], values[1]) }
    }
    return counters
  }

  /// The run over the veth prints what the run on one host prints, and the veth carried at least
  /// the gradient all-reduces.
  @Test func twoRanksOnTwoHostsTrainAsOnOneHostAndTheirGradientsCrossTheVeth() throws {
    let twoHosts = try MPILauncher.descentOnTwoHosts(Self.arguments)
    try #require(
      twoHosts.status == 0,
      """
      the two-host run failed (it needs root, or CAP_NET_ADMIN and CAP_SYS_ADMIN, to make network \
      namespaces: run the tests as root):
      \(twoHosts.output)
      """)
    let oneHost = try MPILauncher.descent(ranks: 2, Self.arguments)
    try #require(oneHost.status == 0, "\(oneHost.output)")

    // The same 2-rank run, bit for bit: a sum of two numbers does not depend on the transport.
    let results = Self.results(twoHosts.output)
    #expect(results.contains { $0.hasPrefix("epoch ") }, "\(twoHosts.output)")
    #expect(results == Self.results(oneHost.output), "\(twoHosts.output)\n\(oneHost.output)")

    // Each step all-reduces every gradient: whatever the algorithm, each rank must receive the
    // other's 4 bytes for every parameter, so each end of the veth sends and receives at least
    // steps × parameters × 4 bytes (measured: 2 to 7% more, for the start-up broadcast of the
    // weights, the loss totals, TCP/IP headers and Open MPI's own messages).
    let parameters = try #require(Self.parameterCount(twoHosts.output), "\(twoHosts.output)")
    let leastBytes = Self.steps * parameters * MemoryLayout<Float>.size
    let counters = Self.counters(twoHosts.output)
    try #require(counters.count == 2, "no veth counters in:\n\(twoHosts.output)")
    for (host, bytes) in counters {
      #expect(
        bytes.sent >= leastBytes, "\(host) sent \(bytes.sent) bytes, fewer than \(leastBytes)")
      #expect(
        bytes.received >= leastBytes,
        "\(host) received \(bytes.received) bytes, fewer than \(leastBytes)")
    }
  }
}
