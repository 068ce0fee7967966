import Foundation
import Testing
import CallvaultArchive
import CallvaultBlobStore
import CallvaultModel
import CallvaultTesting

/// DESIGN.md invariant 1: the blob is durable before the index row that points at it commits;
/// a failure at any step leaves the old state or the new one; verify reports an orphan and
/// verify --repair quarantines it (RepairQuarantineTests has the rest).
@Suite struct Invariant1NothingLostTests {
    /// The `callvault` process is killed (exit from the fault seam, no cleanup) at each
    /// durable step of a recording ingest; the archive stays consistent and the next ingest
    /// or `verify --repair` completes it.
    @Test(arguments: ["temp-written", "temp-synced", "renamed", "folder-synced", "before-index-commit"])
    func aProcessKilledMidIngestLeavesAConsistentArchive(step: String) throws {
        let folder = TemporaryFolder()
        let cli = CLIRunner(archive: folder.path("archive"))
        try cli.initWithAccounts()
        let wav = folder.write("in/in-0923456789-0401234567-20260314-093000-1773473400.1.wav", Samples.wav(seconds: 20))

        let crashed = try cli.run(["ingest", wav.path, "--json", "--as", CLIRunner.admin], environment: ["CALLVAULT_CRASH_AT": step])
        #expect(crashed.status == 86, "the process must die at \(step)")

        // Old state or new state: never an index row without its blob. A blob without its row
        // (an orphan, from a kill after the rename) is a finding: verify says so and exits 1.
        let afterCrash = try cli.run(["verify", "--json", "--as", CLIRunner.admin])
        let orphans = afterCrash.json["orphans"] as? Int ?? -1
        #expect(orphans == (["renamed", "folder-synced", "before-index-commit"].contains(step) ? 1 : 0))
        #expect(afterCrash.status == (orphans == 0 ? 0 : 1), "\(afterCrash.stdout) \(afterCrash.stderr)")
        #expect(afterCrash.json["temporaries"] as? Int == 0, "the killed write's temp file went when verify opened the archive")
        #expect((afterCrash.json["missing"] as? [Any])?.isEmpty == true)
        #expect((afterCrash.json["corrupt"] as? [Any])?.isEmpty == true)
        let searched = try cli.run(["search", "--kind", "recording", "--json", "--as", "lee"])
        #expect(searched.json["total"] as? Int == 0, "the row must not commit when the process died before the commit")

        let again = try cli.run(["ingest", wav.path, "--json", "--as", CLIRunner.admin])
        #expect(again.json["recordings"] as? Int == 1)
        let repaired = try cli.run(["verify", "--repair", "--json", "--as", CLIRunner.admin])
        #expect(repaired.status == 0)
        #expect(try cli.run(["verify", "--json", "--as", CLIRunner.admin]).json["orphans"] as? Int == 0)
        let out = folder.path("out.wav")
        #expect(try cli.run(["recording", "extract", "rec-1", "--out", out.path, "--purpose", "complaint", "--as", "lee"]).status == 0)
        #expect(try Data(contentsOf: out) == Data(contentsOf: wav))
        #expect(try cli.run(["audit", "verify", "--json", "--as", CLIRunner.admin]).json["ok"] as? Bool == true)
    }

    @Test func anOrphanBlobFromAnInterruptedIngestIsReportedAndRepaired() throws {
        let fixture = try TestArchive()
        // A blob written but never committed to the index: what a crash before the commit leaves.
        let store = LocalBlobStore(root: fixture.root.appendingPathComponent("blobs"), temporaryFolder: fixture.root.appendingPathComponent("tmp"))
        let orphan = fixture.input("orphan.wav", Samples.wav(seconds: 1, seed: 7))
        let stored = try store.put(contentsOf: orphan, hint: .pcm16)
        fixture.folder.write("archive/tmp/blob-leftover.tmp", "partial")

        let before = try fixture.archive.verify(repair: false, actor: fixture.admin)
        #expect(before.orphans == 1 && !before.isClean)
        #expect(before.corrupt.isEmpty && before.missing.isEmpty)
        #expect(before.temporaries == 1, "the archive is open here: the temp file may be a write in progress, so it is counted, not removed")
        let repaired = try fixture.archive.verify(repair: true, actor: fixture.admin)
        #expect(repaired.quarantinedNow.map(\.sha256) == [stored.sha256], "repair quarantines; it never deletes")
        #expect(!store.contains(stored.sha256))
        #expect(FileManager.default.fileExists(atPath: fixture.root.appendingPathComponent("quarantine/\(repaired.quarantinedNow[0].fileName)").path))
        #expect(!(try fixture.archive.verify(repair: false, actor: fixture.admin).isClean), "until someone purges or re-links it")
    }

    @Test func aBlobReferencedByTheIndexIsNeverRemovedByRepair() throws {
        let fixture = try TestArchive()
        let wav = fixture.input("in-0923456789-0401234567-20260314-093000-1773473400.1.wav", Samples.wav(seconds: 2))
        try fixture.ingest(wav)
        let report = try fixture.archive.verify(repair: true, actor: fixture.admin)
        #expect(report.quarantinedNow.isEmpty && report.isClean)
        let out = fixture.folder.path("out.wav")
        let extracted = try fixture.archive.extractRecording("rec-1", to: out, purpose: "complaint", actor: fixture.actor)
        #expect(extracted.bytes == Int64(try Data(contentsOf: wav).count))
    }
}
