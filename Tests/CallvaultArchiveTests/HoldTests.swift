import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// Legal holds (R50, R54): place, list, show, release; scopes checked and normalised;
/// every change audited with actor and reason and without raw numbers.
@Suite struct HoldTests {
    @Test func aPlacedHoldIsListedShownAndReleasedOnce() throws {
        let fixture = try TestArchive.withSamples()
        let anna = Actor.test("anna", .compliance)
        let hold = try fixture.archive.placeHold(HoldRequest(caseName: "Case 12/2026", reason: "pending litigation", customers: ["C001"]), actor: anna)
        #expect(hold.id == "hold-1")
        #expect(hold.isActive && hold.placedBy == "anna")
        let linked = try fixture.sql("SELECT count(*) FROM item_customers WHERE customer_id = 'C001'")
        #expect(String(hold.coveredItems) == linked && hold.coveredItems > 0)

        let listed = try fixture.archive.holds(actor: anna)
        #expect(listed.map(\.id) == ["hold-1"])
        #expect(listed[0].scopes == [Hold.Scope(kind: .customer, value: "C001")])
        #expect(listed[0].coveredItems == hold.coveredItems)

        let detail = try fixture.archive.hold("hold-1", actor: anna)
        let expected = try fixture.sql("SELECT group_concat(item_id) FROM (SELECT item_id FROM item_customers WHERE customer_id = 'C001' ORDER BY item_id)")
        #expect(detail.items.map { String($0.number) }.joined(separator: ",") == expected)

        let released = try fixture.archive.releaseHold("hold-1", reason: "case settled", actor: anna)
        #expect(!released.isActive && released.releasedBy == "anna" && released.releaseReason == "case settled")
        #expect(try fixture.archive.holds(actor: anna).isEmpty)
        #expect(try fixture.archive.holds(includeReleased: true, actor: anna).map(\.id) == ["hold-1"])
        #expect(try fixture.archive.hold("hold-1", actor: anna).items.isEmpty, "a released hold covers nothing")
        let twice = #expect(throws: ArchiveFailure.self) { _ = try fixture.archive.releaseHold("hold-1", reason: "again", actor: anna) }
        #expect(twice?.kind == .refused)
        #expect(try fixture.sql("SELECT count(*) FROM holds WHERE released_at IS NOT NULL") == "1")
    }

    @Test func numbersAreNormalisedAndBadScopesRefused() throws {
        let fixture = try TestArchive.withSamples()
        let hold = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", numbers: ["040 123 4567", "00358401234567"]), actor: fixture.actor)
        #expect(hold.scopes == [Hold.Scope(kind: .number, value: "+358401234567")])
        let fromOrTo = try fixture.sql("SELECT count(*) FROM items WHERE from_e164 = '+358401234567' OR to_e164 = '+358401234567'")
        #expect(String(hold.coveredItems) == fromOrTo)

        let cases: [(HoldRequest, ErrorKind)] = [
            (HoldRequest(caseName: "c", reason: "r", numbers: ["not a number"]), .badInput),
            (HoldRequest(caseName: "c", reason: "r", numbers: ["1001"]), .badInput), // an extension is no E.164 number
            (HoldRequest(caseName: "c", reason: "r", customers: ["C999"]), .notFound),
            (HoldRequest(caseName: "c", reason: "r", items: ["call-99999"]), .notFound),
            (HoldRequest(caseName: "c", reason: "r", items: ["calls-1"]), .badInput),
            (HoldRequest(caseName: "c", reason: "r"), .refused),
            (HoldRequest(caseName: " ", reason: "r", customers: ["C001"]), .badInput),
            (HoldRequest(caseName: "c", reason: "", customers: ["C001"]), .badInput),
            (HoldRequest(caseName: "c", reason: "r", from: Date(timeIntervalSince1970: 2_000_000_000), to: Date(timeIntervalSince1970: 1_000_000_000)), .badInput),
        ]
        for (request, kind) in cases {
            let error = #expect(throws: ArchiveFailure.self) { _ = try fixture.archive.placeHold(request, actor: fixture.actor) }
            #expect(error?.kind == kind, "\(request)")
        }
        #expect(try fixture.sql("SELECT count(*) FROM holds") == "1", "refused holds leave nothing behind")
        let unknown = #expect(throws: ArchiveFailure.self) { _ = try fixture.archive.releaseHold("hold-7", reason: "x", actor: fixture.actor) }
        #expect(unknown?.kind == .notFound)
    }

