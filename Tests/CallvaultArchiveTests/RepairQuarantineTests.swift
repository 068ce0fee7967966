import Foundation
import Testing
import CallvaultArchive
import CallvaultBlobStore
import CallvaultModel
import CallvaultTesting

/// Invariant 1's last clause (issue 22): repair never destroys the last copy of anything. Orphans
/// and damaged blobs move to `quarantine/` with a report; a source that hashes to a blob heals
/// or re-links it; the quarantine is emptied only by an audited purge (never of held items) or
/// by expiry of what it held.
@Suite struct RepairQuarantineTests {
    static let recordingName = "in-0923456789-0401234567-20260314-093000-1773473400.1.wav"

    func blobFile(_ fixture: TestArchive, _ sha: String) -> URL {
        fixture.root.appendingPathComponent("blobs/\(sha.prefix(2))/\(sha.dropFirst(2).prefix(2))/\(sha)")
    }

    func quarantineFiles(_ fixture: TestArchive) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fixture.root.appendingPathComponent("quarantine").path)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    /// A blob in the store that no index row names: what a crash that cut the index leaves.
    func orphan(_ fixture: TestArchive, _ wav: Data) throws -> String {
        let store = LocalBlobStore(root: fixture.root.appendingPathComponent("blobs"), temporaryFolder: fixture.root.appendingPathComponent("tmp"))
        return try store.put(contentsOf: fixture.input("orphan-\(UUID().uuidString).wav", wav), hint: .pcm16).sha256
    }

    func report(_ fixture: TestArchive, _ entry: QuarantineEntry) throws -> [String: Any] {
        let data = try Data(contentsOf: fixture.root.appendingPathComponent("quarantine/\(entry.id).json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func anOrphanIsMovedToQuarantineWithAReportNeverDeleted() throws {
        let fixture = try TestArchive()
        let sha = try orphan(fixture, Samples.wav(seconds: 1, seed: 7))
        let stored = try Data(contentsOf: blobFile(fixture, sha))

        let found = try fixture.archive.verify(repair: false, actor: fixture.admin)
        #expect(found.orphans == 1 && found.orphanBlobs == [sha])
        #expect(!found.isClean, "an orphan is a finding: verify must not call the archive clean")

        let repaired = try fixture.archive.verify(repair: true, actor: fixture.admin)
        let entry = try #require(repaired.quarantinedNow.first)
        #expect(entry.reason == .orphan && entry.sha256 == sha && entry.items.isEmpty && entry.by == "tester.admin")
        #expect(!FileManager.default.fileExists(atPath: blobFile(fixture, sha).path), "out of the store")
        #expect(try Data(contentsOf: fixture.root.appendingPathComponent("quarantine/\(entry.id).blob")) == stored,
                "the blob file is kept byte for byte")
        let json = try report(fixture, entry)
        #expect(json["reason"] as? String == "orphan" && json["sha256"] as? String == sha)
        #expect(json["quarantined_at"] as? String != nil && (json["detail"] as? String)?.contains("no index row") == true)
        #expect(json["original_bytes"] as? Int == Samples.wav(seconds: 1, seed: 7).count)
        #expect(!repaired.isClean, "a quarantined blob keeps verify failing until someone decides")
        let again = try fixture.archive.verify(repair: false, actor: fixture.admin)
        #expect(again.orphans == 0 && again.quarantine.entries.map(\.id) == [entry.id] && !again.isClean)
        #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE action = 'quarantine' AND details LIKE '%\(entry.id)%'") == "1")
    }

    @Test func anOrphanWhoseSourceIsInProcessedIsReingestedWithItsLinks() throws {
        let fixture = try TestArchive()
        try fixture.ingest(fixture.input("Master.csv", Samples.cdrLine(src: "0401234567", dst: "0923456789", uniqueID: "1773473400.1") + "\n"))
        let wav = Samples.wav(seconds: 2, seed: 11)
        let sha = try orphan(fixture, wav)
        // The spool kept the ingested original under processed/<day>/.
        fixture.folder.write("archive/spool/processed/2026-03-14/\(Self.recordingName)", wav)

        let repaired = try fixture.archive.verify(repair: true, actor: fixture.admin)
        #expect(repaired.relinked == [sha])
        #expect(repaired.quarantinedNow.isEmpty && quarantineFiles(fixture).isEmpty)
        #expect(repaired.isClean)
        let found = try fixture.archive.search(SearchQuery(kind: .recording), actor: fixture.actor)
        let recording = try #require(found.items.first)
        let shown = try fixture.archive.show(recording.id.description, actor: fixture.actor)
        #expect(shown.detail?.blob?.sha256 == sha)
        #expect(shown.detail?.call != nil, "the recording is linked to its call again")
    }

    @Test func aQuarantinedOrphanIsRelinkedFromABackupFolderAndReleased() throws {
        let fixture = try TestArchive()
        let wav = Samples.wav(seconds: 1, seed: 21)
        let sha = try orphan(fixture, wav)
        let first = try fixture.archive.verify(repair: true, actor: fixture.admin)
        #expect(first.quarantinedNow.count == 1)

        let backup = fixture.folder.path("backup")
        fixture.folder.write("backup/recordings/\(Self.recordingName)", wav)
        fixture.folder.write("backup/recordings/unrelated.wav", Samples.wav(seconds: 1, seed: 22))
        let second = try fixture.archive.verify(repair: true, sources: [backup], actor: fixture.admin)
        #expect(second.relinked == [sha])
        #expect(second.released == first.quarantinedNow.map(\.id))
        #expect(quarantineFiles(fixture).isEmpty && second.isClean)
        let out = fixture.folder.path("out.wav")
        _ = try fixture.archive.extractRecording("rec-1", to: out, purpose: "complaint", actor: fixture.actor)
        #expect(try Data(contentsOf: out) == wav)
        #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE action = 'quarantine-release'") == "1")
    }

    @Test func aCorruptBlobGoesToQuarantineAndComesBackFromASource() throws {
        let fixture = try TestArchive()
        let wav = Samples.wav(seconds: 2, seed: 31)
        try fixture.ingest(fixture.input(Self.recordingName, wav))
        let sha = try fixture.sql("SELECT sha256 FROM recordings")
        var bytes = try Data(contentsOf: blobFile(fixture, sha))
        bytes[bytes.count / 2] ^= 0x55
        try bytes.write(to: blobFile(fixture, sha))

        let repaired = try fixture.archive.verify(repair: true, actor: fixture.admin)
        #expect(repaired.corrupt == ["rec-1"])
        let entry = try #require(repaired.quarantinedNow.first)
        #expect(entry.reason == .corrupt && entry.items == ["rec-1"] && entry.retainUntil != nil)
        #expect(try Data(contentsOf: fixture.root.appendingPathComponent("quarantine/\(entry.fileName)")) == bytes,
                "the damaged file is kept as it was")
        let after = try fixture.archive.verify(repair: false, actor: fixture.admin)
        #expect(after.missing == ["rec-1"] && !after.isClean)

        let backup = fixture.folder.path("backup")
        fixture.folder.write("backup/\(Self.recordingName)", wav)
        let healed = try fixture.archive.verify(repair: true, sources: [backup], actor: fixture.admin)
        #expect(healed.restored == ["rec-1"] && healed.released == [entry.id])
        #expect(healed.isClean && quarantineFiles(fixture).isEmpty)
        let out = fixture.folder.path("out.wav")
        _ = try fixture.archive.extractRecording("rec-1", to: out, purpose: "complaint", actor: fixture.actor)
        #expect(try Data(contentsOf: out) == wav)
    }

    @Test func purgeIsAuditedRefusesHeldItemsAndUnknownIds() throws {
        let fixture = try TestArchive()
        try fixture.ingest(fixture.input(Self.recordingName, Samples.wav(seconds: 1, seed: 41)))
        let sha = try fixture.sql("SELECT sha256 FROM recordings")
        try Data("garbage".utf8).write(to: blobFile(fixture, sha))
        let entry = try #require(try fixture.archive.verify(repair: true, actor: fixture.admin).quarantinedNow.first)
        let hold = try fixture.archive.placeHold(HoldRequest(caseName: "case-q", reason: "dispute", items: ["rec-1"]), actor: fixture.actor)

        #expect(throws: (any Error).self) {
            _ = try fixture.archive.purgeQuarantine(ids: [entry.id], olderThan: nil, dryRun: false, actor: fixture.lead)
        }
        #expect {
            _ = try fixture.archive.purgeQuarantine(ids: ["q-nope"], olderThan: nil, dryRun: false, actor: fixture.admin)
        } throws: { ($0 as? any CallvaultError)?.kind == .notFound }

        let held = try fixture.archive.purgeQuarantine(ids: [entry.id], olderThan: nil, dryRun: false, actor: fixture.admin)
        #expect(held.purged.isEmpty && held.kept.map { $0.entry.id } == [entry.id])
        #expect(held.kept.first?.reason.contains(hold.id) == true)
        #expect(quarantineFiles(fixture) == [entry.fileName, entry.reportName])

        _ = try fixture.archive.releaseHold(hold.id, reason: "settled", actor: fixture.actor)
        let dry = try fixture.archive.purgeQuarantine(ids: [], olderThan: Date.distantFuture, dryRun: true, actor: fixture.admin)
        #expect(dry.purged.map(\.id) == [entry.id] && quarantineFiles(fixture).count == 2, "a dry run deletes nothing")
        let purged = try fixture.archive.purgeQuarantine(ids: [entry.id], olderThan: nil, dryRun: false, actor: fixture.admin)
        #expect(purged.purged.map(\.id) == [entry.id])
        #expect(quarantineFiles(fixture).isEmpty)
        #expect(try fixture.sql("SELECT actor || ' ' || outcome FROM audit_log WHERE action = 'quarantine-purge' ORDER BY seq") == "tester.admin denied\ntester.admin allowed")
        #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE action = 'repair-archive' AND outcome = 'denied'") == "1")
    }

    @Test func expiryOfWhatAnEntryHeldRemovesItButKeepsOrphans() throws {
        let fixture = try TestArchive()
        try fixture.ingest(fixture.input(Self.recordingName, Samples.wav(seconds: 1, seed: 51)))
        let sha = try fixture.sql("SELECT sha256 FROM recordings")
        try Data("garbage".utf8).write(to: blobFile(fixture, sha))
        _ = try orphan(fixture, Samples.wav(seconds: 1, seed: 52))
        let repaired = try fixture.archive.verify(repair: true, actor: fixture.admin)
        #expect(Set(repaired.quarantinedNow.map(\.reason)) == [.corrupt, .orphan])

        try fixture.expire(at: ISO8601DateFormatter().date(from: "2040-01-01T00:00:00Z")!)
        #expect(try fixture.sql("SELECT count(*) FROM items") == "0")
        let left = try fixture.archive.quarantineListing(actor: fixture.admin)
        #expect(left.entries.map(\.reason) == [.orphan], "an orphan's contents are unknown: only a person may purge it")
        #expect(try fixture.sql("SELECT actor FROM audit_log WHERE action = 'quarantine-expire'") == "svc:expiry")
    }

    @Test func tempFilesAreCountedAndEachOpenByTheOnlyUserRemovesThem() throws {
        let fixture = try TestArchive()
        // The fixture's archive is open: a new file in tmp/ may be a write in progress, so it stays.
        fixture.folder.write("archive/tmp/blob-killed.tmp", "compressed audio")
        fixture.folder.write("archive/tmp/export-killed.zip", "zip")
        #expect(try fixture.archive.verify(repair: true, actor: fixture.admin).temporaries == 2)
        #expect(try fixture.reopened().leftoversRemovedAtOpen == 0)
        #expect(FileManager.default.fileExists(atPath: fixture.root.appendingPathComponent("tmp/blob-killed.tmp").path))
    }

    /// Erasure's scrubber overwrites and removes `tmp/` leftovers (compressed audio of anyone,
    /// the erased customer included) not written for 10 minutes; a fresh file may be a write in
    /// progress in this process and stays.
    @Test func erasureScrubsStaleTempFilesButNotFreshOnes() throws {
        let fixture = try TestArchive()
        _ = try fixture.archive.importCustomers(from: fixture.input("customers.csv", Samples.customersCSV([(id: "C1", name: "Tmp Tiina", phones: "040 123 4567")])), actor: fixture.actor)
        try fixture.ingest(fixture.input("Master.csv", Samples.cdrLine(uniqueID: "15.1") + "\n"))
        let stale = fixture.folder.write("archive/tmp/blob-killed.tmp", Data(repeating: 0x42, count: 4096))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: stale.path)
        let fresh = fixture.folder.write("archive/tmp/blob-writing.tmp", "in progress")
        fixture.clock.now = ISO8601DateFormatter().date(from: "2040-01-01T00:00:00Z")!
        let report = try fixture.archive.erase(customer: "C1", reason: "req-tmp", actor: fixture.actor)
        #expect(report.spoolFilesScrubbed >= 1)
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(FileManager.default.fileExists(atPath: fresh.path))
    }

    /// `BlobStore.moveOut`: the stored file, byte for byte, at the destination; gone from the store.
    @Test func moveOutMovesTheStoredFileAsItIs() throws {
        let folder = TemporaryFolder()
        let store = LocalBlobStore(root: folder.path("blobs"), temporaryFolder: folder.path("tmp"))
        let stored = try store.put(contentsOf: folder.write("a.wav", Samples.wav(seconds: 1, seed: 61)), hint: .pcm16)
        let file = folder.path("blobs/\(stored.sha256.prefix(2))/\(stored.sha256.dropFirst(2).prefix(2))/\(stored.sha256)")
        let bytes = try Data(contentsOf: file)
        try FileManager.default.createDirectory(at: folder.path("aside"), withIntermediateDirectories: true)
        try store.moveOut(stored.sha256, to: folder.path("aside/x.blob"))
        #expect(try Data(contentsOf: folder.path("aside/x.blob")) == bytes)
        #expect(!store.contains(stored.sha256))
        #expect(throws: BlobStoreError.notFound(sha256: stored.sha256)) { try store.moveOut(stored.sha256, to: folder.path("aside/y.blob")) }
    }
}
