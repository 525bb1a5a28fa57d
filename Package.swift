// swift-tools-version:6.0
// memcache-forensics: why is one memcached host hotter than the others?
// Four staged executables over small libraries, one concern each; README.md's module table says what
// each does. This file reads as a table of contents: the C libraries, the libraries in dependency
// order, the four commands, the benchmarks and fuzzers, the tests.
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let nio: [Target.Dependency] = [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]

// ── C libraries from the system (Debian packages; Homebrew on a Mac) ──────────────────────
let systemLibraries: [Target] = [
    .systemLibrary(name: "CIsal", path: "Sources/CIsal", pkgConfig: "libisal", providers: [.apt(["libisal-dev"]), .brew(["isa-l"])]),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
]

// ── Libraries, each on the ones above it ──────────────────────────────────────────────────
let libraries: [Target] = [
    // bytes and text
    .target(name: "ByteText"),
    .target(name: "JSONText", dependencies: ["ByteText"]),
    .target(name: "Compression", dependencies: ["CIsal", "CZlib"]),
    // the records between the stages
    .target(name: "PipelineRecords", dependencies: ["ByteText", "JSONText"]),
    .target(name: "LineBlocks", dependencies: ["ByteText", "PipelineRecords"]),
    // keys: their families
    .target(name: "KeyFamilies", dependencies: ["ByteText"]),
    // collect: the protocol, the client, the dump
    .target(name: "MemcacheProtocol", dependencies: ["ByteText"]),
    .target(name: "MemcacheClient", dependencies: ["MemcacheProtocol", "WatchEvents"] + nio),
    .target(name: "DumpContainer", dependencies: ["ByteText", "JSONText", "Compression", crypto]),
    // decode: values and inputs
    .target(name: "SafePickle", dependencies: ["ByteText"]),
    .target(name: "RubyMarshal", dependencies: ["ByteText", "Compression"]),
    .target(name: "PHPValues", dependencies: ["ByteText", "Compression"]),
    .target(
        name: "CacheValues",
        dependencies: ["ByteText", "JSONText", "Compression", "SafePickle", "RubyMarshal", "PHPValues", "KeyFamilies", "PipelineRecords"]),
    .target(name: "DecodeInputs", dependencies: ["ByteText", "DumpContainer", "MemcacheProtocol", "PipelineRecords"]),
    // attribute and report
    // memcached's `watch` stream: its lines, whose connection an event came from, traffic per key
    .target(name: "WatchEvents", dependencies: ["ByteText"]),
    .target(name: "KeyPlacement", dependencies: ["ByteText", "Compression", crypto]),
    .target(name: "Attribution", dependencies: ["ByteText", "JSONText", "PipelineRecords", "KeyPlacement", "KeyFamilies", "LineBlocks"]),
    .target(name: "SkewAnalysis", dependencies: ["ByteText", "JSONText", "LineBlocks", "PipelineRecords", "KeyPlacement", "KeyFamilies"]),
    .target(name: "ReportRendering", dependencies: ["ByteText", "JSONText", "SkewAnalysis", "PipelineRecords"]),
    // every command's command line
    .target(name: "PipelineCLI", dependencies: ["ByteText", "KeyPlacement", "KeyFamilies", argumentParser]),
    // collect's capture of one host, and decode's pipeline
    .target(name: "Capture", dependencies: ["MemcacheClient", "MemcacheProtocol", "DumpContainer", "KeyPlacement", "PipelineCLI"]),
    .target(
        name: "DecodePipeline",
        dependencies: [
            "ByteText", "JSONText", "Compression", "DumpContainer", "PipelineRecords", "CacheValues", "DecodeInputs", "LineBlocks", "PipelineCLI",
            "KeyFamilies", "WatchEvents", crypto,
        ]),
]

// ── The four commands (thin @main targets) ───────────────────────────────────────────────
let commands: [Target] = [
    .executableTarget(
        name: "collect", dependencies: ["PipelineCLI", "KeyPlacement", "MemcacheClient", "MemcacheProtocol", "DumpContainer", "JSONText", "Capture"]),
    .executableTarget(
        name: "decode", dependencies: ["PipelineCLI", "SafePickle", "CacheValues", "DecodeInputs", "DecodePipeline", "KeyFamilies", argumentParser]),
    .executableTarget(name: "attribute", dependencies: ["PipelineCLI", "Attribution", "KeyPlacement", "PipelineRecords", "LineBlocks"]),
    .executableTarget(
        name: "report", dependencies: ["PipelineCLI", "SkewAnalysis", "ReportRendering", "PipelineRecords", "KeyPlacement", "LineBlocks", argumentParser]),
]

