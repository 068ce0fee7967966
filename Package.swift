// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "callvault",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "callvault", targets: ["callvault"]),
        .library(name: "CallvaultArchive", targets: ["CallvaultArchive"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", exact: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
    ],
    targets: [
        // zlib from the system (zlib1g-dev), with inline shims for the macros Swift cannot import.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "CallvaultModel", swiftSettings: strict),
        .target(name: "CallvaultIngest", dependencies: ["CallvaultModel"], swiftSettings: strict),
        .target(name: "CallvaultPolicy", dependencies: ["CallvaultModel"], swiftSettings: strict),
        // The spool's files: upload names, masked names, destroying, scrubbing, redacted copies.
        .target(name: "CallvaultSpool", dependencies: ["CallvaultModel", "CallvaultIngest", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),
        // `callvault.toml`: the settings and their reader.
        .target(name: "CallvaultConfiguration", dependencies: ["CallvaultModel", "CallvaultIngest", "CallvaultPolicy"], swiftSettings: strict),
        .target(
            name: "CallvaultAccess",
            dependencies: [.product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // The one zlib wrapper (deflate, inflate, CRC-32) of the blob store and the export ZIP.
        .target(name: "CallvaultZlib", dependencies: ["CZlib"], swiftSettings: strict),
        .target(
            name: "CallvaultBlobStore",
            dependencies: ["CallvaultModel", "CallvaultZlib", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // A streaming ZIP writer (ZIP64, data descriptors), for export packages.
        .target(
            name: "CallvaultZIP",
            dependencies: ["CallvaultModel", "CallvaultZlib", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .target(
            name: "CallvaultAudit",
            dependencies: ["CallvaultModel", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .target(
            name: "CallvaultIndex",
            dependencies: ["CallvaultModel", "CallvaultAudit", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "GRDBSQLite", package: "GRDB.swift")],
            swiftSettings: strict),
        .target(
            name: "CallvaultArchive",
            dependencies: ["CallvaultModel", "CallvaultIngest", "CallvaultPolicy", "CallvaultConfiguration", "CallvaultSpool",
                           "CallvaultBlobStore", "CallvaultAudit", "CallvaultIndex", "CallvaultAccess", "CallvaultZIP", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // CLI.md's contract shared by the CLI and the HTTP API: JSON shapes and time syntax.
        .target(name: "CallvaultContract", dependencies: ["CallvaultArchive", "CallvaultModel", "CallvaultAudit"], swiftSettings: strict),
        // The long-running jobs (spool watcher, scheduled expiry, anchoring) as Services, run by
        // `serve` and `watch` in a ServiceGroup.
        .target(
            name: "CallvaultJobs",
            dependencies: ["CallvaultArchive", "CallvaultModel", "CallvaultSpool",
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            swiftSettings: strict),
        .target(
            name: "CallvaultServer",
            dependencies: ["CallvaultArchive", "CallvaultModel", "CallvaultConfiguration", "CallvaultSpool", "CallvaultAccess", "CallvaultContract",
                           "CallvaultJobs",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                           .product(name: "HTTPTypes", package: "swift-http-types")],
            swiftSettings: strict),
        .target(
            name: "CallvaultCLI",
            dependencies: ["CallvaultArchive", "CallvaultModel", "CallvaultPolicy", "CallvaultContract", "CallvaultServer", "CallvaultAccess",
                           "CallvaultJobs", "CallvaultSpool",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .executableTarget(name: "callvault", dependencies: ["CallvaultCLI"], swiftSettings: strict),
        .target(
            name: "CallvaultTesting",
            dependencies: ["CallvaultArchive", "CallvaultModel", "CallvaultAccess"],
            path: "Tests/CallvaultTesting",
            swiftSettings: strict),
        .testTarget(name: "CallvaultModelTests", dependencies: ["CallvaultModel"], swiftSettings: strict),
        .testTarget(name: "CallvaultIngestTests", dependencies: ["CallvaultIngest", "CallvaultModel", "CallvaultTesting"], swiftSettings: strict),
        .testTarget(name: "CallvaultAccessTests", dependencies: ["CallvaultAccess"], swiftSettings: strict),
        .testTarget(name: "CallvaultPolicyTests", dependencies: ["CallvaultPolicy", "CallvaultModel"], swiftSettings: strict),
        .testTarget(name: "CallvaultBlobStoreTests", dependencies: ["CallvaultBlobStore", "CallvaultModel", "CallvaultTesting", "CallvaultZlib"], swiftSettings: strict),
        .testTarget(name: "CallvaultAuditTests", dependencies: ["CallvaultAudit"], swiftSettings: strict),
        .testTarget(name: "CallvaultIndexTests", dependencies: ["CallvaultIndex", "CallvaultModel", "CallvaultAudit", "CallvaultTesting",
                                                             .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: strict),
        .testTarget(
            name: "CallvaultArchiveTests",
            dependencies: ["CallvaultArchive", "CallvaultModel", "CallvaultPolicy", "CallvaultConfiguration", "CallvaultSpool",
                           "CallvaultBlobStore", "CallvaultIndex", "CallvaultTesting", "CallvaultAccess", "CallvaultAudit",
                           .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .testTarget(
            name: "CallvaultServerTests",
            dependencies: ["CallvaultServer", "CallvaultJobs", "CallvaultArchive", "CallvaultConfiguration", "CallvaultAccess", "CallvaultModel",
                           "CallvaultTesting",
                           .product(name: "HummingbirdTesting", package: "hummingbird"),
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .testTarget(name: "CallvaultContractTests", dependencies: ["CallvaultContract", "CallvaultModel"], swiftSettings: strict),
        .testTarget(name: "CallvaultCLITests", dependencies: ["CallvaultTesting", "CallvaultModel", "CallvaultAccess"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)

// Fuzz targets (issue 22): one executable per parser, fed bytes as the ingest feeds a file.
// `scripts/fuzz` builds them with `-sanitize=fuzzer -DCALLVAULT_FUZZING` (libFuzzer's driver);
// a plain `swift build` makes each a small tool that replays files through its parser, so the
// targets always compile with the code they test.
let fuzzedParsers = ["AsteriskCSV", "FreeSWITCHCSV", "FreeSWITCHJSON", "FreeSWITCHXML", "KannelLog", "SMSCSV",
                     "WAVHeader", "RecordingSidecar", "CustomersCSV", "MappedSource"]
package.targets += [
    // libFuzzer's driver, declared for Swift (the symbol is libFuzzer's, linked by -sanitize=fuzzer only).
    .target(name: "FuzzDriver"),
    .target(name: "FuzzSupport", dependencies: ["FuzzDriver", "CallvaultIngest", "CallvaultModel"], swiftSettings: strict),
    .executableTarget(name: "FuzzConfiguration", dependencies: ["FuzzSupport", "CallvaultConfiguration"], swiftSettings: strict),
] + fuzzedParsers.map {
    .executableTarget(name: "Fuzz\($0)", dependencies: ["FuzzSupport", "CallvaultIngest"], swiftSettings: strict)
}
