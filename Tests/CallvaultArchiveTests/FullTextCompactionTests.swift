import Foundation
import Testing
@testable import CallvaultArchive
@testable import CallvaultIndex
import CallvaultModel
import CallvaultTesting

/// When expiry merges the full-text index: often enough that a name search never reads more
/// than about twice the live entries; and how: in short steps that end with the index as
/// compact as one `optimize` leaves it, the expired names gone from its pages.
@Suite struct FullTextCompactionTests {
    /// Unanswered Asterisk calls numbered `range`, one caller name each.
    static func calls(_ range: Range<Int>, name: (Int) -> String, start: String, epoch: Int) -> String {
        range.map { i in
            Samples.cdrLine(src: String(format: "0401%06d", i), clid: "\"\(name(i))\" <0401\(i)>",
                            start: start, answer: "", end: start, duration: 10, billsec: 0, disposition: "NO ANSWER",
                            uniqueID: "\(epoch + i).\(i)")
        }.joined(separator: "\n") + "\n"
    }

    /// `names_fts` holds one row per named item, under the item's time key (start << 31 | id).
    static func expectKeyedExactlyTheNamedItems(_ fixture: TestArchive) throws {
        #expect(try fixture.sql("SELECT count(*) FROM names_fts_docsize") == fixture.sql("SELECT count(*) FROM items WHERE caller_name IS NOT NULL"))
        #expect(try fixture.sql("""
            SELECT count(*) FROM items WHERE caller_name IS NOT NULL
              AND (start_utc << 31) | id NOT IN (SELECT id FROM names_fts_docsize)
            """) == "0", "a named item is not in names_fts under its time key")
    }

    @Test func aRunExpiringEverythingMergesAtEachHalvingAndAtTheEnd() {
        var state = FullTextCompaction(live: 1_000_000)
        var merges: [Int] = []
        var deleted = 0
        while deleted < 1_000_000 {
            state.deleted(1_000)
            deleted += 1_000
            if state.isDueMidRun { merges.append(deleted); state.compacted() }
        }
        #expect(merges.first == 500_000)
        #expect(merges.prefix(3) == [500_000, 750_000, 875_000])
        #expect(state.isDueAtEnd || state.deletedSince == 0)
    }

    @Test func aBigIndexIsMergedMidRunToo() {
        var state = FullTextCompaction(live: 5_000_000)
        state.deleted(2_600_000)
        #expect(state.isDueMidRun, "merged in steps, a big index needs no exception")
        #expect(state.isDueAtEnd)
    }

    @Test func aSmallDailyRunLeavesTheIndexToSQLite() {
        var state = FullTextCompaction(live: 1_000_000)
        state.deleted(3_000)
        #expect(!state.isDueMidRun)
        #expect(!state.isDueAtEnd)
        #expect(!FullTextCompaction(live: 0).isDueAtEnd)
    }

    /// 12,000 calls from callers named `Qxold…` expire, 2,000 from `Keptcaller…` stay: the run
    /// merges mid-run (10,000 deleted outnumber the live) and at the end, each merge in many
    /// small steps; afterwards an `optimize` finds nothing left to do, no page of the index
    /// holds an expired name, and name searches find exactly the calls kept.
    @Test func mergingInSmallStepsLeavesTheIndexAsOptimizeWouldWithTheExpiredNamesGone() throws {
        let fixture = try TestArchive()
        try fixture.ingest(
            fixture.input("old.csv", Self.calls(0..<12_000, name: { "Qxold\($0) Caller\($0 % 97)" }, start: "2026-01-10 10:00:00", epoch: 1_768_000_000)),
            fixture.input("new.csv", Self.calls(12_000..<14_000, name: { "Keptcaller\($0 % 10) Caller\($0 % 97)" }, start: "2027-06-10 10:00:00", epoch: 1_812_000_000)))
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE caller_name IS NOT NULL") == "14000")

        var pacing = ExpiryPacing()
        pacing.pause = 0
        pacing.initialMergePages = 4
        pacing.targetTransaction = 0.000_001  // keep every merge step at the smallest size
        let report = try fixture.expire(at: PolicyFixture.date("2029-06-01"), pacing: pacing)
        #expect(report.deleted.calls == 12_000)
        #expect(report.upkeep.fullTextMergeSteps > 4, "merged in small steps, mid-run and at the end")

        // FTS5's own check (the index is contentless: nothing to compare it with), and its rows
        // are exactly the named items, each under its time key.
        try fixture.sql("INSERT INTO names_fts (names_fts, rank) VALUES ('integrity-check', 0)")
        try Self.expectKeyedExactlyTheNamedItems(fixture)
        let pages = "SELECT count(*) || ':' || sum(length(block)) || ':' || hex((SELECT block FROM names_fts_data WHERE id = 10)) FROM names_fts_data"
        let merged = try fixture.sql(pages)
        try fixture.sql("INSERT INTO names_fts (names_fts) VALUES ('optimize')")
        #expect(try fixture.sql(pages) == merged, "the steps left work for optimize")
        #expect(try fixture.sql("SELECT count(*) FROM names_fts_data WHERE instr(block, 'qxold') > 0") == "0",
                "an expired name is still in a page of the full-text index")

        #expect(try fixture.archive.search(SearchQuery(text: "Qxold5"), actor: fixture.actor).total == 0)
        #expect(try fixture.archive.search(SearchQuery(text: "Keptcaller3"), actor: fixture.actor).total == 200)
        #expect(try fixture.archive.search(SearchQuery(text: "Caller5"), actor: fixture.actor).total > 0)
        #expect(try fixture.archive.verifyAudit(actor: fixture.actor).ok)
    }

    /// An FTS5 incremental merge stays in progress across transactions, and other writers change
    /// the index in between (ingest adds names; erasure or another expiry deletes some): files
    /// ingested and items deleted between merge steps leave an index that FTS5's integrity check
    /// passes and that finds every name exactly as often as the items table holds it.
    @Test func ingestAndDeletionsBetweenMergeStepsLeaveAConsistentIndex() throws {
        let fixture = try TestArchive()
        try fixture.ingest(fixture.input("old.csv", Self.calls(0..<12_000, name: { "Qxold\($0) Caller\($0 % 97)" },
                                                               start: "2026-01-10 10:00:00", epoch: 1_768_000_000)))
        let index = fixture.archive.index
        // Delete markers for the merge to drop.
        _ = try index.write { try $0.deleteItems(Array(1...4_000), now: Date()) }
        var files = (0..<8).map { part in
            fixture.input("new-\(part).csv", Self.calls(20_000 + part * 500..<20_000 + (part + 1) * 500,
                                                        name: { "Freshcaller\($0 % 10) Caller\($0 % 97)" },
                                                        start: "2027-06-10 10:00:00", epoch: 1_812_000_000))
        }
        var deletions = stride(from: Int64(4_001), to: 8_001, by: 500).map { Array($0..<$0 + 500) }
        var steps = 0
        while try index.write({ try $0.mergeFullText(pages: 4) }) {
            steps += 1
            if steps % 2 == 1, let file = files.popLast() {
                try fixture.ingest(file)
            } else if let doomed = deletions.popLast() {
                _ = try index.write { try $0.deleteItems(doomed, now: Date()) }
            }
        }
        #expect(files.isEmpty && deletions.isEmpty, "every file and deletion came between merge steps (\(steps) steps)")
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE caller_name LIKE 'Freshcaller%'") == "4000")
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE caller_name LIKE 'Qxold%'") == "4000")

        try fixture.sql("INSERT INTO names_fts (names_fts, rank) VALUES ('integrity-check', 0)")
        try Self.expectKeyedExactlyTheNamedItems(fixture)
        for word in ["Freshcaller3", "Caller5", "Caller96", "Qxold9007", "Qxold7"] {
            let indexed = try fixture.sql("SELECT count(*) FROM names_fts WHERE names_fts MATCH '\(word.lowercased())'")
            let stored = try fixture.sql("SELECT count(*) FROM items WHERE ' ' || caller_name || ' ' LIKE '% \(word) %'")
            #expect(indexed == stored, "\(word): the index finds \(indexed), the items table holds \(stored)")
        }
        #expect(try fixture.archive.search(SearchQuery(text: "Freshcaller3"), actor: fixture.actor).total == 400)
        #expect(try fixture.archive.search(SearchQuery(text: "Qxold7999"), actor: fixture.actor).total == 0, "deleted between steps")
        #expect(try fixture.archive.search(SearchQuery(text: "Qxold9000"), actor: fixture.actor).total == 1)
    }
}
