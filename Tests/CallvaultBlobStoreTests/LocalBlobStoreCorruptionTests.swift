import Foundation
import Testing
import CallvaultBlobStore
import CallvaultTesting

/// Where to damage a stored blob file.
enum BlobSpot: Sendable, CustomStringConvertible {
    /// A byte at this offset from the start.
    case offset(Int)
    /// A byte at this offset from the end.
    case fromEnd(Int)
    /// The byte in the middle of the file.
    case middle

    func index(in count: Int) -> Int {
        switch self {
        case .offset(let n): n
        case .fromEnd(let n): count - n
        case .middle: count / 2
        }
    }

    var description: String {
        switch self {
        case .offset(let n): "byte \(n)"
        case .fromEnd(let n): "byte \(n) from the end"
        case .middle: "middle byte"
        }
    }
}

/// Flips bits of one byte of a file in place.
func flipByte(_ url: URL, at spot: BlobSpot, mask: UInt8 = 0x01) throws {
    var bytes = try Array(Data(contentsOf: url))
    bytes[spot.index(in: bytes.count)] ^= mask
    try Data(bytes).write(to: url)
}

/// Blob layout, format 2 (ChunkCodec.swift): 64-byte header · chunks · 48 bytes per chunk of index
/// (offset 8 · length 4 · reserved 4 · SHA-256 32) · 48-byte trailer (root 32 · index offset 8 ·
/// chunk count 4 · magic 4).
@Suite struct LocalBlobStoreCorruptionTests {
    let folder = TemporaryFolder("callvault-blobs")
    let chunkSize = 4096

    private func storeBlob(_ hint: CompressionHint = .pcm16, size: Int = 3 * 4096 + 100) throws -> (LocalBlobStore, String, [UInt8]) {
        let store = makeLocalStore(folder, chunkSize: chunkSize)
        let original = Content.pcm.bytes(size, seed: 11)
        let sha = try store.put(contentsOf: folder.write("in-\(UUID().uuidString).wav", Data(original)), hint: hint).sha256
        return (store, sha, original)
    }

    /// Full read, verify and extract must all report `.corrupt`, and extract must leave no file.
    private func expectCorrupt(_ store: LocalBlobStore, _ sha: String, _ context: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let read = blobError({ _ = try readBytes(store, sha) }, sourceLocation: sourceLocation)
        #expect(read?.isCorrupt == true, "read after \(context): \(String(describing: read))", sourceLocation: sourceLocation)
        let verify = blobError({ try store.verify(sha) }, sourceLocation: sourceLocation)
        #expect(verify?.isCorrupt == true, "verify after \(context): \(String(describing: verify))", sourceLocation: sourceLocation)
        let out = folder.path("out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let extract = blobError({ _ = try store.extract(sha, to: out.appendingPathComponent("call.wav")) }, sourceLocation: sourceLocation)
        #expect(extract?.isCorrupt == true, "extract after \(context): \(String(describing: extract))", sourceLocation: sourceLocation)
        #expect(filesIn(out) == [], "extract after \(context) left \(filesIn(out))", sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        BlobSpot.offset(0),        // magic
        .offset(8),                // format version
        .offset(12),               // codec
        .offset(16),               // chunk size
        .offset(24),               // original size
        .offset(40),               // SHA-256 of the original
        .offset(64 + 5),           // first chunk's compressed bytes
        .middle,                   // a middle chunk
        .fromEnd(48 + 4 * 48 + 1), // a chunk's last compressed byte
        .fromEnd(48 + 4 * 48 - 20), // the first chunk's digest in the index
        .fromEnd(48 + 1),          // the last chunk's digest in the index
        .fromEnd(48 + 3 * 48),     // the second chunk's offset in the index
        .fromEnd(48 + 4 * 48),     // the first chunk's offset in the index
        .fromEnd(48),              // the trailer's root
        .fromEnd(16),              // the trailer's index offset
        .fromEnd(8),               // the trailer's chunk count
        .fromEnd(1),               // the trailer magic
    ], [CompressionHint.generic, .pcm16])
    func aFlippedByteAnywhereIsReportedAsCorrupt(spot: BlobSpot, hint: CompressionHint) throws {
        let (store, sha, _) = try storeBlob(hint)
        try flipByte(localBlobURL(folder, sha), at: spot)
        try expectCorrupt(store, sha, "flipping \(spot)")
    }

