import Foundation

/// The fuzz targets, chosen by the environment variable `DESCENT_FUZZ_TARGET`.
enum FuzzTarget: String, CaseIterable {
  /// Safetensors checkpoints and model state files, loaded into a live run that then trains.
  case checkpoint
  /// CSV data sets, loaded, split and batched.
  case csv
  /// Conformance fixtures (JSON), run by the runner of their kind.
  case fixture
  /// Scheduler and optimizer options (`key=value` lines), built and stepped.
  case options

  /// Runs one input.
  func run(_ bytes: [UInt8]) {
    switch self {
    case .checkpoint: CheckpointFuzz.run(bytes)
    case .csv: CSVFuzz.run(bytes)
    case .fixture: FixtureFuzz.run(bytes)
    case .options: OptionsFuzz.run(bytes)
    }
  }

  /// The target `DESCENT_FUZZ_TARGET` names; exits with a message when it names none.
  static let selected: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["DESCENT_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
      let names = allCases.map(\.rawValue).joined(separator: ", ")
      FileHandle.standardError.write(Data("set DESCENT_FUZZ_TARGET to one of \(names)\n".utf8))
      exit(2)
    }
    return target
  }()
}

/// libFuzzer's entry point: runs the selected target on one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  FuzzTarget.selected.run(bytes)
  return 0
}

#if FUZZING
  /// The program's entry point in a fuzzing build (SwiftPM links `main` to it): hands the
  /// command line to libFuzzer's driver, which calls ``fuzzTestOneInput(_:_:)``.
  @_cdecl("descent_fuzz_main")
  func fuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
  ) -> CInt {
    typealias Driver =
      @convention(c) (
        UnsafeMutablePointer<CInt>,
        UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
      ) -> CInt
    guard let symbol = dlsym(nil, "LLVMFuzzerRunDriver") else {
      FileHandle.standardError.write(Data("libFuzzer's driver is not linked in\n".utf8))
      return 2
    }
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return unsafeBitCast(symbol, to: Driver.self)(&count, &arguments, fuzzTestOneInput)
  }
#else
  /// Without libFuzzer: `descent-fuzz TARGET FILE...` runs the target on each file (to replay a
  /// corpus or a crash under the debugger); `descent-fuzz --make-seeds FOLDER` writes the
  /// checkpoint target's seed corpus (binary files) into `FOLDER`.
  @main
  struct FuzzReplay {
    static func main() throws {
      let arguments = Array(CommandLine.arguments.dropFirst())
      if arguments.first == "--make-seeds", arguments.count == 2 {
        try CheckpointFuzz.writeSeeds(in: URL(fileURLWithPath: arguments[1]))
        return
      }
      guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
        print("usage: descent-fuzz (\(names)) FILE... | descent-fuzz --make-seeds FOLDER")
        exit(2)
      }
      for path in arguments.dropFirst() {
        target.run(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        print("ran \(path)")
      }
    }
  }
#endif