    @Test func placeAndReleaseAreAuditedWithActorAndReasonAndNoRawNumber() throws {
        let fixture = try TestArchive.withSamples()
        let anna = Actor.test("anna", .compliance)
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "Case 7", reason: "police preservation order", customers: ["C002"],
                                                      numbers: ["+358 40 123 4567"], items: ["call-1"]), actor: anna)
        let placed = try fixture.sql("SELECT actor, role, items, reason, outcome FROM audit_log WHERE action = 'hold-place'")
        #expect(placed == "anna|compliance|[\"hold-1\",\"call-1\",\"customer:C002\"]|police preservation order|allowed")
        let details = try fixture.sql("SELECT details FROM audit_log WHERE action = 'hold-place'")
        #expect(!details.contains("401234567"), "R6: numbers only as keyed hashes")
        #expect(details.contains("\"numbers\""))
        _ = try fixture.archive.releaseHold("hold-1", reason: "order expired", actor: anna)
        #expect(try fixture.sql("SELECT actor, items, reason FROM audit_log WHERE action = 'hold-release'") == "anna|[\"hold-1\"]|order expired")
        #expect(try fixture.archive.verifyAudit(actor: anna).ok)
    }

    @Test func aHoldCoversMatchingItemsIngestedAfterItWasPlaced() throws {
        let fixture = try TestArchive()
        _ = try fixture.archive.importCustomers(from: TestArchive.samples.appendingPathComponent("customers.csv"), actor: fixture.actor)
        let byNumber = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", numbers: ["040 123 4567"]), actor: fixture.actor)
        let byCustomer = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", customers: ["C002"]), actor: fixture.actor)
        #expect(byNumber.coveredItems == 0 && byCustomer.coveredItems == 0)
        try fixture.ingest(TestArchive.samples.appendingPathComponent("asterisk"))
        let numberItems = try fixture.archive.hold(byNumber.id, actor: fixture.actor).items
        #expect(!numberItems.isEmpty)
        #expect(String(numberItems.count) == (try fixture.sql("SELECT count(*) FROM items WHERE from_e164 = '+358401234567' OR to_e164 = '+358401234567'")))
        let customerItems = try fixture.archive.hold(byCustomer.id, actor: fixture.actor).items
        #expect(String(customerItems.count) == (try fixture.sql("SELECT count(*) FROM item_customers WHERE customer_id = 'C002'")))
        #expect(!customerItems.isEmpty)
    }

    @Test func showAndSearchListTheHoldsCoveringAnItem() throws {
        let fixture = try TestArchive.withSamples()
        let withRecording = try #require(try fixture.archive.search(SearchQuery(limit: 1_000), actor: fixture.actor).items.first { $0.recording != nil })
        let call = withRecording.id
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", items: [call.description]), actor: fixture.actor)
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "d", reason: "r", from: withRecording.start, to: withRecording.start.addingTimeInterval(1)), actor: fixture.actor)
        #expect(try fixture.archive.show(call.description, actor: fixture.actor).holds == ["hold-1", "hold-2"])
        #expect(try fixture.archive.show(withRecording.recording!.description, actor: fixture.actor).holds.contains("hold-1"),
                "a held call's recording is held with it")
        let found = try fixture.archive.search(SearchQuery(limit: 1_000), actor: fixture.actor).items
        #expect(found.first { $0.id == call }?.holds == ["hold-1", "hold-2"])
        #expect(found.filter { !$0.holds.isEmpty }.allSatisfy { $0.id == call || $0.start == withRecording.start })
        _ = try fixture.archive.releaseHold("hold-1", reason: "done", actor: fixture.actor)
        #expect(try fixture.archive.show(call.description, actor: fixture.actor).holds == ["hold-2"])
    }
}

/// Archives for expiry tests.
enum PolicyFixture {
    static let zone = TimeZone(identifier: "Europe/Helsinki")!

    /// A date in the archive's zone (`2031-01-01`).
    static func date(_ text: String) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let p = text.split(separator: "-").map { Int($0)! }
        return calendar.date(from: DateComponents(year: p[0], month: p[1], day: p[2]))!
    }

    /// Past every sample item's retain-until date once the relationships have ended.
    static let farFuture = date("2031-01-01")

    /// The samples with every customer relationship ended on 2026-01-01: everything is due by 2030.
    static func endedSamples() throws -> TestArchive {
        let fixture = try TestArchive.withSamples()
        try endRelationships(fixture)
        return fixture
    }

    static func endRelationships(_ fixture: TestArchive) throws {
        let text = try String(contentsOf: TestArchive.samples.appendingPathComponent("customers.csv"), encoding: .utf8)
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").enumerated().map { $0.offset == 0 || !$0.element.hasSuffix(",") ? String($0.element) : $0.element + "2026-01-01" }
        _ = try fixture.archive.importCustomers(from: fixture.input("ended.csv", lines.joined(separator: "\n") + "\n"), actor: fixture.actor)
    }

    /// Item row ids of a query's result.
    static func ids(_ fixture: TestArchive, _ sql: String) throws -> Set<String> {
        Set(try fixture.sql(sql).split(separator: "\n").map(String.init))
    }

    /// Blob files in the archive's blob store.
    static func blobFiles(_ fixture: TestArchive) -> [String] {
        let root = fixture.root.appendingPathComponent("blobs")
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])?.compactMap { $0 as? URL } ?? []
        return files.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }.map(\.lastPathComponent)
    }
}
