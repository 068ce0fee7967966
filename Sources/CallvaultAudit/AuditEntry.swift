public import Foundation

/// One event of the processing log (R1): who did what to which items, why, and how it ended.
///
/// It holds ids only — never phone numbers, names or message text (R6). A searched number
/// appears only as a keyed hash (`NumberHasher`).
public struct AuditEntry: Sendable, Equatable, Codable {
    /// Allowed, denied or failed (R1).
    public enum Outcome: String, Sendable, Codable {
        case allowed, denied, failed
    }

    /// 1-based position in the chain.
    public var sequence: Int64
    public var time: Date
    /// Personal user id (`anna`) or service identity (`svc:ingest`).
    public var actor: String
    /// The role or authorisation used (`cli` for the local operator until users exist).
    public var role: String
    /// What was done: `ingest`, `search`, `show`, `extract`, `customers-import`, `verify`, ….
    public var action: String
    /// Ids of every item the action touched or returned, ranges written `call-1..call-500`.
    public var items: [String]
    /// The declared purpose, for reads of personal data.
    public var purpose: String?
    /// Minimised parameters (hashed numbers, counts, flags) as a compact JSON object.
    public var details: String
    public var outcome: Outcome
    /// Why a denial or failure happened.
    public var reason: String?
    /// How long the processing took, in milliseconds, where measured.
    public var durationMs: Int?
    /// Where the request came from (`cli@host`, an HTTP peer address).
    public var origin: String
    /// Hash of the previous entry (64 zeros for the first).
    public var previousHash: String
    /// Hash of this entry's content and `previousHash`.
    public var hash: String

    public init(sequence: Int64, time: Date, actor: String, role: String, action: String, items: [String],
                purpose: String?, details: String, outcome: Outcome, reason: String?, durationMs: Int?,
                origin: String, previousHash: String, hash: String) {
        self.sequence = sequence
        self.time = time
        self.actor = actor
        self.role = role
        self.action = action
        self.items = items
        self.purpose = purpose
        self.details = details
        self.outcome = outcome
        self.reason = reason
        self.durationMs = durationMs
        self.origin = origin
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// An event about to be logged: everything but its place in the chain.
public struct AuditEvent: Sendable, Equatable {
    public var actor: String
    public var role: String
    public var action: String
    public var items: [String]
    public var purpose: String?
    public var details: [String: String]
    public var outcome: AuditEntry.Outcome
    public var reason: String?
    public var durationMs: Int?
    public var origin: String

    public init(actor: String, role: String = "cli", action: String, items: [String] = [], purpose: String? = nil,
                details: [String: String] = [:], outcome: AuditEntry.Outcome = .allowed, reason: String? = nil,
                durationMs: Int? = nil, origin: String) {
        self.actor = actor
        self.role = role
        self.action = action
        self.items = items
        self.purpose = purpose
        self.details = details
        self.outcome = outcome
        self.reason = reason
        self.durationMs = durationMs
        self.origin = origin
    }
}
