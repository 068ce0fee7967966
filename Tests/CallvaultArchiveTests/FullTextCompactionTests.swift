import Testing
@testable import CallvaultArchive

/// When expiry merges the full-text index: often enough that a name search never reads more
/// than about twice the live entries, never in a transaction rewriting more than the mid-run limit.
@Suite struct FullTextCompactionTests {
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

    @Test func aBigIndexIsNotRewrittenMidRunButAtTheEndWhenATenthWent() {
        var state = FullTextCompaction(live: 5_000_000)
        state.deleted(2_600_000)
        #expect(!state.isDueMidRun, "a merge of 5M entries would hold the write lock for ~0.5 s")
        #expect(state.isDueAtEnd)
    }

    @Test func aSmallDailyRunLeavesTheIndexToSQLite() {
        var state = FullTextCompaction(live: 1_000_000)
        state.deleted(3_000)
        #expect(!state.isDueMidRun)
        #expect(!state.isDueAtEnd)
        #expect(!FullTextCompaction(live: 0).isDueAtEnd)
    }
}
