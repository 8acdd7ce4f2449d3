// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "Descent",
  platforms: [.macOS(.v14)],
  products: [
    // `import Descent`: tensors, layers, optimizers, data and the training loop; no cairo, no MPI.
    .library(name: "Descent", targets: ["Descent"]),
    // Figures (line, scatter, contour) to PNG, SVG and PDF; needs cairo.
    .library(name: "DescentPlot", targets: ["DescentPlot"]),
    // Data-parallel training and ZeRO over Open MPI (loaded at run time).
    .library(name: "DescentDistributed", targets: ["DescentDistributed"]),
    .executable(name: "descent", targets: ["descent"]),
    // No product for the explorer (`swift run descent-serve` runs its executable target): a
    // package that depends on Descent then resolves neither Hummingbird nor its dependencies.
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
  ],
  targets: [
    .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CCairo", path: "Sources/CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
    .target(name: "DescentTensor", dependencies: ["CBLAS", .product(name: "RealModule", package: "swift-numerics")]),
    .target(name: "DescentNN", dependencies: ["DescentTensor"]),
    // Whole-register vector arithmetic for the optimizers' update rules (C vector extensions).
    .target(name: "CLanes"),
    .target(name: "DescentOptim", dependencies: ["DescentNN", "CLanes"]),
    .target(name: "DescentData", dependencies: ["DescentTensor"], resources: [.copy("Resources/digits.csv")]),
    .target(name: "DescentPlot", dependencies: ["CCairo"]),
    .target(name: "DescentTraining", dependencies: ["DescentOptim", "DescentData"]),
    .target(name: "DescentDistributed", dependencies: ["DescentTraining"]),
    .target(
      name: "Descent",
      dependencies: [
        "DescentTensor", "DescentNN", "DescentOptim", "DescentData", "DescentTraining",
      ]),
    .target(name: "DescentExplorer", dependencies: ["DescentTraining"]),
    .executableTarget(
      name: "descent-serve",
      dependencies: [
        "DescentExplorer", .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/DescentServe"),
    .executableTarget(
      name: "descent",
      dependencies: [
        "DescentTensor", "DescentNN", "DescentOptim", "DescentData", "DescentPlot", "DescentTraining",
        "DescentDistributed", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .executableTarget(
      name: "descent-mpi-check", dependencies: ["DescentDistributed", "DescentTensor"],
      path: "Sources/DescentMPICheck"),
    .executableTarget(
      name: "descent-fuzz", dependencies: ["DescentOptim", "DescentData"], path: "Fuzz/Sources"),
    .target(name: "AllocationCounter"),
    .executableTarget(
      name: "descent-allocation-check", dependencies: ["AllocationCounter", "DescentTraining"],
      path: "Sources/DescentAllocationCheck"),
    .testTarget(name: "DescentTensorTests", dependencies: ["DescentTensor"]),
    .testTarget(name: "DescentNNTests", dependencies: ["DescentNN"], resources: [.copy("Fixtures")]),
    .testTarget(name: "DescentOptimTests", dependencies: ["DescentOptim"], resources: [.copy("Fixtures")]),
    .testTarget(name: "DescentDataTests", dependencies: ["DescentData", "DescentNN"]),
    .testTarget(name: "DescentTrainingTests", dependencies: ["DescentTraining"]),
    .testTarget(name: "DescentPlotTests", dependencies: ["DescentPlot"]),
    .testTarget(name: "DescentCLITests", dependencies: ["descent", "DescentPlot", "DescentTraining", "CCairo"]),
    .testTarget(name: "DescentTests", dependencies: ["Descent"]),
    .testTarget(
      name: "DescentServeTests", dependencies: ["DescentExplorer", "descent-serve", "descent"]),
    .testTarget(
      name: "DescentDistributedTests", dependencies: ["DescentDistributed", "descent", "descent-mpi-check"]),
  ],
  swiftLanguageModes: [.v6]
)
