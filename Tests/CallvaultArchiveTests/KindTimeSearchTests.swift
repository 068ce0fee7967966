import Foundation
import Testing
import CallvaultArchive
@testable import CallvaultIndex
import CallvaultModel
import CallvaultTesting

/// Searches narrowed by kind and time alone are served from indexes (issue 22, schema v16):
/// their total, summed from `item_hour_counts` and the window's partial hours, equals the count
/// read from every item — for every kind, whole and partial hours, conversations across an
/// hour (and midnight), recordings that belong to calls, restricted customers, and after deletions — and
/// their page is read newest first from `items_kind_start` / `items_start` without a scan or sort.
@Suite struct KindTimeSearchTests {
    /// The samples plus a three-leg conversation across UTC midnight, in three UTC hours (local 01:59–03:05, UTC+2).
    static func archive() throws -> TestArchive {
        let fixture = try TestArchive.withSamples()
        let linked = "1773446390.1"
        let lines = [
            Samples.cdrLine(src: "0409876543", start: "2026-03-14 01:59:50", answer: "2026-03-14 01:59:55", end: "2026-03-14 02:03:00",
                            uniqueID: linked),
            Samples.cdrLine(src: "0409876543", dst: "1002", start: "2026-03-14 02:00:20", answer: "2026-03-14 02:00:25", end: "2026-03-14 02:04:00",
                            uniqueID: "1773446420.2", linkedID: linked),
            Samples.cdrLine(src: "0409876543", dst: "1003", start: "2026-03-14 03:05:00", answer: "2026-03-14 03:05:05", end: "2026-03-14 03:06:00",
                            uniqueID: "1773450300.3", linkedID: linked),
        ]
        _ = try fixture.ingest(fixture.input("Master-midnight.csv", lines.joined(separator: "\n") + "\n"))
        return fixture
    }

    static func totals(_ index: ArchiveIndex, _ query: SearchQuery) throws -> (fast: Int, items: Int) {
        let fast = try index.read { try $0.search(query, number: nil).total }
        let items = try index.read { try $0.search(query, number: nil, hourCounts: false).total }
        return (fast, items)
    }

    static func windows(_ fixture: TestArchive) throws -> [(Date?, Date?)] {
        let span = try fixture.sql("SELECT min(start_utc) || ' ' || max(start_utc) FROM items").split(separator: " ").compactMap { Int64($0) }
        try #require(span.count == 2)
        let (low, high) = (span[0], span[1])
        var random = SplitMix64(seed: 22)
        var windows: [(Date?, Date?)] = [(nil, nil)]
        let midnight = Date(timeIntervalSince1970: 1_773_446_400)  // 2026-03-14T00:00:00Z, inside the conversation
        windows += [(midnight, nil), (nil, midnight), (midnight.addingTimeInterval(-86_400), midnight.addingTimeInterval(86_400)),
                    (midnight.addingTimeInterval(-30), midnight.addingTimeInterval(2 * 86_400 + 7)),
                    (midnight.addingTimeInterval(60), midnight.addingTimeInterval(3 * 86_400))]
        for _ in 0..<25 {
            let a = low - 86_400 + Int64(random.next() % UInt64(high - low + 2 * 86_400))
            let b = a + Int64(random.next() % UInt64(40 * 86_400))
            windows.append((Date(timeIntervalSince1970: TimeInterval(a)), Date(timeIntervalSince1970: TimeInterval(b))))
        }
        return windows
    }

    static func compareAll(_ fixture: TestArchive, _ index: ArchiveIndex, restricted: Bool) throws {
        for (from, to) in try windows(fixture) {
            for kind in [nil] + ItemKind.allCases.map(Optional.some) {
                for includesRestricted in restricted ? [false, true] : [true] {
                    var query = SearchQuery(from: from, to: to, kind: kind, limit: 5)
                    query.includesRestricted = includesRestricted
                    let (fast, items) = try totals(index, query)
                    #expect(fast == items, "kind \(kind?.rawValue ?? "any"), \(from.map { "\($0)" } ?? "-") ..< \(to.map { "\($0)" } ?? "-"), restricted shown: \(includesRestricted)")
                }
            }
        }
    }

