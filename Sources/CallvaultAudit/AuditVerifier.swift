public import Foundation

/// Checks entries in stored order against the chain, the recorded head and, for a keyed log,
/// the chain key and the anchors kept outside the archive. Every problem found is reported by
/// the lowest sequence number it concerns.
public struct AuditVerifier {
    private var expectedSequence: Int64 = 1
    private var previousHash = AuditChain.genesis
    private var chainFailure: (Int64, String)?
    private var count: Int64 = 0
    private var lastSequence: Int64
    private let prunedUpTo: Int64
    private let prunedHash: String?
    /// `upto` and `anchor` of the newest `audit-prune` entry seen.
    private var lastPruning: (upto: Int64, anchor: String?)?
    private let key: AuditKey?
    /// Entries from this sequence on are keyed (`Int64.max`: none, a plain log).
    private let keyedFrom: Int64
    /// The anchors still checkable entry by entry, by sequence (the newest of each sequence).
    private let anchors: [Int64: AuditAnchor]
    /// Problems found apart from the chain walk (anchors, the switch point), by sequence.
    private var otherFailures: [(Int64?, String)]

    /// A verifier of a plain log that was never pruned.
    public init() { self.init(prunedUpTo: 0, prunedHash: nil) }

    /// A verifier for a log whose entries up to `prunedUpTo` were pruned after their retention
    /// (R4): the chain starts from the last pruned entry's hash, and the newest `audit-prune`
    /// entry must record exactly this anchor (so a moved anchor is detected). With `keying`,
    /// entries from the switch point on must carry their HMAC under the key, and every anchor
    /// must match the stored entry it names.
    public init(prunedUpTo: Int64, prunedHash: String?, keying: AuditKeying? = nil) {
        self.prunedUpTo = prunedUpTo
        self.prunedHash = prunedHash
        expectedSequence = prunedUpTo + 1
        lastSequence = prunedUpTo
        previousHash = prunedUpTo > 0 ? (prunedHash ?? "") : AuditChain.genesis
        key = keying?.key
        var failures: [(Int64?, String)] = []
        var bySequence: [Int64: AuditAnchor] = [:]
        var keyedFrom = Int64.max
        if let keying {
            // The anchors, outside the archive, say where keying began; the index's own record
            // of it could have been moved by whoever rewrote the log with plain hashes.
            let anchored = keying.anchors.map(\.keyedFrom).min()
            keyedFrom = anchored ?? keying.storedKeyedFrom ?? 1
            if anchored == nil {
                failures.append((keying.storedKeyedFrom ?? 1,
                                 "no anchor of this archive in \(keying.anchorFile): the anchor file was removed, replaced or is not the one this archive writes to (--anchor-file)"))
            } else if let stored = keying.storedKeyedFrom, stored != keyedFrom {
                failures.append((min(stored, keyedFrom),
                                 "the index says the chain is keyed from entry \(stored) but the anchors say from \(keyedFrom): the switch point was moved"))
            } else if keying.storedKeyedFrom == nil {
                failures.append((keyedFrom, "the index records no switch point to keyed hashes but the anchors say from \(keyedFrom)"))
            }
            for line in keying.alteredLines {
                failures.append((nil, "line \(line) of \(keying.anchorFile) names this archive but its signature does not match: the anchor was edited or forged"))
            }
            for anchor in keying.anchors {
                if anchor.sequence < prunedUpTo { continue }  // pruned after its retention: nothing left to compare
                if anchor.sequence == prunedUpTo {
                    if anchor.hash != (prunedUpTo == 0 ? AuditChain.genesis : prunedHash) {
                        failures.append((prunedUpTo + 1, Self.mismatch(anchor)))
                    }
                    continue
                }
                bySequence[anchor.sequence] = anchor
            }
        }
        self.keyedFrom = keyedFrom
        anchors = bySequence
        otherFailures = failures
    }

    /// The action of the entry that records a pruning, with `upto` and `anchor` in its details.
    public static let pruneAction = "audit-prune"

    /// Feeds the next entry in stored order.
    public mutating func check(_ entry: AuditEntry) {
        count += 1
        lastSequence = max(lastSequence, entry.sequence)
        if let anchor = anchors[entry.sequence], anchor.hash != entry.hash {
            otherFailures.append((entry.sequence, Self.mismatch(anchor)))
        }
        if chainFailure == nil {
            let keyed = entry.sequence >= keyedFrom
            if entry.sequence != expectedSequence {
                chainFailure = (expectedSequence, entry.sequence > expectedSequence
                    ? "entry \(expectedSequence) is missing (deleted)" : "entry \(entry.sequence) is out of order or inserted")
            } else if entry.previousHash != previousHash {
                chainFailure = (entry.sequence, "entry \(entry.sequence) does not follow its predecessor (inserted, deleted or reordered)")
            } else if AuditChain.hash(of: entry, key: keyed ? key : nil) != entry.hash {
                chainFailure = (entry.sequence, keyed
                    ? "entry \(entry.sequence) does not carry its keyed hash: it was changed or rewritten without the chain key"
                    : "entry \(entry.sequence) was changed after it was written")
            }
        }
        expectedSequence = entry.sequence + 1
        previousHash = entry.hash
        if entry.action == Self.pruneAction,
           let details = try? JSONDecoder().decode([String: String].self, from: Data(entry.details.utf8)),
           let upto = details["upto"].flatMap(Int64.init) {
            lastPruning = (upto, details["anchor"])
        }
    }

    /// Finishes against the head (count and last hash) recorded separately, which reveals
    /// truncation, and against the anchors of entries no longer stored (a cut of the newest).
    public func finish(headCount: Int64, headHash: String) -> AuditVerification {
        var failures = otherFailures
        if let chainFailure { failures.append(chainFailure) }
        let last = prunedUpTo + count
        if chainFailure == nil {
            if last == headCount && count > 0 && previousHash != headHash {
                failures.append((last, "the newest entry does not match the log's head: the end of the log was rewritten"))
            }
            if last != headCount {
                failures.append((last + 1, "the log holds entries up to \(last) but its head records \(headCount): entries after \(last) were removed (truncation)"))
            }
            if prunedUpTo > 0 && (lastPruning?.upto != prunedUpTo || lastPruning?.anchor != prunedHash) {
                failures.append((prunedUpTo + 1, "the pruning anchor (entries up to \(prunedUpTo) pruned) does not match the newest recorded pruning: entries were removed outside retention pruning"))
            }
        }
        if let newest = anchors.values.filter({ $0.sequence > lastSequence }).max(by: { $0.sequence < $1.sequence }) {
            failures.append((lastSequence + 1, "entries up to \(newest.sequence) were anchored at \(newest.time.formatted(.iso8601)) but the log ends at \(lastSequence): the newest entries were cut"))
        }
        guard let first = failures.min(by: { ($0.0 ?? .max) < ($1.0 ?? .max) }) else {
            return AuditVerification(entries: count, ok: true, firstBad: nil, problem: nil)
        }
        return AuditVerification(entries: count, ok: false, firstBad: first.0, problem: first.1)
    }

    static func mismatch(_ anchor: AuditAnchor) -> String {
        "entry \(anchor.sequence) does not match the anchor written at \(anchor.time.formatted(.iso8601)): the log was rewritten"
    }
}
