import Foundation
import Testing
import CallvaultBlobStore
import CallvaultTesting


/// Test contents: incompressible bytes, or the start of a 16-bit PCM WAV.
enum Content: String, CaseIterable, Sendable {
    case random, pcm

    func bytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        switch self {
        case .random:
            var generator = SplitMix64(seed: seed &+ UInt64(count))
            return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        case .pcm:
            return Array(Samples.wav(seconds: Double(count) / 16_000 + 0.01, seed: seed).prefix(count))
        }
    }
}

/// Runs a program and returns its standard output as bytes.
func runProgram(_ path: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw ProgramFailed(program: path, status: process.terminationStatus) }
    return data
}

struct ProgramFailed: Error { var program: String; var status: Int32 }

/// SHA-256 of a file computed by coreutils, independently of the store's own code.
func independentSHA256(of url: URL) throws -> String {
    let output = String(decoding: try runProgram("/usr/bin/sha256sum", [url.path]), as: UTF8.self)
    return String(output.prefix(64))
}

/// Every byte a read hands out, in order.
func readBytes(_ store: any BlobStore, _ sha: String, range: ClosedRange<Int64>? = nil) throws -> [UInt8] {
    var out: [UInt8] = []
    try store.read(sha, range: range) { out.append(contentsOf: $0) }
    return out
}

/// The `BlobStoreError` a call throws, or nil when it returns.
func blobError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> BlobStoreError? {
    do {
        try body()
        return nil
    } catch let error as BlobStoreError {
        return error
    } catch {
        Issue.record("expected a BlobStoreError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

extension BlobStoreError {
    var isCorrupt: Bool { if case .corrupt = self { true } else { false } }
    var isNotFound: Bool { if case .notFound = self { true } else { false } }
    var isRangeNotSatisfiable: Bool { if case .rangeNotSatisfiable = self { true } else { false } }
}

/// A local store in `folder/blobs`, staging in `folder/tmp`.
func makeLocalStore(_ folder: TemporaryFolder, chunkSize: Int = 256 * 1024,
                    faultSeam: @escaping @Sendable (BlobWriteStep) throws(BlobStoreError) -> Void = { _ throws(BlobStoreError) in }) -> LocalBlobStore {
    LocalBlobStore(root: folder.path("blobs"), temporaryFolder: folder.path("tmp"), chunkSize: chunkSize, faultSeam: faultSeam)
}

/// Where a local store keeps a blob: `blobs/ab/cd/<sha256>`.
func localBlobURL(_ folder: TemporaryFolder, _ sha: String) -> URL {
    let s = Array(sha)
    return folder.path("blobs").appendingPathComponent(String(s[0..<2])).appendingPathComponent(String(s[2..<4]))
        .appendingPathComponent(sha)
}

/// Files in a folder (empty when it does not exist).
func filesIn(_ url: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
}
