import Foundation
import Testing
import CallvaultZlib
@testable import CallvaultBlobStore
import CallvaultTesting

/// Blobs of format 1 (CRC-32 per chunk, written before chunks carried SHA-256 digests) stay
/// readable; since a CRC does not prove a chunk, a range of one is served only after the whole
/// file was proven against its address, and storing the same bytes again rewrites it as format 2.
@Suite struct LocalBlobStoreLegacyFormatTests {
    let folder = TemporaryFolder("callvault-blobs")
    let chunkSize = 4096

    /// Writes `original` as a format-1 blob where `store` keeps it, the way callvault wrote them.
    func writeFormat1(_ original: [UInt8], into store: LocalBlobStore) throws -> String {
        let sha = BlobLayoutTestSHA.hex(original)
        let deflater = try Deflater(level: 6, strategy: ChunkCodec.plain.strategy)
        var body: [UInt8] = [], entries: [BlobLayout.ChunkEntry] = []
        for start in stride(from: 0, to: original.count, by: chunkSize) {
            let chunk = Array(original[start..<min(original.count, start + chunkSize)])
            var compressed: [UInt8] = []
            deflater.reset()
            try chunk.withUnsafeBytes { try deflater.compress($0, flush: .finish, into: &compressed) }
            entries.append(.init(offset: UInt64(BlobLayout.headerSize + body.count), length: UInt32(compressed.count),
                                 crc: chunk.withUnsafeBytes { CRC32.of($0) }))
            body += compressed
        }
        let header = BlobLayout.Header(version: 1, codec: .plain, chunkSize: chunkSize, originalSize: Int64(original.count),
                                       sha256: Array(hexBytes(sha)))
        var file = header.encoded() + body
        let indexOffset = Int64(file.count)
        for entry in entries { file += entry.encoded(1) }
        file += BlobLayout.trailer(version: 1, root: [], indexOffset: indexOffset, count: entries.count)
        let url = store.path(for: sha)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(file).write(to: url)
        return sha
    }

    @Test func aFormat1BlobReadsWholeAndByRange() throws {
        let store = makeLocalStore(folder, chunkSize: chunkSize)
        let original = Content.random.bytes(3 * 4096 + 55, seed: 21)
        let sha = try writeFormat1(original, into: store)
        #expect(try readBytes(store, sha) == original)
        #expect(try readBytes(store, sha, range: 4000...9000) == Array(original[4000...9000]))
        try store.verify(sha)
        #expect(try store.size(of: sha) == Int64(original.count))
    }

    @Test func aRangeOfADamagedFormat1BlobIsRefusedEvenWhereItsOwnChunkIsIntact() throws {
        let store = makeLocalStore(folder, chunkSize: chunkSize)
        let original = Content.random.bytes(3 * 4096 + 55, seed: 22)
        let sha = try writeFormat1(original, into: store)
        // Damage the last chunk's compressed bytes; chunk 0 still passes its CRC.
        try flipByte(store.path(for: sha), at: .fromEnd(16 + 4 * 16 + 3))
        #expect(blobError { _ = try readBytes(store, sha, range: 0...99) }?.isCorrupt == true)
        #expect(blobError { _ = try store.open(sha) }?.isCorrupt == true)
    }

    @Test func aSwappedFormat1FileIsRefusedByItsHeader() throws {
        let store = makeLocalStore(folder, chunkSize: chunkSize)
        let sha = try writeFormat1(Content.random.bytes(9000, seed: 23), into: store)
        let other = try writeFormat1(Content.random.bytes(9000, seed: 24), into: store)
        try FileManager.default.removeItem(at: store.path(for: sha))
        try FileManager.default.copyItem(at: store.path(for: other), to: store.path(for: sha))
        #expect(blobError { _ = try readBytes(store, sha, range: 0...99) }?.isCorrupt == true)
        #expect(blobError { _ = try store.size(of: sha) }?.isCorrupt == true)
    }

    @Test func storingTheSameBytesAgainRewritesAFormat1BlobAsFormat2() throws {
        let store = makeLocalStore(folder, chunkSize: chunkSize)
        let original = Content.pcm.bytes(3 * 4096 + 55, seed: 25)
        let sha = try writeFormat1(original, into: store)
        let stored = try store.put(contentsOf: folder.write("again.wav", Data(original)), hint: .pcm16)
        #expect(stored.sha256 == sha)
        #expect(try store.openReader(sha).header.version == BlobLayout.currentVersion)
        #expect(try readBytes(store, sha, range: 100...5000) == Array(original[100...5000]))
        #expect(try store.put(contentsOf: folder.write("third.wav", Data(original)), hint: .pcm16).isNew == false)
    }
}

private func hexBytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        out.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return out
}

private enum BlobLayoutTestSHA {
    static func hex(_ bytes: [UInt8]) -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)")
        try? Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return (try? independentSHA256(of: url)) ?? ""
    }
}
