public import Foundation
import Crypto
import CallvaultModel

/// The hash chain of the processing log: each entry's hash covers its content and the
/// previous entry's hash, so a changed, deleted, inserted or reordered entry breaks the chain.
/// Entries are sealed with HMAC-SHA256 under the archive's chain key (`AuditKey`, kept outside
/// the index), so nobody without the key can recompute the chain; archives from before keyed
/// chains keep their plain SHA-256 entries up to the switch point.
public enum AuditChain {
    /// The previous-hash of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// Seals `event` as entry number `sequence` after an entry with hash `previousHash`: keyed
    /// with `key`, plain SHA-256 without one.
    public static func seal(_ event: AuditEvent, sequence: Int64, time: Date, previousHash: String, key: AuditKey? = nil) -> AuditEntry {
        var entry = AuditEntry(
            sequence: sequence, time: time, actor: event.actor, role: event.role, action: event.action,
            items: event.items, purpose: event.purpose, details: canonicalJSON(event.details),
            outcome: event.outcome, reason: event.reason, durationMs: event.durationMs, origin: event.origin,
            previousHash: previousHash, hash: "")
        entry.hash = hash(of: entry, key: key)
        return entry
    }

    /// The hash an entry must carry: HMAC-SHA256 under `key`, plain SHA-256 without one.
    public static func hash(of entry: AuditEntry, key: AuditKey? = nil) -> String {
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
        if let key { return key.mac(text) }
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