    @Test(arguments: [1, 15, 16, 17, 47, 48, 49, 100, 2000])
    func aTruncatedBlobIsReportedAsCorrupt(bytesCut: Int) throws {
        let (store, sha, _) = try storeBlob()
        let url = localBlobURL(folder, sha)
        let data = try Data(contentsOf: url)
        try data.prefix(data.count - bytesCut).write(to: url)
        try expectCorrupt(store, sha, "cutting \(bytesCut) bytes")
        #expect(blobError { _ = try store.size(of: sha) }?.isCorrupt == true)
    }

    @Test(arguments: [0, 10, 63, 64, 79, 111, 112, 160])
    func aBlobCutToAFewBytesIsReportedAsCorrupt(length: Int) throws {
        let (store, sha, _) = try storeBlob()
        let url = localBlobURL(folder, sha)
        try Data(try Data(contentsOf: url).prefix(length)).write(to: url)
        try expectCorrupt(store, sha, "cutting to \(length) bytes")
    }

    @Test func extraBytesAppendedAreReportedAsCorrupt() throws {
        let (store, sha, _) = try storeBlob()
        let handle = try FileHandle(forWritingTo: localBlobURL(folder, sha))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([1, 2, 3]))
        try handle.close()
        try expectCorrupt(store, sha, "appending bytes")
    }

    @Test func aBlobSwappedForAnotherIsReportedAsCorrupt() throws {
        let (store, sha, _) = try storeBlob()
        let other = try store.put(contentsOf: folder.write("other.bin", Data(Content.pcm.bytes(3 * 4096 + 100, seed: 99))), hint: .pcm16)
        try FileManager.default.removeItem(at: localBlobURL(folder, sha))
        try FileManager.default.copyItem(at: localBlobURL(folder, other.sha256), to: localBlobURL(folder, sha))
        try expectCorrupt(store, sha, "replacing the file with another blob")
        // Every chunk of it, read alone, is refused too: the header names another blob.
        for chunk in 0..<4 {
            let start = Int64(chunk * chunkSize)
            #expect(blobError { _ = try readBytes(store, sha, range: start...(start + 9)) }?.isCorrupt == true, "chunk \(chunk)")
        }
        #expect(blobError { _ = try store.open(sha) }?.isCorrupt == true)
        #expect(blobError { _ = try store.size(of: sha) }?.isCorrupt == true)
    }

    @Test func aSwappedFileWithItsHeaderRewrittenToTheAddressIsRefusedByItsRoot() throws {
        // The other blob's chunks and index under this blob's name, with this blob's SHA-256
        // written into the header: the root (which binds the index to the address) refuses it.
        let (store, sha, _) = try storeBlob()
        let other = try store.put(contentsOf: folder.write("other.bin", Data(Content.pcm.bytes(3 * 4096 + 100, seed: 99))), hint: .pcm16)
        var forged = try Array(Data(contentsOf: localBlobURL(folder, other.sha256)))
        forged.replaceSubrange(32..<64, with: try Array(Data(contentsOf: localBlobURL(folder, sha)))[32..<64])
        try Data(forged).write(to: localBlobURL(folder, sha))
        try expectCorrupt(store, sha, "forging the header")
        #expect(blobError { _ = try readBytes(store, sha, range: 0...9) }?.isCorrupt == true)
    }

    @Test func anOpenedBlobKeepsReadingTheFileItOpened() throws {
        let (store, sha, original) = try storeBlob()
        let reader = try store.open(sha)
        let other = try store.put(contentsOf: folder.write("other.bin", Data(Content.pcm.bytes(3 * 4096 + 100, seed: 99))), hint: .pcm16)
        let url = localBlobURL(folder, sha)
        try FileManager.default.removeItem(at: url)
        try FileManager.default.copyItem(at: localBlobURL(folder, other.sha256), to: url)
        var got: [UInt8] = []
        try reader.read(0...Int64(original.count - 1)) { got.append(contentsOf: $0) }
        #expect(got == original)
    }

    @Test func aCorruptExtractLeavesAnExistingTargetUntouched() throws {
        let (store, sha, _) = try storeBlob()
        try flipByte(localBlobURL(folder, sha), at: .middle)
        let target = folder.write("keep/call.wav", "previous content")
        #expect(blobError { _ = try store.extract(sha, to: target) }?.isCorrupt == true)
        #expect(try String(contentsOf: target, encoding: .utf8) == "previous content")
        #expect(filesIn(target.deletingLastPathComponent()) == ["call.wav"])
    }

    @Test func aRangeReadOfADamagedChunkIsRefusedButOtherChunksStillServe() throws {
        let (store, sha, original) = try storeBlob(.generic)
        try flipByte(localBlobURL(folder, sha), at: .offset(64 + 5))   // inside chunk 0
        #expect(blobError { _ = try readBytes(store, sha, range: 0...10) }?.isCorrupt == true)
        #expect(blobError { _ = try readBytes(store, sha, range: 4000...5000) }?.isCorrupt == true)
        #expect(try readBytes(store, sha, range: 4096...5000) == Array(original[4096...5000]))
    }

    @Test func flippingAnyByteOfABlobNeverServesWrongBytes() throws {
        // Every byte of a small blob, one at a time: either reported corrupt or read exactly.
        // (Only the low bit is flipped; see the disabled test below for high bits of sizes.)
        for hint in [CompressionHint.generic, .pcm16] {
            let (store, sha, original) = try storeBlob(hint, size: 2 * 4096 + 7)
            let url = localBlobURL(folder, sha)
            let pristine = try Data(contentsOf: url)
            let chunks = (original.count + chunkSize - 1) / chunkSize
            // The only bytes whose change goes unnoticed: the reserved header word (the root in
            // the trailer covers every byte of the chunk index).
            let harmless: Set<Int> = [20, 21, 22, 23]
            for i in 0..<pristine.count {
                var damaged = pristine
                damaged[i] ^= 0x01
                try damaged.write(to: url)
                do {
                    #expect(try readBytes(store, sha) == original, "byte \(i) flipped was served differently")
                    #expect(harmless.contains(i), "byte \(i) of \(pristine.count) changed without notice (\(hint))")
                } catch let error as BlobStoreError {
                    #expect(error.isCorrupt, "byte \(i): \(error)")
                }
                // Each chunk read alone: proven on its own, or refused.
                for chunk in 0..<chunks {
                    let range = chunk * chunkSize...min(original.count - 1, chunk * chunkSize + chunkSize - 1)
                    do {
                        let got = try readBytes(store, sha, range: Int64(range.lowerBound)...Int64(range.upperBound))
                        #expect(got == Array(original[range]), "byte \(i) flipped: chunk \(chunk) read alone was served differently")
                    } catch let error as BlobStoreError {
                        #expect(error.isCorrupt, "byte \(i), chunk \(chunk): \(error)")
                    }
                }
            }
            try pristine.write(to: url)
        }
    }

    @Test(arguments: [BlobSpot.offset(31), .fromEnd(16 - 7), .fromEnd(48 + 3 * 48 - 7)])
    func aFlippedHighBitOfAStoredSizeIsReportedAsCorrupt(spot: BlobSpot) throws {
        let (store, sha, _) = try storeBlob(size: 2 * 4096 + 7)
        try flipByte(localBlobURL(folder, sha), at: spot, mask: 0x80)
        try expectCorrupt(store, sha, "flipping the top bit of \(spot)")
    }
}
