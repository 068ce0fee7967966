public import Foundation
import Crypto
import CallvaultModel

/// The hash chain of the processing log: each entry's hash covers its content and the
/// previous entry's hash, so a changed, deleted, inserted or reordered entry breaks the chain.
public enum AuditChain {
    /// The previous-hash of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// Seals `event` as entry number `sequence` after an entry with hash `previousHash`.
    public static func seal(_ event: AuditEvent, sequence: Int64, time: Date, previousHash: String) -> AuditEntry {
        var entry = AuditEntry(
            sequence: sequence, time: time, actor: event.actor, role: event.role, action: event.action,
            items: event.items, purpose: event.purpose, details: canonicalJSON(event.details),
            outcome: event.outcome, reason: event.reason, durationMs: event.durationMs, origin: event.origin,
            previousHash: previousHash, hash: "")
        entry.hash = hash(of: entry)
        return entry
    }

    /// The hash an entry must carry.
    public static func hash(of entry: AuditEntry) -> String {
        // Every value is length-prefixed and an absent optional differs from an empty one,
        // so no two different entries serialise alike.
        func optional(_ value: String?) -> String { value.map { "=" + $0 } ?? "" }
        let fields: [String] = [
            String(entry.sequence), timestamp(entry.time), entry.actor, entry.role, entry.action,
            String(entry.items.count)] + entry.items + [
            optional(entry.purpose), entry.details, entry.outcome.rawValue,
            optional(entry.reason), optional(entry.durationMs.map(String.init)), entry.origin, entry.previousHash,
        ]
        let text = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
        return SHA256.hash(data: Data(text.utf8)).hexString
    }

    /// Milliseconds since 1970, the resolution the log stores times at.
    public static func timestamp(_ date: Date) -> String {
        String(Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    /// Writes runs of consecutive ids of one kind as `call-1..call-500`, keeping the log small
    /// when an ingest creates a million items. (Search results are logged id by id.)
    public static func compress(_ ids: [String]) -> [String] {
        var out: [String] = []
        var runPrefix = "", runStart: Int64 = 0, runEnd: Int64 = 0
        func flush() {
            guard !runPrefix.isEmpty else { return }
            out.append(runStart == runEnd ? "\(runPrefix)-\(runStart)" : "\(runPrefix)-\(runStart)..\(runPrefix)-\(runEnd)")
            runPrefix = ""
        }
        for id in ids {
            guard let dash = id.lastIndex(of: "-"), let n = Int64(id[id.index(after: dash)...]), !id.contains("..") else {
                flush()
                out.append(id)
                continue
            }
            let prefix = String(id[..<dash])
            if prefix == runPrefix && runEnd < Int64.max && n == runEnd + 1 {
                runEnd = n
            } else {
                flush()
                runPrefix = prefix
                runStart = n
                runEnd = n
            }
        }
        flush()
        return out
    }

    /// Ids `prefix-n` for `numbers` (ascending), with runs written as ranges like `compress`.
    public static func ranges(prefix: String, numbers: [Int64]) -> [String] {
        var out: [String] = []
        var index = 0
        while index < numbers.count {
            var end = index
            while end + 1 < numbers.count && numbers[end] < Int64.max && numbers[end + 1] == numbers[end] + 1 { end += 1 }
            out.append(index == end ? "\(prefix)-\(numbers[index])" : "\(prefix)-\(numbers[index])..\(prefix)-\(numbers[end])")
            index = end + 1
        }
        return out
    }

    /// Sorted keys, no spaces: the same details always hash the same.
    static func canonicalJSON(_ details: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(details), as: UTF8.self)) ?? "{}"
    }
}

/// The result of checking the chain.
public struct AuditVerification: Sendable, Equatable, Codable {
    public var entries: Int64
    public var ok: Bool
    /// Sequence number of the first entry that fails, or nil.
    public var firstBad: Int64?
    /// What failed, for a person.
    public var problem: String?

    public init(entries: Int64, ok: Bool, firstBad: Int64?, problem: String?) {
        self.entries = entries
        self.ok = ok
        self.firstBad = firstBad
        self.problem = problem
    }
}

/// Checks entries in stored order against the chain and the recorded head.
public struct AuditVerifier {
    private var expectedSequence: Int64 = 1
    private var previousHash = AuditChain.genesis
    private var failure: (Int64, String)?
    private var count: Int64 = 0
    private let prunedUpTo: Int64
    private let prunedHash: String?
    /// `upto` and `anchor` of the newest `audit-prune` entry seen.
    private var lastPruning: (upto: Int64, anchor: String?)?

    public init() { self.init(prunedUpTo: 0, prunedHash: nil) }

    /// A verifier for a log whose entries up to `prunedUpTo` were pruned after their retention
    /// (R4): the chain starts from the last pruned entry's hash, and the newest `audit-prune`
    /// entry must record exactly this anchor (so a moved anchor is detected).
    public init(prunedUpTo: Int64, prunedHash: String?) {
        self.prunedUpTo = prunedUpTo
        self.prunedHash = prunedHash
        expectedSequence = prunedUpTo + 1
        previousHash = prunedUpTo > 0 ? (prunedHash ?? "") : AuditChain.genesis
    }

    /// The action of the entry that records a pruning, with `upto` and `anchor` in its details.
    public static let pruneAction = "audit-prune"

    /// Feeds the next entry in stored order.
    public mutating func check(_ entry: AuditEntry) {
        count += 1
        guard failure == nil else { return }
        if entry.sequence != expectedSequence {
            failure = (expectedSequence, entry.sequence > expectedSequence
                ? "entry \(expectedSequence) is missing (deleted)" : "entry \(entry.sequence) is out of order or inserted")
        } else if entry.previousHash != previousHash {
            failure = (entry.sequence, "entry \(entry.sequence) does not follow its predecessor (inserted, deleted or reordered)")
        } else if AuditChain.hash(of: entry) != entry.hash {
            failure = (entry.sequence, "entry \(entry.sequence) was changed after it was written")
        }
        expectedSequence = entry.sequence + 1
        previousHash = entry.hash
        if entry.action == Self.pruneAction,
           let details = try? JSONDecoder().decode([String: String].self, from: Data(entry.details.utf8)),
           let upto = details["upto"].flatMap(Int64.init) {
            lastPruning = (upto, details["anchor"])
        }
    }

    /// Finishes against the head (count and last hash) recorded separately, which reveals truncation.
    public func finish(headCount: Int64, headHash: String) -> AuditVerification {
        if let (seq, problem) = failure {
            return AuditVerification(entries: count, ok: false, firstBad: seq, problem: problem)
        }
        let last = prunedUpTo + count
        if last == headCount && count > 0 && previousHash != headHash {
            return AuditVerification(entries: count, ok: false, firstBad: last,
                                     problem: "the newest entry does not match the log's head: the end of the log was rewritten")
        }
        if last != headCount {
            return AuditVerification(entries: count, ok: false, firstBad: last + 1,
                                     problem: "the log holds entries up to \(last) but its head records \(headCount): entries after \(last) were removed (truncation)")
        }
        if prunedUpTo > 0 && (lastPruning?.upto != prunedUpTo || lastPruning?.anchor != prunedHash) {
            return AuditVerification(entries: count, ok: false, firstBad: prunedUpTo + 1,
                                     problem: "the pruning anchor (entries up to \(prunedUpTo) pruned) does not match the newest recorded pruning: entries were removed outside retention pruning")
        }
        return AuditVerification(entries: count, ok: true, firstBad: nil, problem: nil)
    }
}
