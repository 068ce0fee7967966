import Foundation
import Testing
import CallvaultBlobStore
import CallvaultTesting

@Suite struct LocalBlobStoreCompressionTests {
    let folder = TemporaryFolder("callvault-blobs")

    private func store(_ name: String) -> LocalBlobStore {
        LocalBlobStore(root: folder.path(name), temporaryFolder: folder.path("tmp"))
    }

    private func onDiskSize(_ root: String, _ sha: String) throws -> Int64 {
        let s = Array(sha)
        let url = folder.path(root).appendingPathComponent(String(s[0..<2])).appendingPathComponent(String(s[2..<4]))
            .appendingPathComponent(sha)
        return try #require(FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber).int64Value
    }

    @Test func speechStoredAsPCM16IsSmallerThanGenericAndThanGzip() throws {
        let wav = Samples.wav(seconds: 30)
        let url = folder.write("call.wav", wav)
        let pcm = try store("pcm").put(contentsOf: url, hint: .pcm16)
        let generic = try store("generic").put(contentsOf: url, hint: .generic)
        let gzipPath = FileManager.default.fileExists(atPath: "/bin/gzip") ? "/bin/gzip" : "/usr/bin/gzip"
        let gzip = Int64(try runProgram(gzipPath, ["-6", "-c", url.path]).count)
        #expect(pcm.bytes == Int64(wav.count))
        #expect(pcm.storedBytes < generic.storedBytes, "pcm16 \(pcm.storedBytes) vs generic \(generic.storedBytes)")
        #expect(pcm.storedBytes < gzip, "pcm16 \(pcm.storedBytes) vs gzip -6 \(gzip)")
        #expect(generic.storedBytes < Int64(wav.count))
    }

    @Test(arguments: [CompressionHint.generic, .pcm16])
    func storedBytesIsTheSizeOnDisk(hint: CompressionHint) throws {
        let url = folder.write("call-\(hint).wav", Samples.wav(seconds: 3, seed: 5))
        let stored = try store("s-\(hint)").put(contentsOf: url, hint: hint)
        #expect(try onDiskSize("s-\(hint)", stored.sha256) == stored.storedBytes)
    }

    @Test(arguments: [CompressionHint.generic, .pcm16])
    func incompressibleBytesGrowOnlyByTheLayoutOverhead(hint: CompressionHint) throws {
        let bytes = Content.random.bytes(1_000_000, seed: 12)
        let stored = try store("r-\(hint)").put(contentsOf: folder.write("random-\(hint).bin", Data(bytes)), hint: hint)
        // 64-byte header, 48-byte trailer, 48 bytes of index and a few bytes of zlib framing per chunk.
        #expect(stored.storedBytes < Int64(bytes.count) + Int64(bytes.count) / 500 + 1024)
    }
}
