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
        try writeLegacy(original, version: 1, codec: .plain, into: store)
    }

    func writeLegacy(_ original: [UInt8], version: UInt32, codec: ChunkCodec, into store: LocalBlobStore) throws -> String {
        try LegacyBlobWriter.write(original, version: version, codec: codec, chunkSize: chunkSize, into: store)
    }

    @Test(arguments: [ChunkCodec.plain, .delta16Planes])
    func format2BlobsOfTheEarlierCodecsStayReadable(codec: ChunkCodec) throws {
        let store = makeLocalStore(folder, chunkSize: chunkSize)
        for original in [Content.pcm.bytes(5 * 4096 + 3, seed: 26), Content.random.bytes(2 * 4096 + 1, seed: 27), []] {
            let sha = try writeLegacy(original, version: 2, codec: codec, into: store)
            #expect(try store.openReader(sha).header.codec == codec)
            #expect(try readBytes(store, sha) == original)
            if original.count > 9000 {
                #expect(try readBytes(store, sha, range: 4000...9000) == Array(original[4000...9000]))
            }
            try store.verify(sha)
            let out = folder.path("out-\(codec)-\(original.count).wav")
            #expect(try store.extract(sha, to: out) == Int64(original.count))
            #expect(try [UInt8](Data(contentsOf: out)) == original)
        }
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
