import Foundation
import Testing
import CallvaultTesting
#if canImport(Glibc)
import Glibc
#endif

/// Issue 22 through the built binary: after a crash leaves an orphan, `verify` fails and says
/// so; `verify --repair` quarantines rather than deletes; a backup folder re-links the orphan;
/// `quarantine purge` is the audited way out; temp files of killed writes go at the next start.
@Suite struct RepairCLITests {
    let folder = TemporaryFolder("callvault-repair")
    var cli: CLIRunner { CLIRunner(archive: folder.path("archive")) }
    static let recordingName = "in-0923456789-0401234567-20260314-093000-1773473400.1.wav"

    var quarantine: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path("archive/quarantine").path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// An ingest killed after the blob was renamed into place, before its row committed: an orphan,
    /// the only copy of the recording inside the archive.
    func crashIntoAnOrphan(_ wav: Data, name: String = Self.recordingName, into backup: String = "backup") throws -> URL {
        let source = folder.write("\(backup)/\(name)", wav)
        let crashed = try cli.run(["ingest", source.path, "--json", "--as", CLIRunner.admin], environment: ["CALLVAULT_CRASH_AT": "folder-synced"])
        #expect(crashed.status == 86)
        return source
    }

    @Test func anOrphanFailsVerifyIsQuarantinedByRepairAndRelinkedFromABackup() throws {
        try cli.initWithAccounts()
        let wav = Samples.wav(seconds: 3, seed: 5)
        let source = try crashIntoAnOrphan(wav)

        let checked = try cli.run(["verify", "--as", CLIRunner.admin])
        #expect(checked.status == 1, "an orphan is not clean")
        #expect(checked.stdout.contains("NOT CLEAN") && checked.stdout.contains("orphans: 1"))
        #expect(checked.stdout.contains("verify --repair"))
        let json = try cli.run(["verify", "--json", "--as", CLIRunner.admin])
        #expect(json.status == 1 && json.json["ok"] as? Bool == false && json.json["orphans"] as? Int == 1)

        let repaired = try cli.run(["verify", "--repair", "--json", "--as", CLIRunner.admin])
        #expect(repaired.status == 1, "what is in quarantine still needs a decision")
        let moved = try #require(repaired.json["quarantined_now"] as? [[String: Any]])
        #expect(moved.count == 1 && moved.first?["reason"] as? String == "orphan")
        let id = try #require(moved.first?["id"] as? String)
        #expect(quarantine == ["\(id).blob", "\(id).json"])
        let listed = try cli.run(["quarantine", "list", "--json", "--as", CLIRunner.admin])
        #expect((listed.json["entries"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
        let text = try cli.run(["quarantine", "list", "--as", CLIRunner.admin])
        #expect(text.stdout.contains(id) && text.stdout.contains("orphan"))

        // The operator names the backup the recording came from: its bytes prove what the orphan was.
        let relinked = try cli.run(["verify", "--repair", "--source", source.deletingLastPathComponent().path, "--json", "--as", CLIRunner.admin])
        #expect(relinked.status == 0, "\(relinked.stdout) \(relinked.stderr)")
        #expect((relinked.json["relinked"] as? [String])?.count == 1)
        #expect(relinked.json["released"] as? [String] == [id])
        #expect(quarantine.isEmpty)
        #expect(try cli.run(["search", "--kind", "recording", "--json", "--as", "lee"]).json["total"] as? Int == 1)
        let clean = try cli.run(["verify", "--as", CLIRunner.admin])
        #expect(clean.status == 0 && clean.stdout.contains("OK"))
        #expect(try cli.run(["audit", "verify", "--json", "--as", CLIRunner.admin]).json["ok"] as? Bool == true)
    }

    @Test func purgeIsTheExplicitAuditedWayOutAndNeedsTheRepairRole() throws {
        try cli.initWithAccounts()
        _ = try crashIntoAnOrphan(Samples.wav(seconds: 1, seed: 6))
        let repaired = try cli.run(["verify", "--repair", "--json", "--as", CLIRunner.admin])
        let id = try #require((repaired.json["quarantined_now"] as? [[String: Any]])?.first?["id"] as? String)

        let denied = try cli.run(["quarantine", "purge", "--id", id, "--as", "carla"])
        #expect(denied.status == 1 && denied.stderr.contains("may not repair-archive"))
        let unknown = try cli.run(["quarantine", "purge", "--id", "q-unknown", "--as", CLIRunner.admin])
        #expect(unknown.status != 0 && unknown.stderr.contains("quarantine list"))
        let none = try cli.run(["quarantine", "purge", "--as", CLIRunner.admin])
        #expect(none.status == 2, "naming nothing is a usage error")
        let dry = try cli.run(["quarantine", "purge", "--id", id, "--dry-run", "--json", "--as", CLIRunner.admin])
        #expect(dry.json["purged"] as? [String] == [id] && quarantine.count == 2)
        let purged = try cli.run(["quarantine", "purge", "--id", id, "--json", "--as", CLIRunner.admin])
        #expect(purged.status == 0 && purged.json["purged"] as? [String] == [id])
        #expect(quarantine.isEmpty)
        #expect(try cli.run(["verify", "--as", CLIRunner.admin]).status == 0)
        let index = folder.path("archive/index.sqlite").path
        #expect(try Shell.run("/usr/bin/sqlite3", [index, "SELECT actor || ' ' || outcome FROM audit_log WHERE action = 'quarantine-purge'"]) == "\(CLIRunner.admin) allowed")
    }

    @Test func tempFilesOfAKilledWriteAreCountedAndRemovedAtTheNextStart() throws {
        try cli.initWithAccounts()
        let source = folder.write("in/\(Self.recordingName)", Samples.wav(seconds: 2, seed: 8))
        let crashed = try cli.run(["ingest", source.path, "--as", CLIRunner.admin], environment: ["CALLVAULT_CRASH_AT": "temp-synced"])
        #expect(crashed.status == 86)
        let tmp = folder.path("archive/tmp")
        func leftovers() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix("blob-") } }
        #expect(try leftovers().count == 1)

        // While another process has the archive open (a running serve, here this test holding the
        // in-use lock), a temp file may be its write in progress: counted, left alone.
        let fd = open(tmp.appendingPathComponent(".in-use").path, O_RDWR | O_CREAT, 0o600)
        #expect(fd >= 0 && flock(fd, LOCK_SH) == 0)
        let busy = try cli.run(["verify", "--json", "--as", CLIRunner.admin])
        #expect(busy.json["temporaries"] as? Int == 1)
        #expect(try leftovers().count == 1)
        close(fd)

        // The next start that finds no other user removes it.
        let next = try cli.run(["verify", "--json", "--as", CLIRunner.admin])
        #expect(next.json["temporaries"] as? Int == 0)
        #expect(try leftovers().isEmpty)
        #expect(next.status == 0)
    }
}
