import Foundation
import Testing
@testable import CallvaultBlobStore
import CallvaultTesting

/// Re-coding a stored blob with today's codec (`recompress`): the new copy is proven before it
/// replaces the old one, the swap is one rename, and a blob removed meanwhile never comes back.
@Suite struct LocalBlobStoreRecodeTests {
    let folder = TemporaryFolder("callvault-recode")
    let speech = [UInt8](Samples.wav(seconds: 40, seed: 4))
    let hint = CompressionHint.audio(AudioSamples(encoding: .pcm16, channels: 1, dataOffset: 44))

    func temporaries() -> [String] { filesIn(folder.path("tmp")).filter { $0.hasPrefix("blob-") } }

    @Test(arguments: [ChunkCodec.plain, .delta16Planes])
    func anOlderBlobIsReplacedByASmallerByteExactOne(codec: ChunkCodec) throws {
        let store = makeLocalStore(folder, chunkSize: 64 * 1024)
        let sha = try LegacyBlobWriter.write(speech, version: 2, codec: codec, chunkSize: 64 * 1024, into: store)
        #expect(try store.isCodedWithAnOlderCodec(sha))
        let recoded = try store.stageRecoded(sha, hint: hint)
        // Staged only: the store still serves the old coding.
        #expect(try store.openReader(sha).header.codec == codec)
        #expect(recoded.storedBefore == (try store.storedSize(of: sha)))
        #expect(recoded.storedAfter < recoded.storedBefore)
        try store.replace(with: recoded)
        #expect(try store.isCodedWithAnOlderCodec(sha) == false)
        #expect(try store.storedSize(of: sha) == recoded.storedAfter)
        #expect(try readBytes(store, sha) == speech)
        #expect(try readBytes(store, sha, range: 70_000...200_000) == Array(speech[70_000...200_000]))
        #expect(temporaries().isEmpty)
    }

    @Test func aFormat1BlobIsUpgradedToo() throws {
        let store = makeLocalStore(folder, chunkSize: 4096)
        let sha = try LegacyBlobWriter.write(Array(speech.prefix(50_001)), version: 1, codec: .plain, chunkSize: 4096, into: store)
        #expect(try store.isCodedWithAnOlderCodec(sha))
        try store.replace(with: try store.stageRecoded(sha, hint: hint))
        #expect(try store.openReader(sha).header.version == BlobLayout.currentVersion)
        #expect(try readBytes(store, sha) == Array(speech.prefix(50_001)))
    }

    @Test func aBlobRemovedWhileItsCopyWasStagedDoesNotComeBack() throws {
        let store = makeLocalStore(folder)
        let sha = try LegacyBlobWriter.write(speech, version: 2, codec: .plain, chunkSize: 256 * 1024, into: store)
        let recoded = try store.stageRecoded(sha, hint: hint)
        try store.remove(sha)
        #expect(blobError { try store.replace(with: recoded) }?.isNotFound == true)
        #expect(!store.contains(sha))
        #expect(temporaries().isEmpty)
    }

    @Test func aCorruptBlobIsNotRecodedAndLeavesNothingBehind() throws {
        let store = makeLocalStore(folder, chunkSize: 4096)
        let sha = try LegacyBlobWriter.write(Array(speech.prefix(40_000)), version: 2, codec: .plain, chunkSize: 4096, into: store)
        try flipByte(store.path(for: sha), at: .offset(BlobLayout.headerSize + 100))
        #expect(blobError { _ = try store.stageRecoded(sha, hint: hint) }?.isCorrupt == true)
        #expect(temporaries().isEmpty)
    }

    @Test func theDryRunEstimateIsCloseToTheRealSize() throws {
        let store = makeLocalStore(folder, chunkSize: 16 * 1024)
        let sha = try LegacyBlobWriter.write(speech, version: 2, codec: .delta16Planes, chunkSize: 16 * 1024, into: store)
        let estimate = try store.estimateRecoded(sha, hint: hint, sampleChunks: 8)
        let real = try store.stageRecoded(sha, hint: hint)
        store.discard(real)
        #expect(abs(Double(estimate - real.storedAfter)) < 0.15 * Double(real.storedAfter), "estimate \(estimate) vs \(real.storedAfter)")
        #expect(try store.isCodedWithAnOlderCodec(sha), "a discarded copy changes nothing")
    }
}
