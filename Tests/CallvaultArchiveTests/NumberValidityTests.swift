import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// A number passes from one customer to another (issue 17): a numbers file
/// (`customer_id,number,valid_from,valid_to`, days in the archive's zone, both included) says
/// when it is whose, and each item links to the customer whose number it was on the item's
/// start day: searches, access exports and erasure follow; holds keep what they covered.
@Suite struct NumberValidityTests {
    static let customers = """
        customer_id,name,phones,relationship_ended
        A,Aalto Aino,040 111 2222,
        B,Berg Bertta,050 333 4444,

        """
    /// 040 111 2222 was A's until 31 May 2026 and is B's from 1 June.
    static let numbers = """
        customer_id,number,valid_from,valid_to
        A,040 111 2222,,2026-05-31
        B,+358 40 111 2222,2026-06-01,

        """

    static func call(_ start: String, _ unique: String) -> String {
        Samples.cdrLine(src: "0401112222", dst: "1001", start: start, answer: start, end: start, duration: 60, billsec: 60, uniqueID: unique)
    }

    func ids(_ fixture: TestArchive, customer: String, kind: ItemKind? = nil) throws -> [String] {
        try fixture.archive.search(SearchQuery(customer: customer, kind: kind, limit: 100), actor: fixture.actor).items
            .map(\.id.description).sorted()
    }

    @Test func eachItemLinksToWhoeverHeldTheNumberOnItsDay() throws {
        let fixture = try TestArchive()
        _ = try fixture.archive.importCustomers(from: fixture.input("customers.csv", Self.customers), actor: fixture.actor)
        // Local days of Europe/Helsinki: 31 May 23:30 is still A's, 1 June 00:30 is B's.
        try fixture.ingest(fixture.input("Master.csv", [
            Self.call("2026-03-01 10:00:00", "1.1"), Self.call("2026-05-31 23:30:00", "1.2"), Self.call("2026-06-01 00:30:00", "1.3"),
        ].joined(separator: "\n") + "\n"))
        #expect(try ids(fixture, customer: "A").count == 3, "without a numbers file the number is A's always")
        let hold = try fixture.archive.placeHold(HoldRequest(caseName: "Case 8", reason: "dispute", customers: ["A"]), actor: fixture.actor)

        let summary = try fixture.archive.importCustomers(from: fixture.input("numbers.csv", Self.numbers), actor: fixture.actor)
        #expect(summary.rejected.isEmpty && summary.numbers == 2 && summary.customers == 2, "\(summary.rejected)")
        #expect(summary.relinked == 2, "the June call leaves A and joins B")
        #expect(try ids(fixture, customer: "A") == ["call-1", "call-2"])
        #expect(try ids(fixture, customer: "B") == ["call-3"])
        // The hold placed on A keeps covering the June call it covered, whatever its links now.
        #expect(try fixture.archive.hold(hold.id, actor: fixture.actor).items.map(\.description).sorted() == ["call-1", "call-2", "call-3"])

        // New items link by the number's owner on their day, recordings too.
        try fixture.ingest(fixture.input("Master-2.csv", Self.call("2026-07-01 09:00:00", "1.4") + "\n"))
        try fixture.ingest(fixture.input("in-0923456789-0401112222-20260515-100000-2.1.wav", Samples.wav(seconds: 1, seed: 1)),
                           fixture.input("in-0923456789-0401112222-20260615-100000-2.2.wav", Samples.wav(seconds: 1, seed: 2)))
        #expect(try ids(fixture, customer: "B", kind: .call) == ["call-3", "call-4"])
        let recordingOfA = try #require(try ids(fixture, customer: "A", kind: .recording).first)
        let recordingOfB = try #require(try ids(fixture, customer: "B", kind: .recording).first)
        #expect(recordingOfA != recordingOfB)

        // B's access export and erasure reach B's items only.
        let export = try fixture.archive.export(customer: "B", to: fixture.folder.path("export-B.zip"), purpose: "complaint",
                                                actor: Actor.test("dpo", .compliance))
        #expect(export.calls == 2 && export.recordings == 1 && export.items == 3)
        _ = try fixture.archive.releaseHold(hold.id, reason: "case closed", actor: fixture.actor)
        let erasure = try fixture.archive.erase(customer: "B", reason: "req-9", actor: Actor.test("dpo", .compliance))
        #expect(erasure.deleted.recordings == 1)
        #expect(try ids(fixture, customer: "A", kind: .recording) == [recordingOfA], "A's recording of the same number stays")
    }

