import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// DESIGN.md invariant 3: an extracted recording is byte-identical; a corrupt blob is reported, never served.
@Suite struct Invariant3ByteExactTests {
    @Test func everySampleRecordingExtractsByteExact() throws {
        let fixture = try TestArchive()
        _ = try fixture.archive.ingest([TestArchive.samples.appendingPathComponent("asterisk/monitor")], actor: fixture.admin)
        let walker = FileManager.default.enumerator(at: TestArchive.samples.appendingPathComponent("asterisk/monitor"), includingPropertiesForKeys: nil)!
        var originals: [String: Data] = [:]
        for case let url as URL in walker where url.pathExtension == "wav" { originals[url.lastPathComponent] = try Data(contentsOf: url) }
        #expect(originals.count == 7)
        for n in 1...7 {
            let item = try fixture.archive.show("rec-\(n)", actor: fixture.actor)
            let name = try #require(item.detail?.blob?.fileName)
            let out = fixture.folder.path("out-\(n).wav")
            _ = try fixture.archive.extractRecording("rec-\(n)", to: out, purpose: "customer-service", actor: fixture.actor)
            #expect(try Data(contentsOf: out) == originals[name])
        }
    }

    @Test func aCorruptBlobIsReportedAndNotServed() throws {
        let fixture = try TestArchive()
        try fixture.ingest(fixture.input("in-0923456789-0401234567-20260314-093000-1773473400.1.wav", Samples.wav(seconds: 4)))
        let sha = try fixture.sql("SELECT sha256 FROM recordings")
        let blobPath = fixture.root.appendingPathComponent("blobs/\(sha.prefix(2))/\(sha.dropFirst(2).prefix(2))/\(sha)")
        var bytes = try Data(contentsOf: blobPath)
        bytes[200] ^= 0x55
        try bytes.write(to: blobPath)

        let out = fixture.folder.path("served.wav")
        #expect {
            _ = try fixture.archive.extractRecording("rec-1", to: out, purpose: "complaint", actor: fixture.actor)
        } throws: { error in
            (error as? any CallvaultError)?.kind == .corrupt
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let report = try fixture.archive.verify(repair: true, actor: fixture.admin)
        #expect(report.corrupt == ["rec-1"])
        // Repair never deletes a referenced blob, even a corrupt one: it moves it to quarantine as it was.
        let entry = try #require(report.quarantinedNow.first)
        #expect(entry.items == ["rec-1"] && entry.reason == .corrupt)
        #expect(try Data(contentsOf: fixture.root.appendingPathComponent("quarantine/\(entry.fileName)")) == bytes)
        #expect(try fixture.sql("SELECT outcome FROM audit_log WHERE action = 'extract'") == "failed")
    }

    @Test func aMissingBlobIsReportedAsMissing() throws {
        let fixture = try TestArchive()
        try fixture.ingest(fixture.input("in-0923456789-0401234567-20260314-093000-1773473400.1.wav", Samples.wav(seconds: 1)))
        let sha = try fixture.sql("SELECT sha256 FROM recordings")
        try FileManager.default.removeItem(at: fixture.root.appendingPathComponent("blobs/\(sha.prefix(2))/\(sha.dropFirst(2).prefix(2))/\(sha)"))
        let report = try fixture.archive.verify(repair: false, actor: fixture.admin)
        #expect(report.missing == ["rec-1"])
    }
}
