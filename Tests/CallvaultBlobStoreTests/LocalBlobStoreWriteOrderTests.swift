import Foundation
import Testing
import CallvaultBlobStore
import CallvaultTesting

/// DESIGN invariant 1, the blob half: a blob is written to tmp/, fsynced, renamed into place and
/// its folder fsynced; a failure or crash at any step leaves either no blob or the whole blob.
@Suite struct LocalBlobStoreWriteOrderTests {
    /// What the fault seam saw at one step.
    struct Observation: Equatable, Sendable {
        var step: BlobWriteStep
        var temporaries: Int
        var blobs: Int
    }

    final class Observations: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Observation] = []
        func append(_ item: Observation) { lock.withLock { items.append(item) } }
        var all: [Observation] { lock.withLock { items } }
    }

    /// Regular files anywhere under `url`.
    static func regularFiles(under url: URL) -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return enumerator.compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
    }

    static func temporaries(_ folder: TemporaryFolder) -> [String] {
        filesIn(folder.path("tmp")).filter { $0.hasPrefix("blob-") }
    }

    @Test func theWriteStepsRunInTheDurableOrder() throws {
        let folder = TemporaryFolder("callvault-blobs")
        let observations = Observations()
        let blobs = folder.path("blobs")
        let store = makeLocalStore(folder, chunkSize: 4096, faultSeam: { step throws(BlobStoreError) in
            observations.append(Observation(step: step, temporaries: Self.temporaries(folder).count,
                                             blobs: Self.regularFiles(under: blobs).count))
        })
        let url = folder.write("in.wav", Data(Content.pcm.bytes(20_001)))
        #expect(try store.put(contentsOf: url, hint: .pcm16).isNew)
        #expect(observations.all == [
            Observation(step: .tempWritten, temporaries: 1, blobs: 0),
            Observation(step: .tempSynced, temporaries: 1, blobs: 0),
            Observation(step: .renamed, temporaries: 0, blobs: 1),
            Observation(step: .folderSynced, temporaries: 0, blobs: 1),
        ])
        #expect(Self.temporaries(folder) == [])
    }

    @Test func anIdempotentPutStopsBeforeTheRenameAndLeavesNoTemporary() throws {
        let folder = TemporaryFolder("callvault-blobs")
        let observations = Observations()
        let url = folder.write("in.wav", Data(Content.pcm.bytes(20_001)))
        _ = try makeLocalStore(folder).put(contentsOf: url, hint: .pcm16)
        let store = makeLocalStore(folder, faultSeam: { step throws(BlobStoreError) in
            observations.append(Observation(step: step, temporaries: 0, blobs: 0))
        })
        #expect(try !store.put(contentsOf: url, hint: .pcm16).isNew)
        #expect(observations.all.map(\.step) == [.tempWritten, .tempSynced])
        #expect(Self.temporaries(folder) == [])
    }

    @Test(arguments: BlobWriteStep.allCases)
    func aFailureAtEachStepLeavesNoBlobOrTheWholeBlob(failingStep: BlobWriteStep) throws {
        let folder = TemporaryFolder("callvault-blobs")
        let original = Content.pcm.bytes(20_001)
        let url = folder.write("in.wav", Data(original))
        let sha = try independentSHA256(of: url)
        let failing = makeLocalStore(folder, chunkSize: 4096, faultSeam: { step throws(BlobStoreError) in
            if step == failingStep { throw .injectedFault(step) }
        })
        #expect(blobError { _ = try failing.put(contentsOf: url, hint: .pcm16) } == .injectedFault(failingStep))
        #expect(Self.temporaries(folder) == [], "the temporary file is removed or renamed")

        let store = makeLocalStore(folder, chunkSize: 4096)
        switch failingStep {
        case .tempWritten, .tempSynced:
            #expect(Self.regularFiles(under: folder.path("blobs")) == [], "nothing reaches blobs/ before the rename")
            #expect(try store.allBlobs() == [])
            #expect(!store.contains(sha))
            #expect(blobError { _ = try readBytes(store, sha) }?.isNotFound == true)
            #expect(try store.put(contentsOf: url, hint: .pcm16).isNew, "a retry stores the blob")
        case .renamed, .folderSynced:
            #expect(try store.allBlobs() == [sha])
            #expect(try readBytes(store, sha) == original, "a renamed blob is complete")
            try store.verify(sha)
            #expect(try !store.put(contentsOf: url, hint: .pcm16).isNew, "a retry finds the blob in place")
        }
        #expect(try readBytes(store, sha) == original)
        #expect(Self.temporaries(folder) == [])
    }

    @Test(arguments: BlobWriteStep.allCases)
    func aCrashAtEachStepLeavesNoBlobOrTheWholeBlob(crashingStep: BlobWriteStep) async throws {
        let folder = TemporaryFolder("callvault-blobs")
        let original = Content.pcm.bytes(20_001)
        let url = folder.write("in.wav", Data(original))
        let sha = try independentSHA256(of: url)
        // The child process puts the file and dies (no cleanup runs) at the step.
        await #expect(processExitsWith: .exitCode(42)) { [root = folder.url.path as String, input = url.path as String, step = crashingStep.rawValue as String] in
            let store = LocalBlobStore(root: URL(fileURLWithPath: root).appendingPathComponent("blobs"),
                                       temporaryFolder: URL(fileURLWithPath: root).appendingPathComponent("tmp"),
                                       chunkSize: 4096, faultSeam: { current throws(BlobStoreError) in
                                           if current.rawValue == step { exit(42) }
                                       })
            _ = try? store.put(contentsOf: URL(fileURLWithPath: input), hint: .pcm16)
            exit(0)
        }

        let store = makeLocalStore(folder, chunkSize: 4096)
        switch crashingStep {
        case .tempWritten, .tempSynced:
            #expect(Self.regularFiles(under: folder.path("blobs")) == [])
            #expect(!store.contains(sha))
            #expect(Self.temporaries(folder).count == 1, "a crash leaves its temporary behind")
            #expect(try store.removeStaleTemporaries() == 1)
            #expect(Self.temporaries(folder) == [])
        case .renamed, .folderSynced:
            #expect(Self.temporaries(folder) == [])
            #expect(try store.allBlobs() == [sha])
            #expect(try readBytes(store, sha) == original)
            #expect(try store.removeStaleTemporaries() == 0)
        }
    }
}
