import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// R24–R27: a restricted customer's items are stored only — hidden from search, show and
/// extract for every role but compliance (denials audited), never changed, and a restriction
/// opened by a request is lifted only when the request is closed.
@Suite struct RestrictionTests {
    static let lead = Actor.test("lead1", .lead)
    static let compliance = Actor.test("dpo", .compliance)

    @Test func aRestrictedCustomersItemsAreSeenOnlyByCompliance() throws {
        let fixture = try TestArchive.withSamples()
        let visible = try fixture.archive.search(SearchQuery(customer: "C001"), actor: Self.lead)
        #expect(visible.total > 0)
        let call = try #require(visible.items.first { $0.recording != nil })
        let recording = try #require(call.recording)

        let state = try fixture.archive.restrict(customer: "C001", reason: "accuracy contested", actor: Self.compliance)
        #expect(state.restricted && state.restrictions.map(\.reason) == ["accuracy contested"])
        #expect(try fixture.sql("SELECT action, items, outcome FROM audit_log ORDER BY seq DESC LIMIT 1") == "restrict|[\"customer:C001\"]|allowed")

        // A lead finds nothing, by customer or by number, and cannot open or play an item.
        #expect(try fixture.archive.search(SearchQuery(customer: "C001"), actor: Self.lead).total == 0)
        #expect(try fixture.archive.search(SearchQuery(number: "040 123 4567"), actor: Self.lead).items.allSatisfy { !$0.customers.contains("C001") })
        #expect(throws: (any Error).self) { try fixture.archive.show(call.id.description, actor: Self.lead) }
        #expect(try fixture.sql("SELECT action, items, outcome, reason FROM audit_log ORDER BY seq DESC LIMIT 1") == "show|[\"\(call.id)\"]|denied|restricted")
        let out = fixture.folder.path("out.wav")
        #expect(throws: (any Error).self) {
            try fixture.archive.extractRecording(recording.description, to: out, purpose: "complaint", actor: Self.lead)
        }
        #expect(try fixture.sql("SELECT action, outcome FROM audit_log ORDER BY seq DESC LIMIT 1") == "extract|denied")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        // Never changed: a lead's link correction is refused (and audited).
        #expect(throws: (any Error).self) {
            try fixture.archive.setLink(call.id.description, customer: "C001", linked: false, reason: "wrong customer", actor: Self.lead)
        }
        #expect(try fixture.sql("SELECT action, outcome FROM audit_log ORDER BY seq DESC LIMIT 1") == "rectify|denied")

        // Compliance sees them, marked restricted, and may play them.
        let seen = try fixture.archive.search(SearchQuery(customer: "C001"), actor: Self.compliance)
        #expect(seen.total == visible.total && seen.items.allSatisfy(\.restricted))
        #expect(try fixture.archive.show(call.id.description, actor: Self.compliance).restricted)
        _ = try fixture.archive.extractRecording(recording.description, to: out, purpose: "legal-claim", actor: Self.compliance)
        #expect(FileManager.default.fileExists(atPath: out.path))

        // Lifting needs compliance (the restrict action); then everyone sees them again.
        #expect(throws: (any Error).self) { try fixture.archive.unrestrict(customer: "C001", reason: "resolved", actor: Self.lead) }
        #expect(try fixture.sql("SELECT action, outcome FROM audit_log ORDER BY seq DESC LIMIT 1") == "restrict|denied")
        let lifted = try fixture.archive.unrestrict(customer: "C001", reason: "accuracy confirmed", actor: Self.compliance)
        #expect(!lifted.restricted)
        #expect(try fixture.archive.search(SearchQuery(customer: "C001"), actor: Self.lead).total == visible.total)
    }

    @Test func aRestrictionOpenedByARequestIsLiftedOnlyByClosingIt() throws {
        let fixture = try TestArchive.withSamples()
        try fixture.sql("""
            INSERT INTO requests (id, customer_id, type, received_at, due_at, opened_by) VALUES (7, 'C002', 'rectification', 0, 2678400, 'dpo');
            INSERT INTO restrictions (customer_id, reason, request_id, placed_by, placed_at) VALUES ('C002', 'ACCURACY_CONTESTED', 7, 'dpo', 0);
            """)
        let state = try fixture.archive.restrictionState(customer: "C002", actor: Self.compliance)
        #expect(state.restricted && state.restrictions.first?.request == "req-7")
        let error = #expect(throws: ArchiveFailure.self) {
            try fixture.archive.unrestrict(customer: "C002", reason: "done", actor: Self.compliance)
        }
        #expect(error?.message.contains("lifted when request req-7 is closed") == true)
        #expect(try fixture.archive.restrictionState(customer: "C002", actor: Self.compliance).restricted)
        #expect(try fixture.sql("SELECT action, outcome FROM audit_log ORDER BY seq DESC LIMIT 1") == "unrestrict|denied")
    }

    @Test func anErasureIsTheDecisionARestrictionByHandWaitedFor() throws {
        let fixture = try TestArchive.withSamples()
        _ = try fixture.archive.restrict(customer: "C001", reason: "pending erasure decision", actor: Self.compliance)
        let report = try fixture.archive.erase(customer: "C001", reason: "req-4", actor: Self.compliance)
        #expect(report.deleted.recordings > 0, "restricted items are erased")
        #expect(report.customerBlanked, "its calls are kept by contract")
        // The kept calls are no longer restricted, so they expire on their dates.
        #expect(try !fixture.archive.restrictionState(customer: "C001", actor: Self.compliance).restricted)
        #expect(try fixture.archive.search(SearchQuery(customer: "C001"), actor: Self.lead).items.allSatisfy { !$0.restricted })
    }

    @Test func restrictingTwiceOrAnUnknownCustomer() throws {
        let fixture = try TestArchive.withSamples()
        _ = try fixture.archive.restrict(customer: "C003", reason: "objection pending", actor: Self.compliance)
        let again = try fixture.archive.restrict(customer: "C003", reason: "objection pending", actor: Self.compliance)
        #expect(again.restrictions.count == 1)
        #expect(throws: ArchiveFailure.self) { try fixture.archive.restrict(customer: "C999", reason: "x", actor: Self.compliance) }
        #expect(throws: ArchiveFailure.self) { try fixture.archive.restrict(customer: "C003", reason: "  ", actor: Self.compliance) }
    }
}
