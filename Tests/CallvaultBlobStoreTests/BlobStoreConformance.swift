import Foundation
import Testing
import CallvaultBlobStore
import CallvaultTesting

/// The contract of `BlobStore`, written once for every store (today the local one, later an
/// object store): byte-exact round trips, idempotent puts, exact range reads, `notFound` after
/// remove, and corrupt blobs reported, never served.
///
/// `makeStore` may return the same store each time or a fresh view of it; the suite cleans up
/// after itself and does not assume the store starts empty. `damage`, when given, corrupts a
/// stored blob in place (flips stored bytes) so the suite can check it is reported.
func blobStoreConformance(_ makeStore: () -> any BlobStore, folder: TemporaryFolder,
                          damage: ((String) throws -> Void)? = nil) throws {
    try BlobStoreConformance.roundTripIsByteExact(makeStore, folder: folder)
    try BlobStoreConformance.putIsIdempotent(makeStore, folder: folder)
    try BlobStoreConformance.rangeReadsEqualSlicesOfTheOriginal(makeStore, folder: folder)
    try BlobStoreConformance.rangesOutsideTheBlobAreRefused(makeStore, folder: folder)
    try BlobStoreConformance.missingBlobsAreNotFound(makeStore, folder: folder)
    try BlobStoreConformance.removeThenReadIsNotFound(makeStore, folder: folder)
    try BlobStoreConformance.allBlobsListsExactlyWhatWasPut(makeStore, folder: folder)
    if let damage {
        try BlobStoreConformance.corruptBlobsAreReportedNotServed(makeStore, folder: folder, damage: damage)
    }
}

/// The parts of `blobStoreConformance`, callable one by one.
enum BlobStoreConformance {
    /// Sizes around the chunk sizes stores use (4 KiB in tests, 256 KiB by default).
    static let sizes = [0, 1, 2, 3, 4095, 4096, 4097, 3 * 4096 + 1, 65_536, 262_143, 262_144, 262_145, 600_001]
    /// Every way a blob is coded: plain, and the audio model with each encoding and layout
    /// (whatever the bytes really are: a wrong description costs size, never exactness).
    static let hints: [CompressionHint] = [
        .generic, .pcm16,
        .audio(AudioSamples(encoding: .pcm16, channels: 2, dataOffset: 45, dataBytes: 100_001)),
        .audio(AudioSamples(encoding: .aLaw, channels: 1, dataOffset: 58)),
        .audio(AudioSamples(encoding: .muLaw, channels: 2, dataOffset: 3)),
    ]

    static func write(_ bytes: [UInt8], _ folder: TemporaryFolder) -> URL {
        folder.write("input/\(UUID().uuidString).bin", Data(bytes))
    }

    static func roundTripIsByteExact(_ makeStore: () -> any BlobStore, folder: TemporaryFolder) throws {
        let store = makeStore()
        for size in sizes {
            for content in Content.allCases {
                let original = content.bytes(size)
                let url = write(original, folder)
                let sha = try independentSHA256(of: url)
                for hint in hints {
                    let context = "size \(size), \(content), \(hint)"
                    let stored = try store.put(contentsOf: url, hint: hint)
                    #expect(stored.isNew, "\(context)")
                    #expect(stored.sha256 == sha, "\(context)")
                    #expect(stored.bytes == Int64(size), "\(context)")
                    #expect(store.contains(sha), "\(context)")
                    #expect(try store.size(of: sha) == Int64(size), "\(context)")
                    #expect(try readBytes(store, sha) == original, "\(context)")
                    try store.verify(sha)
                    let target = folder.path("extracted/\(UUID().uuidString)")
                    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    #expect(try store.extract(sha, to: target) == Int64(size), "\(context)")
                    #expect(try Array(Data(contentsOf: target)) == original, "\(context)")
                    #expect(try independentSHA256(of: target) == sha, "\(context)")
                    try store.remove(sha)
                }
            }
        }
    }

