import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting
import CallvaultIndex

/// DESIGN.md invariant 4 and R18, R51, R54: no item an active hold covers is deleted by
/// expiry — whatever the hold's scope, and for items ingested after the hold; released,
/// the items go at the next run.
@Suite struct Invariant4HoldsWinTests {
    typealias F = PolicyFixture

    /// Expires at the far future and checks exactly `kept` survived of what was there.
    func expireKeeping(_ fixture: TestArchive, _ keptSQL: String) throws -> ExpiryReport {
        let kept = try F.ids(fixture, keptSQL)
        #expect(!kept.isEmpty, "the hold must cover something for the test to mean anything")
        let report = try fixture.expire(at: F.farFuture)
        let left = try F.ids(fixture, "SELECT id FROM items")
        #expect(kept.isSubset(of: left), "held items deleted: \(kept.subtracting(left).sorted())")
        #expect(left == kept, "only held items survive: \(left.subtracting(kept).sorted()) were not deleted")
        #expect(report.held == kept.count)
        #expect(report.deleted.total > 0)
        return report
    }

    @Test func aHoldOnACustomerKeepsEveryItemLinkedToThem() throws {
        let fixture = try F.endedSamples()
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", customers: ["C001"]), actor: fixture.actor)
        let report = try expireKeeping(fixture, "SELECT item_id FROM item_customers WHERE customer_id = 'C001'")
        #expect(report.kept.allSatisfy { $0.why == .hold && $0.by == "hold-1" })
    }

    @Test func aHoldOnANumberKeepsEveryItemFromOrToIt() throws {
        let fixture = try F.endedSamples()
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", numbers: ["+358 50 765 4321"]), actor: fixture.actor)
        _ = try expireKeeping(fixture, "SELECT id FROM items WHERE from_e164 = '+358507654321' OR to_e164 = '+358507654321'")
    }

    @Test func aHoldOnACallKeepsItAndItsRecording() throws {
        let fixture = try F.endedSamples()
        let call = try #require(try fixture.archive.search(SearchQuery(limit: 1_000), actor: fixture.actor).items.first { $0.recording != nil })
        let other = try fixture.sql("SELECT min(id) FROM items WHERE kind = 'call' AND id <> \(call.id.number)")
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", items: [call.id.description, "call-\(other)"]), actor: fixture.actor)
        _ = try expireKeeping(fixture, "SELECT \(call.id.number) UNION SELECT \(other) UNION SELECT item_id FROM recordings WHERE call_item_id = \(call.id.number)")
        let recording = try #require(call.recording)
        // The held recording's audio is still there, byte for byte.
        _ = try fixture.archive.extractRecording(recording.description, to: fixture.folder.path("held.wav"), purpose: "legal-claim", actor: fixture.actor)
        #expect(try fixture.archive.verify(repair: false, actor: fixture.admin).missing.isEmpty)
    }

    @Test func aHoldOnATimeRangeKeepsEveryItemInIt() throws {
        let fixture = try F.endedSamples()
        let from = F.date("2026-10-24"), to = F.date("2026-10-25")
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", from: from, to: to), actor: fixture.actor)
        _ = try expireKeeping(fixture, "SELECT id FROM items WHERE start_utc >= \(Int(from.timeIntervalSince1970)) AND start_utc < \(Int(to.timeIntervalSince1970))")
    }

