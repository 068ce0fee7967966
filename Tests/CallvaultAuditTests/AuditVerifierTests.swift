import Foundation
import Testing
import CallvaultAudit

@Suite struct AuditVerifierTests {
    let chain = sampleChain(100)

    @Test func aCleanChainOfAHundredEntriesVerifies() {
        let result = verify(chain)
        #expect(result == AuditVerification(entries: 100, ok: true, firstBad: nil, problem: nil))
    }

    @Test func anEmptyLogWithAnEmptyHeadVerifies() {
        #expect(verify([], headCount: 0, headHash: "").ok)
        #expect(verify([], headCount: 0, headHash: AuditChain.genesis).ok)
    }

    static let changes: [(String, @Sendable (inout AuditEntry) -> Void)] = [
        ("sequence", { $0.sequence -= 1 }),
        ("time", { $0.time = $0.time.addingTimeInterval(1) }),
        ("actor", { $0.actor = "mallory" }),
        ("role", { $0.role = "compliance" }),
        ("action", { $0.action = "erase" }),
        ("items (added)", { $0.items.append("call-999") }),
        ("items (removed)", { $0.items.removeLast() }),
        ("purpose", { $0.purpose = "curiosity" }),
        ("purpose (removed)", { $0.purpose = nil }),
        ("details", { $0.details = "{}" }),
        ("outcome", { $0.outcome = .failed }),
        ("reason", { $0.reason = "none" }),
        ("durationMs", { $0.durationMs = 99_999 }),
        ("durationMs (removed)", { $0.durationMs = nil }),
        ("origin", { $0.origin = "evil@host" }),
        ("previousHash", { $0.previousHash = String($0.previousHash.reversed()) }),
        ("hash", { $0.hash = String($0.hash.reversed()) }),
    ]

    @Test(arguments: changes.indices)
    func aChangeToAnyFieldIsDetectedAtThatEntry(change: Int) {
        let (field, mutate) = Self.changes[change]
        var entries = chain
        mutate(&entries[49])
        #expect(entries[49] != chain[49], "the change to \(field) must change the entry")
        let result = verify(entries, headCount: 100, headHash: chain[99].hash)
        #expect(!result.ok, "\(field)")
        #expect(result.firstBad == 50, "\(field)")
        #expect(result.problem != nil, "\(field)")
        #expect(result.entries == 100, "\(field)")
    }

    @Test func aChangeToTheFirstOrLastEntryIsDetected() {
        for index in [0, 99] {
            var entries = chain
            entries[index].actor = "mallory"
            let result = verify(entries, headCount: 100, headHash: chain[99].hash)
            #expect(!result.ok)
            #expect(result.firstBad == Int64(index + 1))
        }
    }

    @Test func aDeletedMiddleEntryIsDetected() {
        var entries = chain
        entries.remove(at: 49)
        let result = verify(entries, headCount: 100, headHash: chain[99].hash)
        #expect(!result.ok)
        #expect(result.firstBad == 50)
        #expect(result.problem?.contains("missing") == true)
    }

    @Test func aSwappedPairIsDetected() {
        var entries = chain
        entries.swapAt(29, 30)
        let result = verify(entries, headCount: 100, headHash: chain[99].hash)
        #expect(!result.ok)
        #expect(result.firstBad == 30)
    }

    @Test func aSwappedPairWithRenumberedSequencesIsDetected() {
        var entries = chain
        entries.swapAt(29, 30)
        entries[29].sequence = 30
        entries[30].sequence = 31
        let result = verify(entries, headCount: 100, headHash: chain[99].hash)
        #expect(!result.ok)
        #expect(result.firstBad == 30)
    }

    @Test func anInsertedEntryIsDetected() {
        // A forger seals a new entry after entry 50 with the right predecessor and number.
        var entries = chain
        let forged = AuditChain.seal(sampleEvent(500), sequence: 51, time: sampleTime(50), previousHash: chain[49].hash)
        entries.insert(forged, at: 50)
        let result = verify(entries, headCount: 100, headHash: chain[99].hash)
        #expect(!result.ok)
        #expect((51...52).contains(result.firstBad ?? 0))
    }

    @Test func anInsertedEntryWithADuplicateNumberIsDetected() {
        var entries = chain
        let forged = AuditChain.seal(sampleEvent(500), sequence: 50, time: sampleTime(50), previousHash: chain[48].hash)
        entries.insert(forged, at: 50)
        let result = verify(entries, headCount: 100, headHash: chain[99].hash)
        #expect(!result.ok)
        #expect(result.firstBad == 51)
    }

    @Test func truncationIsDetectedAgainstTheHead() {
        let result = verify(Array(chain.prefix(90)), headCount: 100, headHash: chain[99].hash)
        #expect(!result.ok)
        #expect(result.firstBad == 91)
        #expect(result.entries == 90)
        #expect(result.problem?.contains("truncation") == true)
    }

    @Test func aLogTruncatedToNothingIsDetected() {
        let result = verify([], headCount: 100, headHash: chain[99].hash)
        #expect(!result.ok)
        #expect(result.firstBad == 1)
    }

    @Test func aRewrittenTailResealedByAForgerIsCaughtByTheHeadHash() {
        // Re-sealing from entry 50 on yields a valid-looking chain; only the recorded head shows it.
        var entries = Array(chain.prefix(49))
        var previous = chain[48].hash
        for i in 50...100 {
            var event = sampleEvent(i)
            if i == 50 { event.actor = "mallory" }
            let entry = AuditChain.seal(event, sequence: Int64(i), time: sampleTime(i), previousHash: previous)
            entries.append(entry)
            previous = entry.hash
        }
        #expect(verify(entries).ok, "the forged chain is internally consistent")
        let result = verify(entries, headCount: 100, headHash: chain[99].hash)
        #expect(!result.ok)
    }

    @Test func aChainNotStartingAtGenesisIsDetected() {
        let entry = AuditChain.seal(sampleEvent(1), sequence: 1, time: sampleTime(1), previousHash: String(repeating: "1", count: 64))
        let result = verify([entry])
        #expect(!result.ok)
        #expect(result.firstBad == 1)
    }

    @Test func theFirstProblemIsReportedAndCountingGoesOn() {
        var entries = chain
        entries[9].actor = "x"
        entries[79].actor = "y"
        let result = verify(entries, headCount: 100, headHash: chain[99].hash)
        #expect(result.firstBad == 10)
        #expect(result.entries == 100)
    }
}