    static func putIsIdempotent(_ makeStore: () -> any BlobStore, folder: TemporaryFolder) throws {
        let store = makeStore()
        let original = Content.pcm.bytes(50_001, seed: 9)
        let url = write(original, folder)
        let first = try store.put(contentsOf: url, hint: .pcm16)
        let second = try store.put(contentsOf: url, hint: .pcm16)
        #expect(first.isNew)
        #expect(!second.isNew)
        #expect(second.sha256 == first.sha256)
        #expect(second.bytes == first.bytes)
        let copy = write(original, folder)
        let third = try store.put(contentsOf: copy, hint: .generic)
        #expect(!third.isNew)
        #expect(third.sha256 == first.sha256)
        #expect(try makeStore().put(contentsOf: url, hint: .pcm16).isNew == false)
        #expect(try readBytes(store, first.sha256) == original)
        #expect(try store.allBlobs().filter { $0 == first.sha256 }.count == 1)
        try store.remove(first.sha256)
    }

    static func rangeReadsEqualSlicesOfTheOriginal(_ makeStore: () -> any BlobStore, folder: TemporaryFolder) throws {
        let store = makeStore()
        // A blob of a few small chunks: every range between interesting points.
        let small = Content.pcm.bytes(5 * 4096 + 123, seed: 3)
        var points: Set<Int> = [0, 1, 2, small.count - 2, small.count - 1]
        for k in 1...5 { points.formUnion([k * 4096 - 2, k * 4096 - 1, k * 4096, k * 4096 + 1]) }
        try checkRanges(store, small, points: points.filter { $0 < small.count }, hint: .pcm16, folder: folder)
        try checkRanges(store, Content.random.bytes(small.count, seed: 3), points: points.filter { $0 < small.count },
                        hint: .generic, folder: folder)
        // A blob of a few default-sized chunks.
        let large = Content.pcm.bytes(600_001, seed: 4)
        var largePoints: Set<Int> = [0, 1, 4095, 4096, 300_000, large.count - 1]
        for k in 1...2 { largePoints.formUnion([k * 262_144 - 1, k * 262_144, k * 262_144 + 1]) }
        try checkRanges(store, large, points: largePoints, hint: .pcm16, folder: folder)
    }

    static func checkRanges(_ store: any BlobStore, _ original: [UInt8], points: Set<Int>, hint: CompressionHint,
                            folder: TemporaryFolder) throws {
        let sha = try store.put(contentsOf: write(original, folder), hint: hint).sha256
        let sorted = points.sorted()
        for (i, lower) in sorted.enumerated() {
            for upper in sorted[i...] {
                let got = try readBytes(store, sha, range: Int64(lower)...Int64(upper))
                #expect(got == Array(original[lower...upper]), "range \(lower)...\(upper) of \(original.count)")
            }
        }
        #expect(try readBytes(store, sha, range: 0...Int64(original.count - 1)) == original)
        try store.remove(sha)
    }

    static func rangesOutsideTheBlobAreRefused(_ makeStore: () -> any BlobStore, folder: TemporaryFolder) throws {
        let store = makeStore()
        let original = Content.random.bytes(10_000, seed: 5)
        let sha = try store.put(contentsOf: write(original, folder), hint: .generic).sha256
        for range: ClosedRange<Int64> in [0...10_000, 9_999...10_000, 10_000...10_000, 20_000...30_000, -1...5, -10 ... -1] {
            let error = blobError { _ = try readBytes(store, sha, range: range) }
            #expect(error?.isRangeNotSatisfiable == true, "range \(range)")
            #expect(error?.kind == .badInput, "range \(range)")
        }
        #expect(try readBytes(store, sha, range: 9_999...9_999) == [original[9_999]])

        let empty = try store.put(contentsOf: write([], folder), hint: .pcm16).sha256
        #expect(blobError { _ = try readBytes(store, empty, range: 0...0) }?.isRangeNotSatisfiable == true)
        #expect(try readBytes(store, empty) == [])
        try store.remove(sha)
        try store.remove(empty)
    }

