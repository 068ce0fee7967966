public import Foundation

/// What an erasure did (or, for a dry run, would do) for one customer: what was deleted,
/// what was kept and why and until when (DESIGN.md invariant 6, R21, R23). Holds ids and
/// counts only, never names or numbers, so it can be stored and audited.
public struct ErasureReport: Sendable, Equatable, Codable {
    /// Why an item linked to the customer was not deleted.
    public enum Why: String, Sendable, Codable, CaseIterable {
        /// An active legal hold covers it; the erasure completes when the last hold is released.
        case hold
        /// Its retention class may not be erased early (e.g. traffic data kept for billing and claims).
        case retention
        /// It belongs to another customer too: only this customer's link was removed.
        case linkedToAnotherCustomer = "linked-to-another-customer"
    }

    /// One kept item.
    public struct Kept: Sendable, Equatable, Codable {
        public var id: String
        public var why: Why
        /// When it will expire; nil while a customer relationship lasts or while a hold lasts.
        public var until: Date?
        /// The holds that keep it (for `hold`).
        public var holds: [String]
        /// Its retention class and the class's legal basis.
        public var retentionClass: String?
        public var legalBasis: String?

        public init(id: String, why: Why, until: Date?, holds: [String] = [], retentionClass: String? = nil, legalBasis: String? = nil) {
            self.id = id
            self.why = why
            self.until = until
            self.holds = holds
            self.retentionClass = retentionClass
            self.legalBasis = legalBasis
        }

        enum CodingKeys: String, CodingKey {
            case id, why, until, holds
            case retentionClass = "class"
            case legalBasis = "legal_basis"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(why, forKey: .why)
            try c.encode(until, forKey: .until) // null is meaningful: "while the relationship lasts"
            try c.encode(holds, forKey: .holds)
            try c.encodeIfPresent(retentionClass, forKey: .retentionClass)
            try c.encodeIfPresent(legalBasis, forKey: .legalBasis)
        }
    }

    /// Deleted items by kind.
    public struct Counts: Sendable, Equatable, Codable {
        public var calls = 0
        public var sms = 0
        public var recordings = 0
        public init(calls: Int = 0, sms: Int = 0, recordings: Int = 0) {
            self.calls = calls
            self.sms = sms
            self.recordings = recordings
        }
        public var total: Int { calls + sms + recordings }
    }

    /// `erasure-N`; nil for a dry run.
    public var erasure: String?
    public var customer: String
    public var dryRun: Bool
    public var requestedAt: Date
    /// When the erasure finished; nil while items wait for a hold's release.
    public var completedAt: Date?
    /// Items deleted, over every run of this erasure.
    public var deleted: Counts
    public var kept: [Kept]
    /// Items kept by a hold (the erasure finishes when they are released).
    public var deferred: Int
    /// Items left to another customer, listed for a person to review.
    public var review: [String]
    /// Whether the customer's record and numbers are gone (nothing of theirs is kept).
    public var customerRemoved: Bool
    /// Whether the name was blanked and the numbers removed while kept items still link to the record.
    public var customerBlanked: Bool
    /// Recording blobs removed from the blob store.
    public var blobsRemoved: Int
    /// Files in spool/processed and spool/rejected rewritten or removed.
    public var spoolFilesScrubbed: Int
    /// Whether the index's files were purged of the deleted content (full-text index merged,
    /// write-ahead log checkpointed and truncated). False when a reader kept an older snapshot
    /// open all the while, so the log may still hold old page versions: the next `expire` run
    /// or hold release tries again and sets it. Nil for a dry run and in reports stored before it existed.
    public var indexPurged: Bool?
    /// Hold scopes whose number (this customer's, owned by nobody else) was replaced by its
    /// keyed hash when the erasure completed. Nil until it completes.
    public var holdScopesHashed: Int?
    /// Free-text notes that were kept and may name the customer: the case names and reasons of
    /// holds that covered their items, and the notes of their requests (`hold-3`, `req-2`), for
    /// a person to review. Nil until the erasure completes.
    public var keptNotes: [String]?

    public init(erasure: String?, customer: String, dryRun: Bool, requestedAt: Date) {
        self.erasure = erasure
        self.customer = customer
        self.dryRun = dryRun
        self.requestedAt = requestedAt
        completedAt = nil
        deleted = Counts()
        kept = []
        deferred = 0
        review = []
        customerRemoved = false
        customerBlanked = false
        blobsRemoved = 0
        spoolFilesScrubbed = 0
    }

    /// Whether nothing waits for a hold any more.
    public var isComplete: Bool { completedAt != nil }

    enum CodingKeys: String, CodingKey {
        case erasure, customer, kept, deferred, review
        case dryRun = "dry_run"
        case requestedAt = "requested_at"
        case completedAt = "completed_at"
        case deleted = "deleted_items"
        case customerRemoved = "customer_removed"
        case customerBlanked = "customer_blanked"
        case blobsRemoved = "blobs_removed"
        case spoolFilesScrubbed = "spool_files_scrubbed"
        case indexPurged = "index_purged"
        case holdScopesHashed = "hold_scopes_hashed"
        case keptNotes = "kept_notes"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(erasure, forKey: .erasure)
        try c.encode(customer, forKey: .customer)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(requestedAt, forKey: .requestedAt)
        try c.encode(completedAt, forKey: .completedAt)
        try c.encode(deleted, forKey: .deleted)
        try c.encode(kept, forKey: .kept)
        try c.encode(deferred, forKey: .deferred)
        try c.encode(review, forKey: .review)
        try c.encode(customerRemoved, forKey: .customerRemoved)
        try c.encode(customerBlanked, forKey: .customerBlanked)
        try c.encode(blobsRemoved, forKey: .blobsRemoved)
        try c.encode(spoolFilesScrubbed, forKey: .spoolFilesScrubbed)
        try c.encode(indexPurged, forKey: .indexPurged)
        try c.encodeIfPresent(holdScopesHashed, forKey: .holdScopesHashed)
        try c.encodeIfPresent(keptNotes, forKey: .keptNotes)
    }
}
