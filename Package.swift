// swift-tools-version:6.0
// memcache-forensics: why is one memcached host hotter than the others?
// Four staged executables over small libraries; see the module table in README.md.
import PackageDescription

let package = Package(
    name: "memcache-forensics",
    platforms: [.macOS(.v13)],
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
    targets: [
        // ── System library ──────────────────────────────────────────────
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CIsal", path: "Sources/CIsal", pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"]), .brew(["isa-l"])]),

        // ── Libraries (one concern each) ────────────────────────────────
        .target(name: "ByteText"),
        .target(name: "JSONText", dependencies: ["ByteText"]),
        .target(name: "Compression", dependencies: ["CIsal", "CZlib"]),
        .target(name: "PipelineRecords", dependencies: ["ByteText", "JSONText"]),
        .target(name: "LineBlocks", dependencies: ["PipelineRecords"]),
        .target(name: "MemcacheProtocol", dependencies: ["ByteText"]),
        .target(
            name: "MemcacheClient",
            dependencies: [
                "MemcacheProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .target(
            name: "DumpContainer",
            dependencies: ["ByteText", "JSONText", "Compression", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "SafePickle", dependencies: ["ByteText"]),
        .target(name: "CacheValues", dependencies: ["ByteText", "JSONText", "Compression", "SafePickle", "PipelineRecords"]),
        .target(name: "DecodeInputs", dependencies: ["ByteText", "DumpContainer", "PipelineRecords"]),
        .target(
            name: "KeyPlacement",
            dependencies: ["ByteText", "Compression", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Attribution", dependencies: ["ByteText", "JSONText", "PipelineRecords", "KeyPlacement", "LineBlocks"]),
        .target(name: "SkewAnalysis", dependencies: ["ByteText", "JSONText", "PipelineRecords", "KeyPlacement"]),
        .target(name: "ReportRendering", dependencies: ["ByteText", "JSONText", "SkewAnalysis", "PipelineRecords"]),
        .target(
            name: "PipelineCLI",
            dependencies: ["ByteText", "KeyPlacement", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // ── Executables (thin @main commands) ───────────────────────────
        .executableTarget(
            name: "collect",
            dependencies: ["PipelineCLI", "KeyPlacement", "MemcacheClient", "MemcacheProtocol", "DumpContainer", "JSONText"]),
        .executableTarget(
            name: "decode",
            dependencies: [
                "PipelineCLI", "ByteText", "JSONText", "SafePickle", "DumpContainer", "PipelineRecords", "CacheValues", "DecodeInputs", "LineBlocks",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),

        // ── Benchmarks (print figures; not tests) ───────────────────────
        .executableTarget(name: "container-bench", dependencies: ["DumpContainer"], path: "Benchmarks/container-bench"),
        .executableTarget(name: "inflate-bench", dependencies: ["Compression", "CZlib"], path: "Benchmarks/inflate-bench"),

        .executableTarget(
            name: "attribute", dependencies: ["PipelineCLI", "Attribution", "KeyPlacement", "PipelineRecords", "LineBlocks"]),
        .executableTarget(
            name: "report",
            dependencies: [
                "PipelineCLI", "SkewAnalysis", "ReportRendering", "PipelineRecords", "KeyPlacement", "LineBlocks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // ── Benchmarks and fuzzing (not shipped) ───────────────────────
        .executableTarget(name: "pickle-bench", dependencies: ["SafePickle"], path: "Benchmarks/pickle-bench"),
        .executableTarget(name: "pickle-fuzz", dependencies: ["SafePickle"], path: "Benchmarks/pickle-fuzz"),
        .executableTarget(
            name: "readers-fuzz",
            dependencies: ["DumpContainer", "PipelineRecords", "MemcacheProtocol", "Attribution", "SkewAnalysis", "DecodeInputs", "KeyPlacement"],
            path: "Benchmarks/readers-fuzz"),

        // ── Tests ───────────────────────────────────────────────────────
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "PipelineCLITests", dependencies: ["PipelineCLI", "KeyPlacement", "TestSupport"]),
        .testTarget(name: "CompressionTests", dependencies: ["Compression", "CZlib", "TestSupport"]),
        .testTarget(name: "DumpContainerTests", dependencies: ["ByteText", "DumpContainer", "Compression", "TestSupport"]),
        .testTarget(name: "MemcacheProtocolTests", dependencies: ["ByteText", "MemcacheProtocol"]),
        .testTarget(
            name: "CollectTests",
            dependencies: ["MemcacheClient", "MemcacheProtocol", "DumpContainer", "TestSupport"]),
        .testTarget(name: "SafePickleTests", dependencies: ["SafePickle", "TestSupport"]),
        .testTarget(name: "KeyPlacementTests", dependencies: ["ByteText", "KeyPlacement", "TestSupport"]),
        .testTarget(name: "ByteTextTests", dependencies: ["ByteText", "TestSupport"]),
        .testTarget(name: "JSONTextTests", dependencies: ["ByteText", "JSONText", "TestSupport"]),
        .testTarget(name: "PipelineRecordsTests", dependencies: ["ByteText", "JSONText", "PipelineRecords", "LineBlocks", "TestSupport"]),
        .testTarget(name: "CacheValuesTests", dependencies: ["CacheValues", "DumpContainer", "TestSupport"]),
        .testTarget(name: "AttributionTests", dependencies: ["Attribution", "KeyPlacement", "PipelineRecords", "TestSupport"]),
        .testTarget(name: "SkewAnalysisTests", dependencies: ["SkewAnalysis", "PipelineRecords", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["ReportRendering", "SkewAnalysis", "TestSupport"]),
        .testTarget(name: "DecodeTests", dependencies: ["DumpContainer", "PipelineRecords", "TestSupport"]),
    ]
)
