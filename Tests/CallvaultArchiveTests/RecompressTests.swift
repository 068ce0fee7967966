import Foundation
import Testing
import CallvaultArchive
@testable import CallvaultBlobStore
import CallvaultModel
import CallvaultTesting

/// `recompress`: recordings stored with an older codec are re-coded in place, byte-exact,
/// with the index's stored sizes following; a run is audited once and a second run has nothing left.
@Suite struct RecompressTests {
    /// An archive with one recording whose blob is in codec 1 (16-bit delta planes), as callvault stored it before.
    func archiveWithAnOldBlob() throws -> (TestArchive, sha: String, original: Data) {
        let fixture = try TestArchive()
        let original = Samples.wav(seconds: 30, seed: 7)
        try fixture.ingest(fixture.input("in-0923456789-0401234567-20260314-093000-1773473400.1.wav", original))
        let sha = try fixture.sql("SELECT sha256 FROM recordings")
        let store = LocalBlobStore(root: fixture.root.appendingPathComponent("blobs"), temporaryFolder: fixture.root.appendingPathComponent("tmp"))
        _ = try LegacyBlobWriter.write([UInt8](original), version: 2, codec: .delta16Planes, chunkSize: 256 * 1024, into: store)
        let stored = try store.storedSize(of: sha)
        _ = try fixture.sql("UPDATE recordings SET stored_bytes = \(stored)")
        return (fixture, sha, original)
    }

    func extracted(_ fixture: TestArchive) throws -> Data {
        let out = fixture.folder.path("out-\(UUID().uuidString).wav")
        _ = try fixture.archive.extractRecording("rec-1", to: out, purpose: "customer-service", actor: fixture.actor)
        return try Data(contentsOf: out)
    }

    @Test func oldBlobsAreRecodedSmallerAndStillByteExact() throws {
        let (fixture, sha, original) = try archiveWithAnOldBlob()
        let before = Int64(try fixture.sql("SELECT stored_bytes FROM recordings"))!
        let report = try fixture.archive.recompress(actor: fixture.admin)
        #expect(report.blobs == 1 && report.recoded == 1 && report.failed.isEmpty)
        #expect(report.storedBefore == before && report.storedAfter < before)
        #expect(Int64(try fixture.sql("SELECT stored_bytes FROM recordings")) == report.storedAfter)
        #expect(try extracted(fixture) == original)
        #expect(try fixture.archive.verify(repair: false, actor: fixture.admin).isClean)
        let store = LocalBlobStore(root: fixture.root.appendingPathComponent("blobs"), temporaryFolder: fixture.root.appendingPathComponent("tmp"))
        #expect(try store.isCodedWithAnOlderCodec(sha) == false)
        #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE action = 'recompress'") == "1")
        #expect(try fixture.sql("SELECT json_extract(details, '$.recoded') FROM audit_log WHERE action = 'recompress'") == "1")
    }

    @Test func aSecondRunFindsNothingLeft() throws {
        let (fixture, _, _) = try archiveWithAnOldBlob()
        _ = try fixture.archive.recompress(actor: fixture.admin)
        let again = try fixture.archive.recompress(actor: fixture.admin)
        #expect(again.current == 1 && again.recoded == 0 && again.saved == 0)
    }

    @Test func aDryRunEstimatesAndChangesNothing() throws {
        let (fixture, sha, original) = try archiveWithAnOldBlob()
        let before = try fixture.sql("SELECT stored_bytes FROM recordings")
        let report = try fixture.archive.recompress(dryRun: true, actor: fixture.admin)
        #expect(report.recoded == 1 && report.saved > 0)
        #expect(try fixture.sql("SELECT stored_bytes FROM recordings") == before)
        let store = LocalBlobStore(root: fixture.root.appendingPathComponent("blobs"), temporaryFolder: fixture.root.appendingPathComponent("tmp"))
        #expect(try store.isCodedWithAnOlderCodec(sha))
        #expect(try extracted(fixture) == original)
        #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE action = 'recompress-dry-run'") == "1")
    }

    @Test func onlyAnAdminMayRecompress() throws {
        let (fixture, _, _) = try archiveWithAnOldBlob()
        #expect(throws: (any Error).self) { _ = try fixture.archive.recompress(actor: fixture.actor) }
        #expect(throws: (any Error).self) { _ = try fixture.archive.recompress(actor: fixture.lead) }
    }
}
