import Foundation
import Testing
import CallvaultBlobStore
import CallvaultTesting

/// `LocalBlobStore` against the `BlobStore` contract, with small chunks (many per blob).
@Suite struct LocalBlobStoreConformanceTests {
    let folder = TemporaryFolder("callvault-blobs")
    var store: LocalBlobStore { makeLocalStore(folder, chunkSize: 4096) }

    @Test func localBlobStoreMeetsTheWholeContractWithDefaultChunks() throws {
        try blobStoreConformance({ makeLocalStore(folder) }, folder: folder, damage: { sha in
            try flipByte(localBlobURL(folder, sha), at: .middle)
        })
        #expect(try makeLocalStore(folder).allBlobs() == [])
    }

    @Test func roundTripIsByteExactForEverySizeAndHint() throws {
        try BlobStoreConformance.roundTripIsByteExact({ store }, folder: folder)
    }

    @Test func putIsIdempotent() throws {
        try BlobStoreConformance.putIsIdempotent({ store }, folder: folder)
    }

    @Test func rangeReadsAcrossChunkBoundariesEqualSlicesOfTheOriginal() throws {
        try BlobStoreConformance.rangeReadsEqualSlicesOfTheOriginal({ store }, folder: folder)
    }

    @Test func rangesOutsideTheBlobAreRefused() throws {
        try BlobStoreConformance.rangesOutsideTheBlobAreRefused({ store }, folder: folder)
    }

    @Test func missingBlobsAreNotFound() throws {
        try BlobStoreConformance.missingBlobsAreNotFound({ store }, folder: folder)
    }

    @Test func removeThenReadIsNotFound() throws {
        try BlobStoreConformance.removeThenReadIsNotFound({ store }, folder: folder)
    }

    @Test func allBlobsListsExactlyWhatWasPut() throws {
        try BlobStoreConformance.allBlobsListsExactlyWhatWasPut({ store }, folder: folder)
    }

    @Test func corruptBlobsAreReportedNotServed() throws {
        try BlobStoreConformance.corruptBlobsAreReportedNotServed({ store }, folder: folder, damage: { sha in
            try flipByte(localBlobURL(folder, sha), at: .middle)
        })
    }

    @Test func aFreshStoreIsEmpty() throws {
        #expect(try store.allBlobs() == [])
        #expect(try store.removeStaleTemporaries() == 0)
    }
}