// ── Benchmarks and fuzzers (Benchmarks/README.md; not shipped) ─────────────────────────────
let benchmarks: [Target] = [
    .executableTarget(name: "container-bench", dependencies: ["DumpContainer"], path: "Benchmarks/container-bench"),
    .executableTarget(name: "inflate-bench", dependencies: ["Compression", "CZlib"], path: "Benchmarks/inflate-bench"),
    .executableTarget(name: "pickle-bench", dependencies: ["SafePickle"], path: "Benchmarks/pickle-bench"),
    .executableTarget(name: "pickle-fuzz", dependencies: ["SafePickle"], path: "Benchmarks/pickle-fuzz"),
    .executableTarget(name: "marshal-fuzz", dependencies: ["RubyMarshal"], path: "Benchmarks/marshal-fuzz"),
    .executableTarget(name: "php-fuzz", dependencies: ["PHPValues"], path: "Benchmarks/php-fuzz"),
    .executableTarget(
        name: "readers-fuzz",
        dependencies: ["DumpContainer", "PipelineRecords", "MemcacheProtocol", "Attribution", "SkewAnalysis", "DecodeInputs", "KeyPlacement", "LineBlocks"],
        path: "Benchmarks/readers-fuzz"),
]

// ── Tests (Tests/run; one target per library, plus the commands' end-to-end suites) ───────
let tests: [Target] = [
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(name: "ByteTextTests", dependencies: ["ByteText", "TestSupport"]),
    .testTarget(name: "JSONTextTests", dependencies: ["ByteText", "JSONText", "TestSupport"]),
    .testTarget(name: "CompressionTests", dependencies: ["Compression", "CZlib", "TestSupport"]),
    .testTarget(name: "PipelineRecordsTests", dependencies: ["ByteText", "JSONText", "PipelineRecords", "LineBlocks", "TestSupport"]),
    .testTarget(name: "MemcacheProtocolTests", dependencies: ["ByteText", "MemcacheProtocol"]),
    .testTarget(
        name: "CollectTests", dependencies: ["Capture", "MemcacheClient", "MemcacheProtocol", "DumpContainer", "KeyPlacement", "PipelineCLI", "TestSupport"]),
    .testTarget(name: "DumpContainerTests", dependencies: ["ByteText", "DumpContainer", "Compression", "TestSupport"]),
    .testTarget(name: "SafePickleTests", dependencies: ["SafePickle", "TestSupport"]),
    .testTarget(name: "RubyMarshalTests", dependencies: ["RubyMarshal", "ByteText", "Compression", "TestSupport"]),
    .testTarget(name: "PHPValuesTests", dependencies: ["PHPValues", "ByteText", "Compression", "TestSupport"]),
    .testTarget(name: "CacheValuesTests", dependencies: ["CacheValues", "DumpContainer", "TestSupport"]),
    .testTarget(name: "DecodePipelineTests", dependencies: ["DecodePipeline", "DecodeInputs", "CacheValues", "PipelineCLI", "TestSupport"]),
    .testTarget(name: "DecodeTests", dependencies: ["DumpContainer", "PipelineRecords", "TestSupport"]),
    .testTarget(name: "KeyFamiliesTests", dependencies: ["KeyFamilies", "TestSupport"]),
    .testTarget(name: "WatchEventsTests", dependencies: ["WatchEvents"]),
    .testTarget(name: "KeyPlacementTests", dependencies: ["ByteText", "KeyPlacement", "TestSupport"]),
    .testTarget(name: "AttributionTests", dependencies: ["Attribution", "KeyPlacement", "LineBlocks", "PipelineRecords", "TestSupport"]),
    .testTarget(name: "SkewAnalysisTests", dependencies: ["SkewAnalysis", "PipelineRecords", "KeyPlacement", "TestSupport"]),
    .testTarget(name: "ReportTests", dependencies: ["ReportRendering", "SkewAnalysis", "TestSupport"]),
    .testTarget(name: "PipelineCLITests", dependencies: ["PipelineCLI", "KeyPlacement", "TestSupport"]),
]

let package = Package(
    name: "memcache-forensics",
    // Linux (Debian 12 is what CI runs) and macOS 15 or later (Synchronization's Mutex and Atomic).
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "collect", targets: ["collect"]),
        .executable(name: "decode", targets: ["decode"]),
        .executable(name: "attribute", targets: ["attribute"]),
        .executable(name: "report", targets: ["report"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: systemLibraries + libraries + commands + benchmarks + tests
)
