import Foundation

/// Human-readable tables of benchmark rows.
public enum BenchReport {
  /// The step table: one line per optimizer and layout, beside the roofline.
  public static func stepTable(_ rows: [StepBenchRow]) -> String {
    var labels: [String] = []
    for figure in rows.flatMap(\.baselines) where !labels.contains(figure.label) {
      labels.append(figure.label)
    }
    let header =
      [
        "optimizer", "params", "ns/param", "GB/s", "roofline ns/param", "roofline GB/s", "ratio",
        "vs 1 tensor", "arena vs 1 tensor",
      ] + labels.flatMap { ["\($0) ns/param", "vs \($0)"] }
    let lines = rows.map { row in
      [
        row.optimizer, row.layout.description, fixed(row.nsPerParameter, 3),
        fixed(row.gigabytesPerSecond, 1), fixed(row.rooflineNsPerParameter, 3),
        fixed(row.rooflineGigabytesPerSecond, 1), fixed(row.rooflineRatio, 2),
        row.singleTensorRatio.map { fixed($0, 2) } ?? "-",
        row.arenaRatio.map { fixed($0, 2) } ?? "-",
      ]
        + labels.flatMap { label in
          guard let figure = row.baselines.first(where: { $0.label == label }) else {
            return ["-", "-"]
          }
          let implementation = figure.implementation.isEmpty ? "" : " \(figure.implementation)"
          return [fixed(figure.nsPerParameter, 3) + implementation, fixed(figure.ratio, 2)]
        }
    }
    return table(header: header, lines: lines)
  }

  /// The training table: samples per second and test accuracy per optimizer.
  public static func trainingTable(_ rows: [TrainingBenchRow]) -> String {
    throughputTable(
      "optimizer", rows.map { ($0.optimizer, $0.samplesPerSecond, $0.testAccuracy, $0.epochs) })
  }

  /// Rows of a name, samples per second, test accuracy and epochs under `name`.
  private static func throughputTable(
    _ name: String, _ rows: [(String, Double, Double, Int)]
  ) -> String {
    table(
      header: [name, "samples/s", "test accuracy", "epochs"],
      lines: rows.map {
        [$0.0, String(Int($0.1.rounded())), fixed(100 * $0.2, 1) + "%", String($0.3)]
      })
  }

  /// The engine rows: training steps in µs and samples/s, operations in µs and ns per element.
  public static func engineTable(steps: [EngineBenchRow], operations: [EngineBenchRow]) -> String {
    let stepLines = steps.map {
      [$0.name, fixed($0.microseconds, 1), String(Int($0.rate.rounded()))]
    }
    let operationLines = operations.map {
      [$0.name, fixed($0.microseconds, 1), fixed($0.rate, 3)]
    }
    return table(header: ["user model, Adam step", "us/step", "samples/s"], lines: stepLines)
      + "\n\n"
      + table(header: ["16M float32 op", "us", "ns/element"], lines: operationLines)
  }

  /// The workload rows: samples/s and test accuracy.
  public static func workloadTable(_ rows: [WorkloadRow]) -> String {
    throughputTable(
      "model", rows.map { ($0.model, $0.samplesPerSecond, $0.testAccuracy, $0.epochs) })
  }

  /// `value` with `digits` decimals.
  static func fixed(_ value: Double, _ digits: Int) -> String {
    String(format: "%.\(digits)f", value)
  }

  /// Columns padded to their widest cell: the first left-aligned, the others right-aligned.
  static func table(header: [String], lines: [[String]]) -> String {
    let all = [header] + lines
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    func format(_ cells: [String]) -> String {
      cells.enumerated().map { column, cell in
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        return column == 0 ? cell + padding : padding + cell
      }.joined(separator: "  ")
    }
    let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
    return ([format(header), rule] + lines.map(format)).joined(separator: "\n")
  }
}
