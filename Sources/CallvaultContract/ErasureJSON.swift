public import CallvaultModel

/// CLI.md's erase result: `{"deleted": n, "kept": [{"id", "why", "until"}], "deferred": n}` and more.
public struct ErasureJSON: Encodable {
    var erasure: String?
    var customer: String
    var dry_run: Bool
    var completed: Bool
    var deleted: Int
    var deleted_items: ErasureReport.Counts
    var kept: [ErasureReport.Kept]
    var deferred: Int
    var review: [String]
    var customer_removed: Bool
    var customer_blanked: Bool
    var blobs_removed: Int
    var spool_files_scrubbed: Int
    var index_purged: Bool?
    var hold_scopes_hashed: Int
    var kept_notes: [String]

    public init(_ r: ErasureReport) {
        erasure = r.erasure
        customer = r.customer
        dry_run = r.dryRun
        completed = r.completedAt != nil
        deleted = r.deleted.total
        deleted_items = r.deleted
        kept = r.kept
        deferred = r.deferred
        review = r.review
        customer_removed = r.customerRemoved
        customer_blanked = r.customerBlanked
        blobs_removed = r.blobsRemoved
        spool_files_scrubbed = r.spoolFilesScrubbed
        index_purged = r.indexPurged
        hold_scopes_hashed = r.holdScopesHashed ?? 0
        kept_notes = r.keptNotes ?? []
    }

    enum CodingKeys: String, CodingKey {
        case erasure, customer, dry_run, completed, deleted, deleted_items, kept, deferred, review, customer_removed
        case customer_blanked, blobs_removed, spool_files_scrubbed, index_purged, hold_scopes_hashed, kept_notes
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(erasure, forKey: .erasure) // null for a dry run
        try c.encode(customer, forKey: .customer)
        try c.encode(dry_run, forKey: .dry_run)
        try c.encode(completed, forKey: .completed)
        try c.encode(deleted, forKey: .deleted)
        try c.encode(deleted_items, forKey: .deleted_items)
        try c.encode(kept, forKey: .kept)
        try c.encode(deferred, forKey: .deferred)
        try c.encode(review, forKey: .review)
        try c.encode(customer_removed, forKey: .customer_removed)
        try c.encode(customer_blanked, forKey: .customer_blanked)
        try c.encode(blobs_removed, forKey: .blobs_removed)
        try c.encode(spool_files_scrubbed, forKey: .spool_files_scrubbed)
        try c.encode(index_purged, forKey: .index_purged) // null for a dry run
        try c.encode(hold_scopes_hashed, forKey: .hold_scopes_hashed)
        try c.encode(kept_notes, forKey: .kept_notes)
    }
}
