import Foundation
import Testing
import CallvaultArchive
import CallvaultConfiguration
import CallvaultModel
import CallvaultPolicy
import CallvaultTesting

/// Nothing in the spool is kept longer than needed (issue 17): `expire` removes processed raw
/// copies after `[spool] keep_processed` (default 7 days) and rejected files after
/// `keep_rejected` (default 30 days), lists them, and keeps a day's processed copies while a
/// hold covers an item ingested that day; a rejected SMS log is kept with its message text
/// overwritten (lengths kept), never with the text.
@Suite struct SpoolHygieneTests {
    static let day: TimeInterval = 86_400

    func drop(_ fixture: TestArchive, _ name: String, _ data: Data) {
        let incoming = fixture.root.appendingPathComponent("spool/incoming")
        let temp = incoming.appendingPathComponent(".drop-\(UUID().uuidString.prefix(8)).part")
        try! data.write(to: temp)
        try! FileManager.default.moveItem(at: temp, to: incoming.appendingPathComponent(name))
    }

    func files(_ fixture: TestArchive, _ folder: String) -> [String] {
        let url = fixture.root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { ($0 as? URL).flatMap { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true ? nil : $0.lastPathComponent } }.sorted()
    }

    func drain(_ fixture: TestArchive) throws -> IngestSummary {
        try SpoolWatcher(archive: fixture.archive, actor: Archive.spoolActor).drain()
    }

