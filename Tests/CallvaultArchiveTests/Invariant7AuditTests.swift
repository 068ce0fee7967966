import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// DESIGN.md invariant 7 and R1–R6: every read is logged with actor, action, item ids and purpose;
/// the log holds no phone number or name; `audit verify` detects any tampering.
@Suite struct Invariant7AuditTests {
    func loadedArchive() throws -> TestArchive { try TestArchive.withSamples() }

    @Test func everyReadIsLoggedWithTheIdsItReturned() throws {
        let fixture = try loadedArchive()
        let u1 = Actor.test("u1", .lead)
        let result = try fixture.archive.search(SearchQuery(number: "040 123 4567", limit: 7), actor: u1)
        #expect(result.items.count == 7)
        let row = try fixture.sql("SELECT actor, action, items, outcome FROM audit_log WHERE action = 'search' ORDER BY seq DESC LIMIT 1")
        // The items shown, then the other legs of their calls (a queue call that rang two agents).
        let shown = result.items.map(\.id) + result.items.flatMap(\.legs).filter { !result.items.map(\.id).contains($0) }
        #expect(shown.count == 8)
        let ids = shown.map { "\"\($0)\"" }.joined(separator: ",")
        #expect(row == "u1|search|[\(ids)]|allowed")

        _ = try fixture.archive.show(result.items[0].id.description, actor: u1)
        #expect(try fixture.sql("SELECT actor, action, items FROM audit_log ORDER BY seq DESC LIMIT 1") == "u1|show|[\"\(result.items[0].id)\"]")

        let recording = try #require(result.items.compactMap(\.recording).first)
        let out = fixture.folder.path("x.wav")
        _ = try fixture.archive.extractRecording(recording.description, to: out, purpose: "complaint", actor: u1)
        #expect(try fixture.sql("SELECT actor, action, items, purpose, outcome FROM audit_log ORDER BY seq DESC LIMIT 1") == "u1|extract|[\"\(recording)\"]|complaint|allowed")
    }

    @Test func aSearchReturningFiftyItemsLogsAllFiftyIds() throws {
        let fixture = try loadedArchive()
        let result = try fixture.archive.search(SearchQuery(limit: 50), actor: fixture.actor)
        #expect(result.items.count == 50)
        let logged = try fixture.sql("SELECT items FROM audit_log WHERE action = 'search' ORDER BY seq DESC LIMIT 1")
        let ids = try JSONDecoder().decode([String].self, from: Data(logged.utf8))
        #expect(ids.count == Set(ids).count)
        #expect(Array(ids.prefix(50)) == result.items.map(\.id.description))
        #expect(Set(ids) == Set(result.items.map(\.id.description) + result.items.flatMap(\.legs).map(\.description)),
                "the other legs of a call shown are read too")
    }

    @Test func anExtractWithoutAnAllowedPurposeIsDeniedAndTheDenialLogged() throws {
        let fixture = try loadedArchive()
        for purpose in [nil, "curiosity"] as [String?] {
            #expect(throws: (any Error).self) {
                _ = try fixture.archive.extractRecording("rec-74", to: fixture.folder.path("x.wav"), purpose: purpose, actor: fixture.actor)
            }
            #expect(try fixture.sql("SELECT action, outcome FROM audit_log ORDER BY seq DESC LIMIT 1") == "extract|denied")
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.folder.path("x.wav").path))
    }

    @Test func ingestIsAttributedToTheActorThatRanIt() throws {
        let fixture = try TestArchive()
        _ = try fixture.archive.ingest([fixture.input("Master.csv", Samples.cdrLine() + "\n")], actor: .test("pbx1-upload", .ingest, origin: "spool"))
        #expect(try fixture.sql("SELECT actor, action, items FROM audit_log WHERE action = 'ingest'") == "pbx1-upload|ingest|[\"call-1\"]")
    }

    @Test func theLogHoldsNoPhoneNumberOrName() throws {
        let fixture = try loadedArchive()
        _ = try fixture.archive.search(SearchQuery(number: "+358 40 123 4567"), actor: fixture.actor)
        _ = try fixture.archive.search(SearchQuery(number: "1234567"), actor: fixture.actor)
        _ = try fixture.archive.search(SearchQuery(text: "Mäkinen"), actor: fixture.actor)
        let log = try fixture.sql("SELECT * FROM audit_log")
        #expect(!log.isEmpty)
        // No run of 6+ digits that could be a number (hashes are hex, times are 13-digit ms stamps).
        let rows = try fixture.sql("SELECT actor || role || action || items || coalesce(purpose,'') || details || coalesce(reason,'') || origin FROM audit_log")
        for match in rows.matches(of: /\d{6,}/) {
            let digits = String(match.output)
            #expect(!digits.hasPrefix("358") && !digits.hasPrefix("040") && !digits.hasPrefix("1234567"), "a number-like value in the log: \(digits)")
        }
        #expect(!rows.contains("Mäkinen") && !rows.lowercased().contains("mäkinen"))
        #expect(!rows.contains("+358"))
    }

    @Test func verifyDetectsAChangedEntry() throws {
        let fixture = try loadedArchive()
        #expect(try fixture.archive.verifyAudit(actor: fixture.actor).ok)
        try fixture.sql("DROP TRIGGER audit_log_append_only_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
        let result = try fixture.archive.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.firstBad == 3)
    }

    @Test func verifyDetectsADeletedMiddleEntry() throws {
        let fixture = try loadedArchive()
        try fixture.sql("DROP TRIGGER audit_log_append_only_delete; DELETE FROM audit_log WHERE seq = 2")
        let result = try fixture.archive.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.firstBad == 2)
    }

    @Test func verifyDetectsAnInsertedEntry() throws {
        let fixture = try loadedArchive()
        try fixture.sql("""
            DROP TRIGGER audit_log_append_only_update;
            UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3;
            UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1003;
            INSERT INTO audit_log SELECT 3, time_ms, 'mallory', role, action, items, purpose, details, outcome, reason,
                duration_ms, origin, prev_hash, hash FROM audit_log WHERE seq = 2;
            """)
        let result = try fixture.archive.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.firstBad == 3)
    }

    @Test func verifyDetectsReorderedEntries() throws {
        let fixture = try loadedArchive()
        try fixture.sql("""
            DROP TRIGGER audit_log_append_only_update;
            UPDATE audit_log SET seq = -1 WHERE seq = 2;
            UPDATE audit_log SET seq = 2 WHERE seq = 3;
            UPDATE audit_log SET seq = 3 WHERE seq = -1;
            """)
        let result = try fixture.archive.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.firstBad == 2)
    }

    @Test func verifyDetectsTruncation() throws {
        let fixture = try loadedArchive()
        let count = Int(try fixture.sql("SELECT count(*) FROM audit_log"))!
        try fixture.sql("DROP TRIGGER audit_log_append_only_delete; DELETE FROM audit_log WHERE seq > \(count - 3)")
        let result = try fixture.archive.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.firstBad == Int64(count - 2))
    }
}
