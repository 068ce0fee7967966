import Foundation
import Testing
import CallvaultBlobStore
import CallvaultTesting

@Suite struct LocalBlobStoreHousekeepingTests {
    let folder = TemporaryFolder("callvault-blobs")

    @Test func blobsAreStoredUnderTwoLevelsOfTheirHashPrefix() throws {
        let store = makeLocalStore(folder)
        let stored = try store.put(contentsOf: folder.write("a.bin", "hello"), hint: .generic)
        #expect(stored.sha256 == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(FileManager.default.fileExists(atPath: folder.path("blobs/2c/f2/\(stored.sha256)").path))
    }

    @Test func removeStaleTemporariesRemovesOnlyLeftoverBlobTemporaries() throws {
        let store = makeLocalStore(folder)
        folder.write("tmp/blob-1.tmp", "partial")
        folder.write("tmp/blob-\(UUID().uuidString).tmp", "partial")
        folder.write("tmp/notes.txt", "keep")
        folder.write("tmp/blob-2.part", "keep")
        folder.write("tmp/other-blob-3.tmp", "keep")
        #expect(try store.removeStaleTemporaries() == 2)
        #expect(filesIn(folder.path("tmp")) == ["blob-2.part", "notes.txt", "other-blob-3.tmp"])
        #expect(try store.removeStaleTemporaries() == 0)
    }

    @Test func removeStaleTemporariesWithoutATemporaryFolderRemovesNothing() throws {
        #expect(try makeLocalStore(folder).removeStaleTemporaries() == 0)
    }

    @Test func removeStaleTemporariesLeavesStoredBlobsAlone() throws {
        let store = makeLocalStore(folder)
        let sha = try store.put(contentsOf: folder.write("a.bin", Data(Content.pcm.bytes(5000))), hint: .pcm16).sha256
        folder.write("tmp/blob-left.tmp", "partial")
        #expect(try store.removeStaleTemporaries() == 1)
        try store.verify(sha)
    }

    @Test func aSuccessfulPutLeavesNoTemporary() throws {
        let store = makeLocalStore(folder)
        let url = folder.write("a.bin", Data(Content.pcm.bytes(70_000)))
        _ = try store.put(contentsOf: url, hint: .pcm16)
        _ = try store.put(contentsOf: url, hint: .pcm16)
        #expect(filesIn(folder.path("tmp")) == [])
    }

    @Test func puttingAMissingFileFailsAndLeavesNothing() throws {
        let store = makeLocalStore(folder)
        let error = blobError { _ = try store.put(contentsOf: folder.path("absent.wav"), hint: .pcm16) }
        #expect(error?.kind == .internal)
        #expect(filesIn(folder.path("tmp")).filter { $0.hasPrefix("blob-") } == [])
        #expect(try store.allBlobs() == [])
    }

    @Test func allBlobsIgnoresFilesThatAreNotBlobs() throws {
        let store = makeLocalStore(folder)
        let sha = try store.put(contentsOf: folder.write("a.bin", "content"), hint: .generic).sha256
        folder.write("blobs/README", "not a blob")
        folder.write("blobs/ab/cd/\(String(repeating: "AB", count: 32))", "upper case")
        folder.write("blobs/ab/cd/\(String(repeating: "a", count: 63))", "too short")
        folder.write("blobs/ab/cd/\(String(repeating: "a", count: 64)).tmp", "suffix")
        #expect(try store.allBlobs() == [sha])
    }

    @Test func errorsSayWhatToDoAndCarryTheirKind() {
        let sha = String(repeating: "0", count: 64)
        #expect(BlobStoreError.notFound(sha256: sha).kind == .notFound)
        #expect(BlobStoreError.notFound(sha256: sha).message.contains("callvault verify"))
        #expect(BlobStoreError.corrupt(sha256: sha, reason: "x").kind == .corrupt)
        #expect(BlobStoreError.corrupt(sha256: sha, reason: "x").message.contains("not served"))
        #expect(BlobStoreError.rangeNotSatisfiable(requested: "5-9", size: 3).kind == .badInput)
        #expect(BlobStoreError.injectedFault(.renamed).message.contains("renamed"))
    }
}