    @Test func theTotalFromHourCountsEqualsTheCountOfTheItems() throws {
        let fixture = try Self.archive()
        let index = try ArchiveIndex(path: fixture.root.appendingPathComponent("index.sqlite"))
        #expect(try fixture.sql("SELECT count(*) FROM conversation_hours WHERE hour > first_hour AND linked_id = '1773446390.1'") == "2", "the conversation spans three hours")
        #expect(try fixture.sql("SELECT sum(attached) FROM item_hour_counts") != "0", "recordings belong to calls")
        #expect(try fixture.sql("SELECT sum(items) FROM item_hour_counts") == fixture.sql("SELECT count(*) FROM items"))
        try Self.compareAll(fixture, index, restricted: false)

        // A restricted customer's items are hidden from all but compliance, in the total too.
        _ = try fixture.archive.restrict(customer: "C001", reason: "accuracy contested", actor: fixture.actor)
        try Self.compareAll(fixture, index, restricted: true)

        // Deletions keep the counts: erase a customer (legs, recordings and items go).
        _ = try fixture.archive.unrestrict(customer: "C001", reason: "settled", actor: fixture.actor)
        _ = try fixture.archive.erase(customer: "C002", reason: "data subject request", actor: fixture.actor)
        try Self.compareAll(fixture, index, restricted: false)
        // Nothing counted twice: the hour counts add up to the items.
        #expect(try fixture.sql("SELECT sum(items) FROM item_hour_counts") == fixture.sql("SELECT count(*) FROM items"))
        #expect(try fixture.sql("SELECT sum(legs) FROM item_hour_counts") == fixture.sql("SELECT count(*) FROM conversation_legs"))
    }

    @Test func aKindOrTimeSearchReadsItsPageFromAnIndexNewestFirst() throws {
        let fixture = try TestArchive.withSamples()
        let key = IndexReader.conversationKey
        for (sql, index) in [
            ("SELECT i.id, i.start_utc, \(key) FROM items i WHERE i.kind = 'sms' ORDER BY i.start_utc DESC, i.id DESC", "items_kind_start"),
            ("SELECT i.id, i.start_utc, \(key) FROM items i WHERE i.start_utc >= 1 AND i.start_utc < 2 AND i.kind = 'call' ORDER BY i.start_utc DESC, i.id DESC", "items_kind_start"),
            ("SELECT i.id, i.start_utc, \(key) FROM items i WHERE i.start_utc >= 1 AND i.start_utc < 2 AND NOT EXISTS (SELECT 1 FROM recordings r WHERE r.item_id = i.id AND r.call_item_id IS NOT NULL) ORDER BY i.start_utc DESC, i.id DESC", "items_start"),
        ] {
            let plan = try fixture.sql("EXPLAIN QUERY PLAN \(sql)")
            #expect(plan.contains("USING INDEX \(index)") || plan.contains("USING COVERING INDEX \(index)"), "\(plan)")
            #expect(!plan.contains("SCAN i\n") && !plan.hasSuffix("SCAN i") && !plan.contains("TEMP B-TREE"), "\(plan)")
        }
        // The whole hours' sums and the conversations across an hour are read by key, not scanned.
        let sums = try fixture.sql("EXPLAIN QUERY PLAN SELECT sum(items) FROM item_hour_counts WHERE hour >= 1 AND hour < 2 AND kind = 'call'")
        #expect(sums.contains("SEARCH item_hour_counts USING PRIMARY KEY"), "\(sums)")
        let repeated = try fixture.sql("""
            EXPLAIN QUERY PLAN SELECT count(*) FROM conversation_hours p INDEXED BY conversation_hours_later
            WHERE p.hour > p.first_hour AND p.hour >= 1 AND p.hour < 2
              AND EXISTS (SELECT 1 FROM conversation_hours q WHERE q.linked_id = p.linked_id AND q.hour >= 1 AND q.hour < p.hour)
            """)
        #expect(repeated.contains("conversation_hours_later") && repeated.contains("SEARCH q USING PRIMARY KEY"), "\(repeated)")
    }

    @Test func aSearchByKindAloneAnswersWithTheNewestOfThatKind() throws {
        let fixture = try TestArchive.withSamples()
        // The samples' Asterisk folder: calls and a few recordings, no SMS.
        let result = try fixture.archive.search(SearchQuery(kind: .recording, limit: 2), actor: fixture.actor)
        let all = try fixture.archive.search(SearchQuery(kind: .recording, limit: 10_000), actor: fixture.actor)
        #expect(result.total == all.items.count && result.total > 2, "\(result.total) of \(all.items.count)")
        #expect(result.items.map(\.id) == Array(all.items.prefix(2)).map(\.id))
        #expect(result.items.allSatisfy { $0.id.kind == .recording })
        let sms = try fixture.archive.search(SearchQuery(kind: .sms, limit: 5), actor: fixture.actor)
        #expect(sms.total == 0 && sms.items.isEmpty)
    }
}
