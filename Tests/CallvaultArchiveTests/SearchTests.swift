import Foundation
import Testing
import CallvaultArchive
@testable import CallvaultIndex
import CallvaultModel
import CallvaultTesting

/// Search by number (any written form, suffix), customer, time, kind, agent and caller-name text.
@Suite struct SearchTests {
    func loaded() throws -> TestArchive { try TestArchive.withSamples() }

    @Test func everyWrittenFormOfANumberFindsTheSameCalls() throws {
        let fixture = try loaded()
        let forms = ["040 123 4567", "0401234567", "+358 40 123 4567", "00358401234567", "+358-40-1234567", "358401234567"]
        let results = try forms.map { try fixture.archive.search(SearchQuery(number: $0), actor: fixture.actor) }
        #expect(results[0].total == 7, "7 calls (8 CDR records: one queue call rang two agents), as samples/README.md says")
        for result in results { #expect(result.items.map(\.id) == results[0].items.map(\.id)) }
    }

    @Test func aSuffixOfSixOrMoreDigitsFindsTheNumber() throws {
        let fixture = try loaded()
        let full = try fixture.archive.search(SearchQuery(number: "0401234567"), actor: fixture.actor)
        let suffix = try fixture.archive.search(SearchQuery(number: "234567"), actor: fixture.actor)
        #expect(Set(full.items.map(\.id)).isSubset(of: Set(suffix.items.map(\.id))))
        #expect(throws: (any Error).self) { _ = try fixture.archive.search(SearchQuery(number: "4567x"), actor: fixture.actor) }
    }

    @Test func resultsAreNewestFirstAndLimited() throws {
        let fixture = try loaded()
        let result = try fixture.archive.search(SearchQuery(limit: 5), actor: fixture.actor)
        #expect(result.items.count == 5)
        #expect(result.total > 60)
        #expect(result.items.map(\.start) == result.items.map(\.start).sorted(by: >))
    }

    @Test func customerSearchFindsCallsOfEveryNumberAndSharedNumbersLinkToBoth() throws {
        let fixture = try loaded()
        let c002 = try fixture.archive.search(SearchQuery(customer: "C002"), actor: fixture.actor)
        let c003 = try fixture.archive.search(SearchQuery(customer: "C003"), actor: fixture.actor)
        let shared = Set(c002.items.map(\.id)).intersection(c003.items.map(\.id))
        #expect(!shared.isEmpty, "the family landline 09-1234567 belongs to both")
        for item in c002.items where shared.contains(item.id) { #expect(item.customers == ["C002", "C003"]) }
    }

    @Test func extensionsAndWithheldNumbersLinkToNobody() throws {
        let fixture = try loaded()
        let internalCalls = try fixture.archive.search(SearchQuery(limit: 500), actor: fixture.actor).items.filter { $0.direction == .internal }
        #expect(!internalCalls.isEmpty)
        #expect(internalCalls.allSatisfy { $0.customers.isEmpty })
    }

    @Test func timeRangeKindAndAgentFilter() throws {
        let fixture = try loaded()
        let from = Date(timeIntervalSince1970: 1_792_800_000) // 2026-10-24 00:00 UTC
        let to = from.addingTimeInterval(86_400)
        let day = try fixture.archive.search(SearchQuery(from: from, to: to, limit: 500), actor: fixture.actor)
        #expect(day.total > 0)
        #expect(day.items.allSatisfy { $0.start >= from && $0.start < to })
        let recordings = try fixture.archive.search(SearchQuery(kind: .recording), actor: fixture.actor)
        #expect(recordings.total == 7)
        let agent = try fixture.archive.search(SearchQuery(agent: "1002", limit: 500), actor: fixture.actor)
        #expect(agent.total > 0)
        #expect(agent.items.allSatisfy { $0.agent == "1002" })
    }

    @Test func aNumberSearchInAWindowFindsWhatTheRowReadingSearchFinds() throws {
        let fixture = try loaded()
        let number = "040 123 4567"
        let all = try fixture.archive.search(SearchQuery(number: number, limit: 500), actor: fixture.actor)
        let starts = all.items.map(\.start)
        #expect(starts.count >= 4)
        // A window holding some of the number's calls but not the newest nor the oldest.
        let from = starts[starts.count - 2], to = starts[0]
        let window = try fixture.archive.search(SearchQuery(number: number, from: from, to: to, limit: 500), actor: fixture.actor)
        #expect(window.total > 0 && window.total < all.total)
        #expect(window.items.count == window.total)
        #expect(Set(window.items.map(\.id)).isSubset(of: Set(all.items.map(\.id))))
        // The same search through the path that reads every matched `items` row (a kind filter
        // needs the row) finds the same calls.
        let rowRead = try fixture.archive.search(SearchQuery(number: number, from: from, to: to, kind: .call, limit: 500), actor: fixture.actor)
        #expect(rowRead.items.map(\.id) == window.items.filter { $0.id.kind == .call }.map(\.id))
        // A suffix finds them too, in the same window.
        let suffix = try fixture.archive.search(SearchQuery(number: "1234567", from: from, to: to, limit: 500), actor: fixture.actor)
        #expect(Set(window.items.map(\.id)).isSubset(of: Set(suffix.items.map(\.id))))
    }

    @Test func aNumberSearchReadsItsMatchesFromTheNumberAndTimeIndexesAlone() throws {
        let fixture = try loaded()
        // The matched set a number search builds (whole number and suffix, with a window), its
        // arguments written in as literals for the sqlite3 shell's EXPLAIN: it needs no `items` row.
        let window = (from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 2_000_000_000))
        for number in [NumberMatch.exact("7654321040853"), .suffix("765432")] {
            let matches = IndexReader.numberMatches(number, from: window.from, to: window.to)
            var sql = ""
            var arguments = matches.arguments.makeIterator()
            for character in matches.sql {
                guard character == "?" else { sql.append(character); continue }
                switch arguments.next() {
                case let text as String: sql += "'\(text)'"
                case let value?: sql += "\(value)"
                case nil: Issue.record("more placeholders than arguments")
                }
            }
            #expect(arguments.next() == nil, "more arguments than placeholders")
            let plan = try fixture.sql("EXPLAIN QUERY PLAN " + sql)
            #expect(plan.contains("USING COVERING INDEX items_from_rev_start"), "\(number): \(plan)")
            #expect(plan.contains("USING COVERING INDEX items_to_rev_start"), "\(number): \(plan)")
            if case .exact = number {
                #expect(plan.contains("start_utc>? AND start_utc<?"), "a whole number's window is sought in the index: \(plan)")
            }
        }
    }

    @Test func theDirectionFilterKeepsCallsAndMessagesThatWentThatWay() throws {
        let fixture = try loaded()
        let all = try fixture.archive.search(SearchQuery(from: Date(timeIntervalSince1970: 0), limit: 10_000), actor: fixture.actor)
        var totals = 0
        for direction in Direction.allCases {
            let found = try fixture.archive.search(SearchQuery(from: Date(timeIntervalSince1970: 0), direction: direction, limit: 10_000), actor: fixture.actor)
            #expect(found.items.count == found.total)
            // A conversation matches through any of its legs: its primary leg may go another way.
            #expect(found.items.allSatisfy { item in item.direction == direction || item.legs.count > 1 }, "\(direction)")
            #expect(Set(found.items.map(\.id)).isSubset(of: Set(all.items.map(\.id))))
            totals += found.total
        }
        #expect(try fixture.archive.search(SearchQuery(direction: .inbound, limit: 0), actor: fixture.actor).total > 0)
        #expect(try fixture.archive.search(SearchQuery(direction: .outbound, limit: 0), actor: fixture.actor).total > 0)
        #expect(totals >= all.total - all.items.filter { $0.direction == nil }.count)
        // Combined with a number: only that number's inbound calls.
        let inbound = try fixture.archive.search(SearchQuery(number: "040 123 4567", direction: .inbound), actor: fixture.actor)
        #expect(try fixture.sql("SELECT details FROM audit_log WHERE action = 'search' ORDER BY seq DESC LIMIT 1").contains("\"direction\":\"inbound\""))
        let both = try fixture.archive.search(SearchQuery(number: "040 123 4567"), actor: fixture.actor)
        #expect(inbound.total > 0 && inbound.total < both.total)
        #expect(inbound.items.allSatisfy { $0.direction == .inbound || $0.legs.count > 1 })
    }

    @Test func nameSearchMatchesFinnishLettersWithoutRegardToCase() throws {
        let fixture = try loaded()
        for text in ["äijälä", "ÄIJÄLÄ", "Äijä"] {
            let result = try fixture.archive.search(SearchQuery(text: text), actor: fixture.actor)
            #expect(result.total > 0, "\(text)")
        }
        #expect(try fixture.archive.search(SearchQuery(text: "aijala"), actor: fixture.actor).total == 0, "ä is a letter of its own in Finnish")
        let nordic = try fixture.archive.search(SearchQuery(text: "åström"), actor: fixture.actor).total
            + fixture.archive.search(SearchQuery(text: "öhman"), actor: fixture.actor).total
        #expect(nordic > 0)
    }

    @Test func aRecordingIsLinkedToItsCallWhicheverArrivesFirst() throws {
        let fixture = try TestArchive()
        let wav = fixture.input("in-0923456789-0401234567-20260314-093000-1773473400.1.wav", Samples.wav(seconds: 1))
        try fixture.ingest(wav)
        try fixture.ingest(fixture.input("Master.csv", Samples.cdrLine(uniqueID: "1773473400.1") + "\n"))
        let call = try fixture.archive.show("call-2", actor: fixture.actor)
        #expect(call.recording == ItemID(kind: .recording, number: 1))
        #expect(try fixture.archive.show("rec-1", actor: fixture.actor).detail?.call == ItemID(kind: .call, number: 2))

        let other = try TestArchive()
        try other.ingest(other.input("Master.csv", Samples.cdrLine(uniqueID: "1773473400.1") + "\n"))
        try other.ingest(other.input("in-0923456789-0401234567-20260314-093000-1773473400.1.wav", Samples.wav(seconds: 1)))
        #expect(try other.archive.show("call-1", actor: other.actor).recording == ItemID(kind: .recording, number: 2))
    }

    @Test func reimportingCustomersRelinksItems() throws {
        let fixture = try TestArchive()
        try fixture.ingest(fixture.input("Master.csv", [
            Samples.cdrLine(src: "0401234567", uniqueID: "5.1"),
            Samples.cdrLine(src: "0509998877", clid: "\"X\" <0509998877>", uniqueID: "5.2"),
        ].joined(separator: "\n") + "\n"))
        let first = try fixture.archive.importCustomers(from: fixture.input("c1.csv", Samples.customersCSV([("C1", "Mäkinen", "040 123 4567")])), actor: fixture.actor)
        #expect(first.customers == 1 && first.numbers == 1 && first.relinked == 1)
        #expect(try fixture.archive.search(SearchQuery(customer: "C1"), actor: fixture.actor).total == 1)
        let second = try fixture.archive.importCustomers(from: fixture.input("c2.csv", Samples.customersCSV([("C1", "Mäkinen", "050 999 8877")])), actor: fixture.actor)
        #expect(second.relinked == 2, "one link removed, one added")
        let now = try fixture.archive.search(SearchQuery(customer: "C1"), actor: fixture.actor)
        #expect(now.items.map(\.id) == [ItemID(kind: .call, number: 2)])
        let unchanged = try fixture.archive.importCustomers(from: fixture.input("c3.csv", Samples.customersCSV([("C1", "Mäkinen", "+358 50 999 8877")])), actor: fixture.actor)
        #expect(unchanged.relinked == 0)
    }

    @Test func aNumberWrittenWithItsTrunkPrefixInParenthesesLinksTheCustomersCalls() throws {
        let fixture = try TestArchive()
        try fixture.ingest(fixture.input("Master.csv", Samples.cdrLine(src: "0409998877", uniqueID: "6.1") + "\n"))
        let csv = fixture.input("business-cards.csv", Samples.customersCSV([("C1", "Oy Kortti Ab", "+358 (0)40 999 8877")]))
        let summary = try fixture.archive.importCustomers(from: csv, actor: fixture.actor)
        #expect(summary.rejected.isEmpty)
        #expect(summary.numbers == 1 && summary.relinked == 1)
        #expect(try fixture.archive.search(SearchQuery(customer: "C1"), actor: fixture.actor).total == 1)
    }

    @Test func anUnusableNumberIsRejectedByFileLineValueAndReasonAndTheRestOfItsLineImported() throws {
        let fixture = try TestArchive()
        try fixture.ingest(fixture.input("Master.csv", Samples.cdrLine(src: "0401234567", uniqueID: "7.1") + "\n"))
        let csv = fixture.input("customers.csv", Samples.customersCSV([
            ("C1", "Mäkinen", "040 123 4567;040-CALL-NOW"),
            ("C2", "Virtanen", "+12345"),
        ]))
        let summary = try fixture.archive.importCustomers(from: csv, actor: fixture.actor)
        #expect(summary.customers == 2)
        #expect(summary.numbers == 1)
        #expect(summary.rejected.map(\.file) == [csv.path, csv.path])
        #expect(summary.rejected.map(\.line) == [2, 3])
        #expect(summary.rejected.first?.reason == "phones: '040-CALL-NOW' was not imported: has characters other than digits and the separators + ( ) . / - and spaces")
        #expect(summary.rejected.last?.reason.hasPrefix("phones: '+12345' was not imported: an international number has 7 to 15 digits") == true)
        #expect(try fixture.archive.search(SearchQuery(customer: "C1"), actor: fixture.actor).total == 1)
        #expect(try fixture.archive.customerRecord("C2", actor: fixture.actor).name == "Virtanen")
    }

    @Test func localTimesAroundTheAutumnChangeBecomeTheRightUTC() throws {
        let fixture = try loaded()
        // The sample call 1792889860.162 starts 03:57:40 summer time and ends 03:00:08 winter time.
        let result = try fixture.archive.search(SearchQuery(number: "044 987 6543"), actor: fixture.actor)
        let call = try #require(result.items.first { $0.id.kind == .call && $0.disposition == "answered" })
        let detail = try #require(try fixture.archive.show(call.id.description, actor: fixture.actor).detail)
        #expect(call.start == Date(timeIntervalSince1970: 1_792_889_860))
        #expect(detail.end.map { $0.timeIntervalSince(call.start) } == 148)
    }
}