    /// The customers file keeps being imported as before: it neither removes a number a numbers
    /// file set nor changes its days.
    @Test func aLaterCustomersFileKeepsTheNumbersFilesDays() throws {
        let fixture = try TestArchive()
        _ = try fixture.archive.importCustomers(from: fixture.input("customers.csv", Self.customers), actor: fixture.actor)
        _ = try fixture.archive.importCustomers(from: fixture.input("numbers.csv", Self.numbers), actor: fixture.actor)
        try fixture.ingest(fixture.input("Master.csv", [Self.call("2026-05-20 10:00:00", "3.1"), Self.call("2026-06-20 10:00:00", "3.2")]
            .joined(separator: "\n") + "\n"))
        let again = try fixture.archive.importCustomers(from: fixture.input("customers-2.csv", Self.customers), actor: fixture.actor)
        #expect(again.relinked == 0)
        #expect(try ids(fixture, customer: "A") == ["call-1"] && ids(fixture, customer: "B") == ["call-2"])
        #expect(try fixture.sql("SELECT count(*) FROM customer_numbers WHERE e164 = '+358401112222'") == "2")
    }

    /// `samples/numbers.csv`: the landline C002 and C003 share is C002's until 24 October 2026.
    @Test func theSampleNumbersFileImportsAfterTheSampleCustomers() throws {
        let fixture = try TestArchive.withSamples()
        let before = try ids(fixture, customer: "C002")
        let summary = try fixture.archive.importCustomers(from: TestArchive.samples.appendingPathComponent("numbers.csv"), actor: fixture.actor)
        #expect(summary.rejected.isEmpty && summary.numbers == 2 && summary.customers == 2, "\(summary.rejected)")
        let after = try ids(fixture, customer: "C002")
        #expect(Set(after).isSubset(of: Set(before)))
        #expect(try fixture.sql("SELECT count(*) FROM customer_numbers WHERE e164 = '+35891234567' AND from_numbers_file") == "2")
    }

    @Test func aBadRowIsNamedWithItsLineAndTheGoodRowsApply() throws {
        let fixture = try TestArchive()
        _ = try fixture.archive.importCustomers(from: fixture.input("customers.csv", Self.customers), actor: fixture.actor)
        let file = fixture.input("numbers.csv", """
            customer_id,number,valid_from,valid_to
            A,040 111 2222,,2026-05-31
            Z,040 999 8888,2026-01-01,
            B,not a number,2026-01-01,
            B,040 111 2222,1.6.2026,
            B,040 111 2222,2026-06-01,2026-05-01
            B,040 111 2222,2026-06-01,,extra
            ,040 111 2222,2026-06-01,
            B,+358 40 111 2222,2026-06-01,

            """)
        let summary = try fixture.archive.importCustomers(from: file, actor: fixture.actor)
        #expect(summary.numbers == 2)
        #expect(summary.rejected.map(\.line) == [3, 4, 5, 6, 7, 8])
        #expect(summary.rejected.allSatisfy { $0.file == file.path })
        let reasons = summary.rejected.map(\.reason)
        #expect(reasons[0].contains("no customer 'Z'"))
        #expect(reasons[1].contains("number 'not a number' cannot be used"))
        #expect(reasons[2].contains("valid_from '1.6.2026' is not a date YYYY-MM-DD"))
        #expect(reasons[3].contains("valid_to is before valid_from"))
        #expect(reasons[4].contains("has 5 fields"))
        #expect(reasons[5].contains("customer_id is empty"))
    }
}
