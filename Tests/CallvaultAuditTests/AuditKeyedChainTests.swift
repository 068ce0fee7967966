import Foundation
import Testing
import CallvaultAudit

/// The keyed chain and its anchors, without storage: what `audit verify` decides from entries,
/// the chain key and the anchor lines.
@Suite struct AuditKeyedChainTests {
    let key = AuditKey(Data(repeating: 1, count: 32))

    /// A chain of `count` entries, plain up to `keyedFrom - 1`, keyed from `keyedFrom`.
    func keyedChain(_ count: Int, keyedFrom: Int64 = 1) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        var previous = AuditChain.genesis
        for i in 1...count {
            let entry = AuditChain.seal(sampleEvent(i), sequence: Int64(i), time: sampleTime(i), previousHash: previous,
                                        key: Int64(i) >= keyedFrom ? key : nil)
            entries.append(entry)
            previous = entry.hash
        }
        return entries
    }

    func anchor(_ entries: [AuditEntry], at sequence: Int, keyedFrom: Int64 = 1) -> AuditAnchor {
        AuditAnchor(sequence: Int64(sequence), hash: sequence == 0 ? AuditChain.genesis : entries[sequence - 1].hash,
                    keyedFrom: keyedFrom, time: sampleTime(sequence))
    }

    func verify(_ entries: [AuditEntry], anchors: [AuditAnchor], storedKeyedFrom: Int64? = 1,
                headCount: Int64? = nil, headHash: String? = nil) -> AuditVerification {
        var verifier = AuditVerifier(prunedUpTo: 0, prunedHash: nil, keying: AuditKeying(
            key: key, storedKeyedFrom: storedKeyedFrom, anchors: anchors, alteredLines: [], anchorFile: "anchors"))
        for entry in entries { verifier.check(entry) }
        return verifier.finish(headCount: headCount ?? Int64(entries.count), headHash: headHash ?? entries.last?.hash ?? "")
    }

    @Test func aKeyedHashNeedsTheKey() {
        let keyed = AuditChain.seal(sampleEvent(1), sequence: 1, time: sampleTime(1), previousHash: AuditChain.genesis, key: key)
        let plain = AuditChain.seal(sampleEvent(1), sequence: 1, time: sampleTime(1), previousHash: AuditChain.genesis)
        let other = AuditChain.seal(sampleEvent(1), sequence: 1, time: sampleTime(1), previousHash: AuditChain.genesis,
                                    key: AuditKey(Data(repeating: 2, count: 32)))
        #expect(keyed.hash.count == 64)
        #expect(Set([keyed.hash, plain.hash, other.hash]).count == 3)
    }

    @Test func anIntactKeyedChainWithItsAnchorsVerifies() {
        let entries = keyedChain(10)
        #expect(verify(entries, anchors: [anchor(entries, at: 0), anchor(entries, at: 6), anchor(entries, at: 10)]).ok)
    }

    @Test func aPlainRewriteFailsAtTheAnchoredSwitchPointWhereverTheIndexMovedIt() {
        let entries = keyedChain(10)
        let anchors = [anchor(entries, at: 0), anchor(entries, at: 10)]
        let rewritten = sampleChain(10)
        let result = verify(rewritten, anchors: anchors, storedKeyedFrom: 11)
        #expect(!result.ok)
        #expect(result.firstBad == 1)
    }

    @Test func anOldPlainPrefixVerifiesUpToTheSwitchPoint() {
        let entries = keyedChain(10, keyedFrom: 6)
        let anchors = [anchor(entries, at: 5, keyedFrom: 6), anchor(entries, at: 9, keyedFrom: 6)]
        #expect(verify(entries, anchors: anchors, storedKeyedFrom: 6).ok)
        // Rewriting the plain prefix consistently is caught by the anchor of the old head.
        var forged = sampleChain(5)
        forged[1].actor = "mallory"
        var previous = AuditChain.genesis
        for i in forged.indices {
            forged[i].previousHash = previous
            forged[i].hash = AuditChain.hash(of: forged[i])
            previous = forged[i].hash
        }
        let result = verify(forged + entries[5...], anchors: anchors, storedKeyedFrom: 6)
        #expect(!result.ok)
        #expect(result.firstBad == 5)
    }

    @Test func aCutOfAnchoredEntriesIsReportedAtTheFirstMissing() {
        let entries = keyedChain(10)
        let result = verify(Array(entries.prefix(7)), anchors: [anchor(entries, at: 0), anchor(entries, at: 10)],
                            headCount: 7, headHash: entries[6].hash)
        #expect(!result.ok)
        #expect(result.firstBad == 8)
    }

    @Test func noAnchorAtAllFails() {
        let result = verify(keyedChain(3), anchors: [])
        #expect(!result.ok)
        #expect(result.problem?.contains("no anchor") == true)
    }

    @Test func anchorLinesRoundTripAndRefuseEdits() {
        let original = AuditAnchor(sequence: 42, hash: String(repeating: "ab", count: 32), keyedFrom: 7,
                                   time: Date(timeIntervalSince1970: 1_773_473_400))
        let line = original.line(signedWith: key)
        #expect(AuditAnchor.read(Substring(line), key: key) == .anchor(original))
        #expect(AuditAnchor.read(Substring(line.replacingOccurrences(of: " 42 ", with: " 43 ")), key: key) == .altered)
        let other = AuditKey(Data(repeating: 9, count: 32))
        #expect(AuditAnchor.read(Substring(line), key: other) == .otherArchive, "another archive's line is not ours to judge")
        #expect(AuditAnchor.read("", key: key) == .otherArchive)
    }
}