    static func missingBlobsAreNotFound(_ makeStore: () -> any BlobStore, folder: TemporaryFolder) throws {
        let store = makeStore()
        let absent = String(repeating: "ab", count: 32)
        for name in [absent, "", "abc", "../../etc/passwd", String(repeating: "AB", count: 32), String(repeating: "g", count: 64)] {
            #expect(!store.contains(name))
            #expect(blobError { _ = try readBytes(store, name) }?.isNotFound == true, "read \(name)")
            #expect(blobError { _ = try store.size(of: name) }?.isNotFound == true, "size \(name)")
            #expect(blobError { try store.verify(name) }?.isNotFound == true, "verify \(name)")
            #expect(blobError { try store.remove(name) }?.isNotFound == true, "remove \(name)")
            let target = folder.path("missing-out/\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            #expect(blobError { _ = try store.extract(name, to: target) }?.isNotFound == true, "extract \(name)")
            #expect(filesIn(target.deletingLastPathComponent()) == [], "extract of \(name) left a file behind")
        }
    }

    static func removeThenReadIsNotFound(_ makeStore: () -> any BlobStore, folder: TemporaryFolder) throws {
        let store = makeStore()
        let url = write(Content.pcm.bytes(9_000, seed: 6), folder)
        let sha = try store.put(contentsOf: url, hint: .pcm16).sha256
        try store.remove(sha)
        #expect(!store.contains(sha))
        #expect(!makeStore().contains(sha))
        #expect(blobError { _ = try readBytes(store, sha) }?.isNotFound == true)
        #expect(blobError { _ = try readBytes(store, sha, range: 0...10) }?.isNotFound == true)
        #expect(blobError { _ = try store.size(of: sha) }?.isNotFound == true)
        #expect(blobError { try store.verify(sha) }?.isNotFound == true)
        #expect(blobError { try store.remove(sha) }?.isNotFound == true)
        #expect(try !store.allBlobs().contains(sha))
        #expect(try store.put(contentsOf: url, hint: .pcm16).isNew, "a removed blob can be stored again")
        try store.remove(sha)
    }

    static func allBlobsListsExactlyWhatWasPut(_ makeStore: () -> any BlobStore, folder: TemporaryFolder) throws {
        let store = makeStore()
        let before = Set(try store.allBlobs())
        var put: Set<String> = []
        for seed in 0..<12 as Range<UInt64> {
            let stored = try store.put(contentsOf: write(Content.random.bytes(100 + Int(seed), seed: seed), folder),
                                       hint: seed.isMultiple(of: 2) ? .generic : .pcm16)
            put.insert(stored.sha256)
        }
        let after = try store.allBlobs()
        #expect(Set(after) == before.union(put))
        #expect(after.count == Set(after).count, "no name twice")
        #expect(after == after.sorted())
        let removed = put.sorted().prefix(5)
        for sha in removed { try store.remove(sha) }
        #expect(Set(try store.allBlobs()) == before.union(put.subtracting(removed)))
        for sha in put.subtracting(removed) { try store.remove(sha) }
        #expect(Set(try store.allBlobs()) == before)
    }

    static func corruptBlobsAreReportedNotServed(_ makeStore: () -> any BlobStore, folder: TemporaryFolder,
                                                 damage: (String) throws -> Void) throws {
        let store = makeStore()
        for hint in hints {
            let original = Content.pcm.bytes(40_000, seed: 8)
            let sha = try store.put(contentsOf: write(original, folder), hint: hint).sha256
            try damage(sha)
            var served: [UInt8] = []
            let readError = blobError { try store.read(sha, range: nil) { served.append(contentsOf: $0) } }
            #expect(readError?.isCorrupt == true)
            #expect(readError?.kind == .corrupt)
            #expect(served != original, "a corrupt blob must never be served whole")
            #expect(blobError { try store.verify(sha) }?.isCorrupt == true)
            let target = folder.path("corrupt-out/\(UUID().uuidString).wav")
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            #expect(blobError { _ = try store.extract(sha, to: target) }?.isCorrupt == true)
            #expect(filesIn(target.deletingLastPathComponent()) == [], "extract of a corrupt blob left a file behind")
            try store.remove(sha)
        }
    }
}