    /// A fixture whose clock starts at noon UTC, so "days later" never straddles a day folder's edge.
    func fixture() throws -> TestArchive {
        let noon = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / Self.day).rounded(.down) * Self.day + Self.day / 2)
        return try TestArchive(clock: TestClock(noon))
    }

    @Test func processedCopiesGoAfterTheirPeriodAndExpireListsThem() throws {
        let fixture = try fixture()
        let start = fixture.clock.now
        drop(fixture, "Master.csv", Data((Samples.cdrLine(uniqueID: "7.1") + "\n").utf8))
        drop(fixture, "in-0923456789-0401234567-20260314-093000-7.1.wav", Samples.wav(seconds: 1))
        #expect(try drain(fixture).files == 2)
        #expect(files(fixture, "spool/processed").count == 2)

        let early = try fixture.expire(at: start.addingTimeInterval(6 * Self.day))
        #expect(early.spool.removed.isEmpty)
        #expect(files(fixture, "spool/processed").count == 2, "kept for 7 days")

        let plan = try fixture.archive.expire(now: start.addingTimeInterval(9 * Self.day), dryRun: true, actor: Archive.expiryActor)
        #expect(plan.spool.removed.count == 2 && files(fixture, "spool/processed").count == 2, "a dry run only lists them")

        let report = try fixture.expire(at: start.addingTimeInterval(8 * Self.day))
        #expect(report.spool.removed.map(\.folder) == ["processed", "processed"])
        #expect(Set(report.spool.removed.map(\.name)) == ["Master.csv", "in-09******89-04******67-20****14-09**00-7.1.wav"],
                "names as the ingest page shows them, numbers masked")
        #expect(files(fixture, "spool/processed").isEmpty)
        #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE action = 'spool-cleanup'") == "1")
        #expect(try fixture.sql("SELECT count(*) FROM items") == "2", "the items stay: only the raw copies go")
    }

    @Test func aHoldOnAnItemKeepsTheRawCopiesOfItsDayUntilReleased() throws {
        let fixture = try fixture()
        let start = fixture.clock.now
        drop(fixture, "Master.csv", Data((Samples.cdrLine(uniqueID: "8.1") + "\n").utf8))
        #expect(try drain(fixture).calls == 1)
        let call = try #require(try fixture.archive.search(SearchQuery(kind: .call), actor: fixture.actor).items.first)
        let hold = try fixture.archive.placeHold(HoldRequest(caseName: "Case 4", reason: "dispute", items: [call.id.description]),
                                                 actor: fixture.actor)

        let kept = try fixture.expire(at: start.addingTimeInterval(10 * Self.day))
        #expect(kept.spool.removed.isEmpty)
        #expect(kept.spool.kept.map(\.by) == [hold.id])
        #expect(files(fixture, "spool/processed") == ["Master.csv"])

        _ = try fixture.archive.releaseHold(hold.id, reason: "case closed", actor: fixture.actor)
        let after = try fixture.expire(at: start.addingTimeInterval(11 * Self.day))
        #expect(after.spool.removed.map(\.name) == ["Master.csv"])
        #expect(files(fixture, "spool/processed").isEmpty)
    }

    @Test func rejectedFilesWaitTheirPeriodAndTheReportSaysWhenTheyGo() throws {
        let fixture = try fixture()
        let start = fixture.clock.now
        drop(fixture, "notes.txt", Data("hello\n".utf8))
        _ = try drain(fixture)
        #expect(files(fixture, "spool/rejected") == ["notes.txt", SpoolWatcher.noteName(for: "notes.txt")].sorted())

        let early = try fixture.expire(at: start.addingTimeInterval(8 * Self.day))
        #expect(early.spool.removed.isEmpty)
        let waiting = try #require(early.spool.waiting.first)
        #expect(early.spool.waiting.count == 1 && waiting.name == "notes.txt" && waiting.folder == "rejected")
        #expect(abs(waiting.removeAfter.timeIntervalSince(start.addingTimeInterval(30 * Self.day))) < 5)
        let status = try fixture.archive.spoolStatus(actor: fixture.admin)
        #expect(status.rejected.first?.removeAfter == waiting.removeAfter, "the ingest page says when it goes")

        let report = try fixture.expire(at: start.addingTimeInterval(31 * Self.day))
        #expect(report.spool.removed.map(\.name) == ["notes.txt"] && report.spool.waiting.isEmpty)
        #expect(files(fixture, "spool/rejected").isEmpty, "the file and its note")
    }

    @Test func thePeriodsComeFromTheConfiguration() throws {
        let fixture = try fixture()
        let start = fixture.clock.now
        let configuration = fixture.root.appendingPathComponent("callvault.toml")
        try (String(contentsOf: configuration, encoding: .utf8) + "\n[spool]\nkeep_processed = \"P1D\"\nkeep_rejected = \"P2D\"\n")
            .write(to: configuration, atomically: true, encoding: .utf8)
        let archive = try fixture.reopened()
        #expect(archive.configuration.spool.keepProcessed == RetentionPeriod(days: 1))
        drop(fixture, "Master.csv", Data((Samples.cdrLine(uniqueID: "9.1") + "\n").utf8))
        drop(fixture, "notes.txt", Data("hello\n".utf8))
        _ = try SpoolWatcher(archive: archive, actor: Archive.spoolActor).drain()
        fixture.clock.now = start.addingTimeInterval(3 * Self.day)
        let report = try archive.expire(actor: Archive.expiryActor)
        #expect(Set(report.spool.removed.map(\.name)) == ["Master.csv", "notes.txt"])

        for bad in ["keep_processed = \"seven days\"", "keep_rejected = 30", "keep_rejected = \"P-1D\""] {
            #expect(throws: (any Error).self) { try ArchiveConfiguration.parse("[spool]\n\(bad)\n") }
        }
    }

    /// A Kannel log rejected whole stays for the operator to fix, with every message body
    /// overwritten by zeros of the same length: the lines still parse once fixed, and no text is kept.
    @Test func aRejectedSMSLogIsKeptWithItsTextOverwritten() throws {
        let fixture = try fixture()
        let lines = [
            "2026-10-23 08:05:31 Frobnicated SMS [SMSC:elisa] [SVC:] [ACT:] [BINF:] [FID:] [META:] [from:+358401234567] [to:+358923456789] [flags:-1:0:-1:0:-1] [msg:21:Salainen viesti ] [x] [udh:0:]",
            "2026-10-23 08:05:32 Frobnicated SMS [SMSC:elisa] [SVC:] [ACT:] [BINF:] [FID:] [META:] [from:+358401234567] [to:+358923456789] [flags:-1:0:-1:0:-1] [msg:9:Toinen te",
            "jatkuu seuraavalla rivillä",
        ]
        let log = lines.joined(separator: "\n") + "\n"
        drop(fixture, "access.log", Data(log.utf8))
        let summary = try drain(fixture)
        #expect(summary.sms == 0 && summary.rejected.count == 3, "\(summary.rejected)")
        let kept = try String(contentsOf: fixture.root.appendingPathComponent("spool/rejected/access.log"), encoding: .utf8)
        for word in ["Salainen", "viesti", "Toinen", "jatkuu", "rivillä"] { #expect(!kept.contains(word)) }
        #expect(kept.utf8.count == log.utf8.count, "lengths kept")
        let keptLines = kept.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(keptLines[0].hasPrefix("2026-10-23 08:05:31 Frobnicated SMS [SMSC:elisa]"))
        #expect(keptLines[0].hasSuffix("[msg:21:" + String(repeating: "0", count: "Salainen viesti ] [x".utf8.count) + "] [udh:0:]"))
        #expect(keptLines[1].hasSuffix("[msg:9:000000000"))
        #expect(keptLines[2].allSatisfy { $0 == "0" })
    }

    /// An SMS CSV rejected whole stays too, its text column overwritten (as many zeros as the
    /// text had characters); a record that does not fit the header (an unquoted comma in a
    /// text) is overwritten whole. Without a text column in the header nothing is kept.
    @Test func aRejectedSMSCSVIsKeptWithItsTextColumnOverwritten() throws {
        let fixture = try fixture()
        let csv = """
            time,direction,from,to,message_id,status,parts,text
            yesterday,outbound,+358923456789,040 123 4567,m-1,sent,1,"Salainen, viesti"
            2026-10-23T10:05:00,sideways,0401234567,+358923456789,m-2,received,1,Toinen teksti, jossa pilkku

            """
        drop(fixture, "sms.csv", Data(csv.utf8))
        let summary = try drain(fixture)
        #expect(summary.sms == 0 && summary.rejected.count == 2, "\(summary.rejected)")
        let kept = try String(contentsOf: fixture.root.appendingPathComponent("spool/rejected/sms.csv"), encoding: .utf8)
        for word in ["Salainen", "viesti", "Toinen", "pilkku"] { #expect(!kept.contains(word)) }
        let lines = kept.components(separatedBy: "\r\n")
        #expect(lines[0] == "time,direction,from,to,message_id,status,parts,text")
        #expect(lines[1] == "yesterday,outbound,+358923456789,040 123 4567,m-1,sent,1," + String(repeating: "0", count: "Salainen, viesti".count))
        #expect(lines[2].allSatisfy { $0 == "0" || $0 == "," }, "nine fields under an eight-column header: all overwritten")

        drop(fixture, "other.csv", Data("time,direction,from,to,message_id,status,parts,note\nyesterday,out,1,2,m,sent,1,Hei\n".utf8))
        _ = try drain(fixture)
        #expect(!FileManager.default.fileExists(atPath: fixture.root.appendingPathComponent("spool/rejected/other.csv").path),
                "a column of unknown meaning may hold text: nothing of the file is kept")
    }
}