    @Test func aHoldCombiningScopesAndARangeKeepsWhatMatchesAScopeInsideTheRange() throws {
        let fixture = try F.endedSamples()
        let from = F.date("2026-10-23"), to = F.date("2026-10-25")
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", customers: ["C001"], numbers: ["050 765 4321"], from: from, to: to),
                                          actor: fixture.actor)
        _ = try expireKeeping(fixture, """
            SELECT id FROM items WHERE start_utc >= \(Int(from.timeIntervalSince1970)) AND start_utc < \(Int(to.timeIntervalSince1970))
              AND (id IN (SELECT item_id FROM item_customers WHERE customer_id = 'C001') OR from_e164 = '+358507654321' OR to_e164 = '+358507654321')
            """)
    }

    @Test func aHoldPlacedBeforeIngestKeepsTheItemsThatArriveLater() throws {
        let fixture = try TestArchive()
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", numbers: ["040 123 4567"]), actor: fixture.actor)
        try fixture.ingest(TestArchive.samples.appendingPathComponent("asterisk"))
        try F.endRelationships(fixture)
        _ = try expireKeeping(fixture, "SELECT id FROM items WHERE from_e164 = '+358401234567' OR to_e164 = '+358401234567'")
    }

    @Test func releasedTheItemsGoAtTheNextRunAndTheReportListsThem() throws {
        let fixture = try F.endedSamples()
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", customers: ["C002"]), actor: fixture.actor)
        let held = try F.ids(fixture, "SELECT item_id FROM item_customers WHERE customer_id = 'C002'")
        let first = try fixture.expire(at: F.farFuture)
        #expect(first.held == held.count)
        #expect(Set(first.kept.map { String($0.id.number) }) == held)
        #expect(first.kept.allSatisfy { $0.by == "hold-1" })
        _ = try fixture.archive.releaseHold("hold-1", reason: "settled", actor: fixture.actor)
        let second = try fixture.expire(at: F.farFuture)
        #expect(second.held == 0 && second.deleted.total == held.count)
        #expect(Set(second.dueIDs.map { String($0.number) }) == held, "R54: the report lists what the release let go")
        #expect(try fixture.sql("SELECT count(*) FROM items") == "0")
        // R3: the deletion is attributed to the expiry service with the ids.
        let logged = try fixture.sql("SELECT actor, role, items FROM audit_log WHERE action = 'expire' ORDER BY seq DESC LIMIT 1")
        #expect(logged.hasPrefix("svc:expiry|service|["))
        #expect(try fixture.archive.verifyAudit(actor: fixture.actor).ok)
    }

    @Test func aHoldPlacedBetweenRunsKeepsWhatTheFirstRunDidNotReach() throws {
        // Items not yet due at the first run, held before they fall due, survive the second.
        let fixture = try F.endedSamples()
        let early = try fixture.expire(at: F.date("2028-01-01")) // recordings (12 months) go
        #expect(early.deleted.recordings > 0 && early.deleted.calls == 0)
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", customers: ["C003"]), actor: fixture.actor)
        _ = try expireKeeping(fixture, "SELECT item_id FROM item_customers WHERE customer_id = 'C003'")
    }

    // MARK: coverage belongs to items

    @Test func unlinkingAHeldItemFromTheHoldsCustomerDoesNotLetItGo() throws {
        let fixture = try F.endedSamples()
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "H-1", reason: "r", customers: ["C001"]), actor: fixture.actor)
        let held = try F.ids(fixture, "SELECT item_id FROM item_customers WHERE customer_id = 'C001'")
        let call = try fixture.sql("SELECT min(item_id) FROM item_customers WHERE customer_id = 'C001' AND item_id IN (SELECT id FROM items WHERE kind = 'call')")
        _ = try fixture.archive.setLink("call-\(call)", customer: "C001", linked: false, reason: "wrong link", actor: fixture.actor)
        #expect(try fixture.sql("SELECT count(*) FROM item_customers WHERE item_id = \(call) AND customer_id = 'C001'") == "0")
        #expect(try fixture.archive.hold("hold-1", actor: fixture.actor).items.contains { String($0.number) == call })
        _ = try expireKeeping(fixture, "SELECT \(held.sorted().joined(separator: " UNION SELECT "))")
    }

    @Test func aNumberReassignedToAnotherCustomerLeavesItsItemsUnderTheFirstCustomersHold() throws {
        let fixture = try F.endedSamples()
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "H-2", reason: "r", customers: ["C001"]), actor: fixture.actor)
        let held = try F.ids(fixture, "SELECT item_id FROM item_customers WHERE customer_id = 'C001'")
        // 040 123 4567 now belongs to C003 (and C001 has another number): the links move.
        _ = try fixture.archive.importCustomers(from: fixture.input("moved.csv", """
            customer_id,name,phones,relationship_ended
            C001,Mäkinen Jukka,040 999 0000,2026-01-01
            C003,Äijälä Matti,040 123 4567,2026-01-01
            """), actor: fixture.actor)
        #expect(try fixture.sql("SELECT count(*) FROM item_customers WHERE customer_id = 'C001'") == "0")
        _ = try expireKeeping(fixture, "SELECT \(held.sorted().joined(separator: " UNION SELECT "))")
    }

    @Test func anItemThatComesToMatchAHoldLaterIsCoveredFromThenOn() throws {
        let fixture = try F.endedSamples()
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "H-3", reason: "r", customers: ["C004"]), actor: fixture.actor)
        let other = try fixture.sql("SELECT min(id) FROM items WHERE kind = 'call' AND id NOT IN (SELECT item_id FROM item_customers WHERE customer_id = 'C004')")
        _ = try fixture.archive.setLink("call-\(other)", customer: "C004", linked: true, reason: "it was them", actor: fixture.actor)
        // Linked by hand, then the link corrected back: the hold covered it meanwhile, and keeps it.
        _ = try fixture.archive.setLink("call-\(other)", customer: "C004", linked: false, reason: "it was not", actor: fixture.actor)
        #expect(try fixture.archive.hold("hold-1", actor: fixture.actor).items.contains { String($0.number) == other })
        let report = try fixture.expire(at: F.farFuture)
        #expect(report.held > 0)
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE id = \(other)") == "1")
    }

    @Test func releasedTheHoldsCoverageEndsWithIt() throws {
        let fixture = try F.endedSamples()
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "H-4", reason: "r", customers: ["C001"]), actor: fixture.actor)
        #expect(try fixture.sql("SELECT count(*) FROM hold_items") != "0")
        _ = try fixture.archive.releaseHold("hold-1", reason: "settled", actor: fixture.actor)
        #expect(try fixture.sql("SELECT count(*) FROM hold_items") == "0")
        #expect(try fixture.archive.hold("hold-1", actor: fixture.actor).items.isEmpty)
        _ = try fixture.expire(at: F.farFuture)
        #expect(try fixture.sql("SELECT count(*) FROM items") == "0")
    }

    /// The last line of defence: whatever path (or hand-written SQL) tries, the schema refuses.
    @Test func theIndexRefusesToDeleteAHeldItemItsCoverageOrTheHold() throws {
        let fixture = try F.endedSamples()
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "H-5", reason: "r", numbers: ["040 123 4567"]), actor: fixture.actor)
        let item = try fixture.sql("SELECT min(item_id) FROM hold_items")
        #expect(throws: (any Error).self) { try fixture.sql("DELETE FROM items WHERE id = \(item)") }
        #expect(throws: (any Error).self) { try fixture.sql("DELETE FROM hold_items WHERE item_id = \(item)") }
        #expect(throws: (any Error).self) { try fixture.sql("UPDATE hold_items SET hold_id = 99 WHERE item_id = \(item)") }
        #expect(throws: (any Error).self) { try fixture.sql("DELETE FROM holds") }
        #expect(throws: (any Error).self) { try fixture.sql("UPDATE holds SET to_utc = 0") }
        // The one deletion primitive every path uses asks the one question first, and deletes nothing.
        let index = try ArchiveIndex(path: fixture.root.appendingPathComponent("index.sqlite"))
        let unheld = try fixture.sql("SELECT min(id) FROM items WHERE id NOT IN (SELECT item_id FROM hold_items)")
        #expect(throws: IndexError.self) { try index.write { try $0.deleteItems([Int64(unheld)!, Int64(item)!], now: Date()) } }
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE id IN (\(item), \(unheld))") == "2")
    }

    @Test func anUpgradedArchiveKeepsWhatItsHoldsCoveredBeforeTheUpgrade() throws {
        let fixture = try F.endedSamples()
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "H-6", reason: "r", customers: ["C002"]), actor: fixture.actor)
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "H-7", reason: "r", from: F.date("2026-10-24"), to: F.date("2026-10-25")), actor: fixture.actor)
        let covered = try fixture.sql("SELECT hold_id || ':' || item_id FROM hold_items ORDER BY 1")
        #expect(!covered.isEmpty)
        // The archive as a callvault before hold coverage left it.
        try fixture.sql("""
            DROP TRIGGER hold_cover_new_item; DROP TRIGGER hold_cover_changed_item; DROP TRIGGER hold_cover_new_link;
            DROP TRIGGER hold_cover_new_recording; DROP TRIGGER hold_cover_joined_recording; DROP TRIGGER hold_items_keep;
            DROP TRIGGER hold_items_unchanged; DROP TRIGGER holds_kept; DROP TRIGGER holds_release_only; DROP TRIGGER held_items_kept;
            DROP TABLE hold_items; DROP INDEX holds_active; DELETE FROM grdb_migrations WHERE identifier = 'v13-hold-coverage';
            """)
        let upgraded = try fixture.reopened()
        #expect(try upgraded.schemaMigrations().contains("v13-hold-coverage"))
        #expect(try fixture.sql("SELECT hold_id || ':' || item_id FROM hold_items ORDER BY 1") == covered)
    }
}
