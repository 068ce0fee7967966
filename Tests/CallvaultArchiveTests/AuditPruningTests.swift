import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// R4: the processing log keeps each entry for `retention.audit_log_period` (at least two
/// years); expiry prunes older ones from the start of the chain, records the pruning in the
/// log, and `audit verify` checks the rest from the pruned anchor — still detecting any
/// other deletion, change or insertion.
@Suite struct AuditPruningTests {
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Date
        init(_ date: Date) { value = date }
        var now: Date {
            get { lock.withLock { value } }
            set { lock.withLock { value = newValue } }
        }
    }

    /// An archive with ten search entries logged on 2026-01-10 and five on 2026-06-10.
    func archiveWithAnOldLog() throws -> (TestArchive, Archive, Clock) {
        let fixture = try TestArchive()
        let clock = Clock(PolicyFixture.date("2026-01-10"))
        let archive = try Archive(root: fixture.root, now: { clock.now })
        for _ in 0..<10 { _ = try archive.search(SearchQuery(limit: 1), actor: fixture.actor) }
        clock.now = PolicyFixture.date("2026-06-10")
        for _ in 0..<5 { _ = try archive.search(SearchQuery(limit: 1), actor: fixture.actor) }
        return (fixture, archive, clock)
    }

    @Test func entriesPastTwoYearsArePrunedAndTheRestStillVerifies() throws {
        let (fixture, archive, clock) = try archiveWithAnOldLog()
        let oldest = try fixture.sql("SELECT max(seq) FROM audit_log WHERE time_ms < \(Int64(PolicyFixture.date("2026-01-11").timeIntervalSince1970 * 1000))")
        // Two years and a day after the oldest entries: they go, the June ones stay.
        clock.now = PolicyFixture.date("2028-01-11")
        let dry = try archive.expire(dryRun: true)
        #expect(dry.auditPruned == Int(oldest)!)
        #expect(try fixture.sql("SELECT min(seq) FROM audit_log") == "1", "a dry run prunes nothing")
        let report = try archive.expire()
        #expect(report.auditPruned == Int(oldest)!)
        #expect(try fixture.sql("SELECT min(seq) FROM audit_log") == String(Int(oldest)! + 1))
        #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE time_ms < \(Int64(PolicyFixture.date("2026-06-01").timeIntervalSince1970 * 1000))") == "0")
        #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE action = 'search'") == "5")
        // The head holds the anchor; the first remaining entry follows it.
        let anchor = try fixture.sql("SELECT pruned_upto || '|' || pruned_hash FROM audit_head")
        #expect(anchor.hasPrefix("\(oldest)|"))
        #expect(try fixture.sql("SELECT prev_hash FROM audit_log ORDER BY seq LIMIT 1") == anchor.split(separator: "|")[1])
        // The pruning is in the log itself.
        let recorded = try fixture.sql("SELECT actor, details FROM audit_log WHERE action = 'audit-prune'")
        #expect(recorded.hasPrefix("svc:expiry|") && recorded.contains("\"count\":\"\(oldest)\"") && recorded.contains("\"upto\":\"\(oldest)\""))
        let verification = try archive.verifyAudit(actor: fixture.actor)
        #expect(verification.ok, "\(verification.problem ?? "")")
        // A second run prunes nothing more and still verifies.
        #expect(try archive.expire().auditPruned == 0)
        #expect(try archive.verifyAudit(actor: fixture.actor).ok)
        // Four years on, the June entries and the first run's records go too; the chain still holds.
        clock.now = PolicyFixture.date("2031-01-01")
        #expect(try archive.expire().auditPruned > 5)
        #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE action = 'search'") == "0")
        #expect(try archive.verifyAudit(actor: fixture.actor).ok)
    }

    @Test func theTriggerStillRefusesDeletingEntriesPastTheAnchor() throws {
        let (fixture, archive, clock) = try archiveWithAnOldLog()
        clock.now = PolicyFixture.date("2028-01-11")
        _ = try archive.expire()
        #expect(throws: (any Error).self) { try fixture.sql("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)") }
    }

    func pruned() throws -> (TestArchive, Archive) {
        let (fixture, archive, clock) = try archiveWithAnOldLog()
        clock.now = PolicyFixture.date("2028-01-11")
        _ = try archive.expire()
        #expect(try archive.verifyAudit(actor: fixture.actor).ok)
        return (fixture, archive)
    }

    @Test func deletingAMiddleEntryAfterPruningIsDetected() throws {
        let (fixture, archive) = try pruned()
        let middle = try fixture.sql("SELECT seq FROM audit_log ORDER BY seq LIMIT 1 OFFSET 2")
        try fixture.sql("DROP TRIGGER audit_log_append_only_delete; DELETE FROM audit_log WHERE seq = \(middle)")
        let result = try archive.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.firstBad == Int64(middle))
    }

    @Test func changingOrInsertingAfterPruningIsDetected() throws {
        let (fixture, archive) = try pruned()
        try fixture.sql("DROP TRIGGER audit_log_append_only_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = (SELECT min(seq) FROM audit_log)")
        #expect(try !archive.verifyAudit(actor: fixture.actor).ok)
    }

    @Test func aTamperedAnchorIsDetected() throws {
        let (fixture, archive) = try pruned()
        try fixture.sql("UPDATE audit_head SET pruned_hash = '\(String(repeating: "a", count: 64))'")
        #expect(try !archive.verifyAudit(actor: fixture.actor).ok, "an anchor that the first entry does not follow")
    }

    @Test func movingTheAnchorToHideMoreEntriesIsDetected() throws {
        // Moving the anchor past the next entry (and deleting it, as the trigger then allows)
        // leaves a chain that hangs together, but disagrees with the recorded pruning.
        let (fixture, archive) = try pruned()
        let next = try fixture.sql("SELECT seq || '|' || hash FROM audit_log ORDER BY seq LIMIT 1").split(separator: "|")
        try fixture.sql("UPDATE audit_head SET pruned_upto = \(next[0]), pruned_hash = '\(next[1])'; DELETE FROM audit_log WHERE seq = \(next[0])")
        let result = try archive.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.problem?.contains("pruning") == true)
    }

    @Test func resettingTheAnchorIsDetected() throws {
        let (fixture, archive) = try pruned()
        try fixture.sql("UPDATE audit_head SET pruned_upto = 0, pruned_hash = NULL")
        #expect(try !archive.verifyAudit(actor: fixture.actor).ok)
    }
}
