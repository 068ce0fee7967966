public import Foundation
import CallvaultModel
import GRDB

/// What one deletion removed, by kind, and the blobs it left unreferenced.
public struct DeletedItems: Sendable, Equatable {
    public var calls: [Int64] = []
    public var sms: [Int64] = []
    public var recordings: [Int64] = []
    /// Blobs no recording refers to any more, queued in `blob_deletions`.
    public var unreferencedBlobs: [String] = []

    public init() {}

    public var count: Int { calls.count + sms.count + recordings.count }

    public mutating func add(_ other: DeletedItems) {
        calls += other.calls
        sms += other.sms
        recordings += other.recordings
        unreferencedBlobs += other.unreferencedBlobs
    }
}

extension IndexWriter {
    /// Deletes items for good: their full-text entries, customer links, recording rows and
    /// delivery-report leftovers, then the rows. Blobs no remaining recording refers to are
    /// queued in `blob_deletions` in the same transaction; `pendingBlobDeletions` and
    /// `blobDeleted` finish them after the commit (so a crash leaves them queued, not lost).
    /// - Throws: `IndexError.heldItems`, deleting nothing, when an active hold covers any of them.
    public func deleteItems(_ ids: [Int64], now: Date) throws -> DeletedItems {
        var deleted = DeletedItems()
        guard !ids.isEmpty else { return deleted }
        let held = try IndexReader(db: db).heldItems(among: ids)
        guard held.isEmpty else { throw IndexError.heldItems(held.sorted()) }
        try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS doomed (id INTEGER PRIMARY KEY); DELETE FROM doomed;")
        // `doomed CROSS JOIN items` keeps the planner from scanning every item to probe the
        // (statistics-less) temp table: a full scan per batch made expiry of 1M items take hours.
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO doomed (id) VALUES (?)")
        for id in ids { try insert.execute(arguments: [id]) }
        for row in try Row.fetchAll(db, sql: "SELECT i.id, i.kind FROM doomed d CROSS JOIN items i ON i.id = d.id ORDER BY d.id") {
            switch row[1] as String {
            case "call": deleted.calls.append(row[0])
            case "sms": deleted.sms.append(row[0])
            default: deleted.recordings.append(row[0])
            }
        }
        let blobs = try String.fetchAll(db, sql: "SELECT DISTINCT r.sha256 FROM doomed d CROSS JOIN recordings r ON r.item_id = d.id")
        try db.execute(sql: """
            INSERT INTO names_fts (names_fts, rowid, caller_name)
                SELECT 'delete', \(Schema.nameKey(start: "i.start_utc", id: "i.id")), i.caller_name FROM doomed d CROSS JOIN items i ON i.id = d.id
                WHERE i.caller_name IS NOT NULL ORDER BY 2;
            DELETE FROM item_customers WHERE item_id IN (SELECT id FROM doomed);
            DELETE FROM conversation_legs WHERE id IN (SELECT id FROM doomed);
            DELETE FROM link_overrides WHERE item_id IN (SELECT id FROM doomed);
            UPDATE recordings SET call_item_id = NULL WHERE call_item_id IN (SELECT id FROM doomed);
            DELETE FROM recordings WHERE item_id IN (SELECT id FROM doomed);
            DELETE FROM sms_pending_status WHERE message_id IN
                (SELECT i.pbx_unique_id FROM doomed d CROSS JOIN items i ON i.id = d.id WHERE i.kind = 'sms');
            DELETE FROM items WHERE id IN (SELECT id FROM doomed);
            DELETE FROM doomed;
            """)
        let queue = try db.cachedStatement(sql: "INSERT OR IGNORE INTO blob_deletions (sha256, queued_at) VALUES (?, ?)")
        for sha in blobs where try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM recordings WHERE sha256 = ?)", arguments: [sha]) == false {
            try queue.execute(arguments: [sha, now.unixSeconds])
            deleted.unreferencedBlobs.append(sha)
        }
        return deleted
    }

    /// Blobs queued for deletion that no recording refers to (a blob ingested again meanwhile is dropped from the queue).
    public func pendingBlobDeletions() throws -> [String] {
        try db.execute(sql: "DELETE FROM blob_deletions WHERE sha256 IN (SELECT sha256 FROM recordings)")
        return try String.fetchAll(db, sql: "SELECT sha256 FROM blob_deletions ORDER BY sha256")
    }

    /// Marks a queued blob as removed from the blob store.
    public func blobDeleted(_ sha256: String) throws {
        try db.execute(sql: "DELETE FROM blob_deletions WHERE sha256 = ?", arguments: [sha256])
    }
}

extension IndexWriter {
    /// One step of merging the full-text indexes (`names_fts`, `leg_names_fts`) each into one
    /// segment, writing about `pages` pages per index (FTS5 `merge` with a negative count: all
    /// segments, as `optimize` does, but a bounded piece at a time). Run until it returns false,
    /// the indexes end as `optimize` leaves them: in one segment, without the entries of
    /// deleted items.
    /// - Returns: whether the step changed any index's segments (false: nothing was left to merge).
    public func mergeFullText(pages: Int) throws -> Bool {
        var changed = false
        for table in ["names_fts", "leg_names_fts"] {
            // FTS5 keeps its segment structure in the record with id 10 of its data table.
            let structure = "SELECT block FROM \(table)_data WHERE id = 10"
            let before = try Data.fetchOne(db, sql: structure)
            try db.execute(sql: "INSERT INTO \(table) (\(table), rank) VALUES ('merge', ?)", arguments: [-max(1, pages)])
            if try Data.fetchOne(db, sql: structure) != before { changed = true }
        }
        return changed
    }
}

extension IndexReader {
    /// How many items carry a caller name (the full-text index's live rows).
    public func namedItemCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM items WHERE caller_name IS NOT NULL") ?? 0
    }
}
