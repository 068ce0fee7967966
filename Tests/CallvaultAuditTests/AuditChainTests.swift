import Foundation
import Testing
import CallvaultAudit

@Suite struct AuditChainTests {
    @Test func sealingIsDeterministic() {
        let a = AuditChain.seal(sampleEvent(4), sequence: 4, time: sampleTime(4), previousHash: AuditChain.genesis)
        let b = AuditChain.seal(sampleEvent(4), sequence: 4, time: sampleTime(4), previousHash: AuditChain.genesis)
        #expect(a == b)
        #expect(a.hash == AuditChain.hash(of: a))
    }

    @Test func theHashIsSixtyFourLowercaseHexDigits() {
        let entry = AuditChain.seal(sampleEvent(1), sequence: 1, time: sampleTime(1), previousHash: AuditChain.genesis)
        #expect(entry.hash.count == 64)
        #expect(entry.hash.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(AuditChain.genesis == String(repeating: "0", count: 64))
    }

    @Test func theHashDependsOnPlaceTimeAndPredecessor() {
        let base = AuditChain.seal(sampleEvent(1), sequence: 1, time: sampleTime(1), previousHash: AuditChain.genesis)
        let hashes = [
            base.hash,
            AuditChain.seal(sampleEvent(1), sequence: 2, time: sampleTime(1), previousHash: AuditChain.genesis).hash,
            AuditChain.seal(sampleEvent(1), sequence: 1, time: sampleTime(1).addingTimeInterval(0.001), previousHash: AuditChain.genesis).hash,
            AuditChain.seal(sampleEvent(1), sequence: 1, time: sampleTime(1), previousHash: base.hash).hash,
            AuditChain.seal(sampleEvent(2), sequence: 1, time: sampleTime(1), previousHash: AuditChain.genesis).hash,
        ]
        #expect(Set(hashes).count == hashes.count)
    }

    @Test func timesAreHashedAtMillisecondResolution() {
        let time = Date(timeIntervalSince1970: 1_773_473_400.123)
        let a = AuditChain.seal(sampleEvent(1), sequence: 1, time: time, previousHash: AuditChain.genesis)
        let b = AuditChain.seal(sampleEvent(1), sequence: 1, time: time.addingTimeInterval(0.0002), previousHash: AuditChain.genesis)
        #expect(a.hash == b.hash)
        #expect(AuditChain.timestamp(time) == "1773473400123")
    }

    @Test func detailsAreStoredAsCanonicalJSONWhateverTheirOrder() {
        var first = sampleEvent(1)
        first.details = ["b": "2", "a": "1", "path": "/x/y", "c": "ä"]
        var second = first
        second.details = ["c": "ä", "path": "/x/y", "a": "1", "b": "2"]
        let a = AuditChain.seal(first, sequence: 1, time: sampleTime(1), previousHash: AuditChain.genesis)
        let b = AuditChain.seal(second, sequence: 1, time: sampleTime(1), previousHash: AuditChain.genesis)
        #expect(a.details == #"{"a":"1","b":"2","c":"ä","path":"/x/y"}"#)
        #expect(a.hash == b.hash)
    }

    @Test func sealingKeepsTheItemIDsAsGiven() {
        // Callers choose the form: search hits id by id, ingests as ranges (compress/ranges).
        var event = sampleEvent(1)
        event.items = ["call-1", "call-2", "call-3", "rec-9", "call-10..call-20"]
        let entry = AuditChain.seal(event, sequence: 1, time: sampleTime(1), previousHash: AuditChain.genesis)
        #expect(entry.items == event.items)
    }

    @Test func sealedEntriesCarryTheEvent() {
        let entry = AuditChain.seal(sampleEvent(5), sequence: 5, time: sampleTime(5), previousHash: "ab")
        #expect(entry.sequence == 5)
        #expect(entry.actor == "svc:ingest")
        #expect(entry.action == "search")
        #expect(entry.outcome == .denied)
        #expect(entry.reason == "restricted")
        #expect(entry.durationMs == 15)
        #expect(entry.origin == "cli@host")
        #expect(entry.previousHash == "ab")
    }

    // MARK: compress

    @Test func consecutiveRunsBecomeRanges() {
        #expect(AuditChain.compress(["call-1", "call-2", "call-3", "call-4", "call-5"]) == ["call-1..call-5"])
    }

    @Test func runsOfDifferentKindsAreKeptApart() {
        #expect(AuditChain.compress(["call-1", "call-2", "rec-3", "rec-4", "sms-9", "call-3"])
            == ["call-1..call-2", "rec-3..rec-4", "sms-9", "call-3"])
    }

    @Test func gapsDescendingOrderAndRepeatsAreNotRuns() {
        #expect(AuditChain.compress(["call-1", "call-3", "call-5"]) == ["call-1", "call-3", "call-5"])
        #expect(AuditChain.compress(["call-2", "call-1"]) == ["call-2", "call-1"])
        #expect(AuditChain.compress(["call-1", "call-1"]) == ["call-1", "call-1"])
        #expect(AuditChain.compress(["call-7"]) == ["call-7"])
        #expect(AuditChain.compress([]) == [])
    }

    @Test func otherIDsAndExistingRangesAreKeptAsTheyAre() {
        #expect(AuditChain.compress(["customer:C1", "call-1", "call-2", "call-1..call-5", "hold", "call-3", "call-4"])
            == ["customer:C1", "call-1..call-2", "call-1..call-5", "hold", "call-3..call-4"])
        #expect(AuditChain.compress(["call-x", "call-", "-"]) == ["call-x", "call-", "-"])
    }

    @Test func aMillionConsecutiveIDsBecomeOneRange() {
        let ids = (1...1_000_000).map { "call-\($0)" }
        #expect(AuditChain.compress(ids) == ["call-1..call-1000000"])
    }

    // MARK: ranges

    @Test func rangesWritesAscendingRunsAsRanges() {
        #expect(AuditChain.ranges(prefix: "call", numbers: [1, 2, 3, 5, 7, 8]) == ["call-1..call-3", "call-5", "call-7..call-8"])
        #expect(AuditChain.ranges(prefix: "rec", numbers: [4]) == ["rec-4"])
        #expect(AuditChain.ranges(prefix: "call", numbers: []) == [])
    }

    @Test func rangesAgreesWithCompress() {
        let numbers: [Int64] = [1, 2, 3, 10, 11, 13, 20, 21, 22, 23, 40]
        #expect(AuditChain.ranges(prefix: "call", numbers: numbers) == AuditChain.compress(numbers.map { "call-\($0)" }))
    }

    @Test
    func theLargestIDNumberDoesNotTrap() {
        #expect(AuditChain.compress(["call-9223372036854775807", "call-1"]) == ["call-9223372036854775807", "call-1"])
    }
}
