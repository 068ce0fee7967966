import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// R36, R37: a wrong customer link is fixed everywhere — by correcting the customer's numbers
/// or by hand (`link` / `unlink`) — audited with before and after, kept across re-imports,
/// with the items' retention recomputed.
@Suite struct RectificationTests {
    static let actor = Actor.test("dpo", .compliance)

    @Test func correctingANumberMovesTheItemsFromOneCustomerToAnother() throws {
        let fixture = try TestArchive.withSamples()
        let before = try fixture.archive.search(SearchQuery(customer: "C001"), actor: fixture.actor)
        #expect(before.total > 0)
        // 040 123 4567 was never C001's: it belongs to a new customer C014.
        let csv = """
            customer_id,name,phones
            C001,Mäkinen Jukka,040 999 0001
            C014,Uusi Asiakas,040 123 4567

            """
        _ = try fixture.archive.importCustomers(from: fixture.input("fix.csv", csv), actor: fixture.actor)
        #expect(try fixture.archive.search(SearchQuery(customer: "C001"), actor: fixture.actor).total == 0)
        let moved = try fixture.archive.search(SearchQuery(customer: "C014"), actor: fixture.actor)
        #expect(moved.total == before.total)
        #expect(Set(moved.items.map(\.id)) == Set(before.items.map(\.id)))
    }

    @Test func aManualUnlinkAndLinkSurviveAReimport() throws {
        let fixture = try TestArchive.withSamples()
        let items = try fixture.archive.search(SearchQuery(customer: "C001", kind: .call), actor: fixture.actor).items
        let call = try #require(items.first { $0.recording != nil })
        let recording = try #require(call.recording)
        #expect(call.customers == ["C001"] && call.retainUntil == nil)

        let unlinked = try fixture.archive.setLink(call.id.description, customer: "C001", linked: false, reason: "caller was C008's spouse", actor: Self.actor)
        #expect(unlinked.before == ["C001"] && unlinked.after == [])
        #expect(unlinked.changed.contains(recording), "the call's recording follows the call")
        let linked = try fixture.archive.setLink(call.id.description, customer: "C008", linked: true, reason: "caller was C008's spouse", actor: Self.actor)
        #expect(linked.after == ["C008"])
        let audit = try fixture.sql("SELECT details FROM audit_log WHERE action = 'link' ORDER BY seq DESC LIMIT 1")
        #expect(audit.contains("\"before\":\"\"") && audit.contains("\"after\":\"C008\"") && audit.contains("\"customer\":\"C008\""))
        #expect(try fixture.sql("SELECT reason FROM audit_log WHERE action = 'unlink' ORDER BY seq DESC LIMIT 1") == "caller was C008's spouse")

        // C008's relationship ended on 2026-06-30: the call is now dated from it (R37: due dates follow the link).
        let shown = try fixture.archive.show(call.id.description, actor: fixture.actor)
        #expect(shown.customers == ["C008"] && shown.retainUntil != nil)
        #expect(try fixture.archive.search(SearchQuery(customer: "C001"), actor: fixture.actor).items.allSatisfy { $0.id != call.id })
        #expect(try fixture.archive.search(SearchQuery(customer: "C008"), actor: fixture.actor).items.contains { $0.id == call.id })

        // A re-import that relinks both customers (their numbers change) keeps the corrections.
        let csv = """
            customer_id,name,phones,relationship_ended
            C001,Mäkinen Jukka,040 123 4567;040 999 0002,
            C008,Kärkkäinen Tiina,045-234 5678;045 999 0003,2026-06-30

            """
        _ = try fixture.archive.importCustomers(from: fixture.input("again.csv", csv), actor: fixture.actor)
        #expect(try fixture.archive.show(call.id.description, actor: fixture.actor).customers == ["C008"])
        #expect(try fixture.archive.show(recording.description, actor: fixture.actor).customers == ["C008"])
        // Other calls of C001's number stay linked by number.
        #expect(try fixture.archive.search(SearchQuery(customer: "C001"), actor: fixture.actor).total > 0)
    }

    @Test func badLinkRequestsAreRefusedClearly() throws {
        let fixture = try TestArchive.withSamples()
        let call = try #require(try fixture.archive.search(SearchQuery(customer: "C001", kind: .call), actor: fixture.actor).items.first)
        #expect(throws: ArchiveFailure.self) { try fixture.archive.setLink("call-999999", customer: "C001", linked: true, reason: "x", actor: Self.actor) }
        #expect(throws: ArchiveFailure.self) { try fixture.archive.setLink("nonsense", customer: "C001", linked: true, reason: "x", actor: Self.actor) }
        #expect(throws: ArchiveFailure.self) { try fixture.archive.setLink(call.id.description, customer: "C999", linked: true, reason: "x", actor: Self.actor) }
        #expect(throws: ArchiveFailure.self) { try fixture.archive.setLink(call.id.description, customer: "C002", linked: true, reason: " ", actor: Self.actor) }
    }
}
