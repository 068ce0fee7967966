public import Foundation
import GRDB

extension IndexWriter {
    /// Records an erasure job (pending until `finishErasure`).
    /// - Returns: its number (`erasure-N`).
    public func startErasure(customer: String, reason: String, by actor: String, at time: Date) throws -> Int64 {
        try db.execute(sql: "INSERT INTO erasures (customer_id, reason, requested_by, requested_at) VALUES (?, ?, ?, ?)",
                       arguments: [customer, reason, actor, time.unixSeconds])
        return db.lastInsertedRowID
    }

    /// Stores an erasure's report, and its completion time once nothing waits for a hold.
    public func updateErasure(_ id: Int64, report: String, completedAt: Date?) throws {
        try db.execute(sql: "UPDATE erasures SET report = ?, completed_at = ? WHERE id = ?",
                       arguments: [report, completedAt?.unixSeconds, id])
    }

    /// Forgets a customer's identity: with items still linked (kept for retention), the record
    /// stays as the anchor of those links with its name blanked to `(erased)` and no numbers;
    /// with none, the record, its numbers and its manual link corrections go.
    /// - Warning: destroys the customer's name and numbers for good.
    /// - Returns: true when the record was removed.
    @discardableResult
    public func forgetCustomer(_ customer: String, at time: Date) throws -> Bool {
        try db.execute(sql: "DELETE FROM customer_numbers WHERE customer_id = ?", arguments: [customer])
        try db.execute(sql: "DELETE FROM link_overrides WHERE customer_id = ? AND item_id NOT IN (SELECT item_id FROM item_customers WHERE customer_id = ?)",
                       arguments: [customer, customer])
        let linked = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM item_customers WHERE customer_id = ?)", arguments: [customer]) ?? false
        if linked {
            try db.execute(sql: "UPDATE customers SET name = '(erased)', updated_at = ? WHERE id = ?", arguments: [time.unixSeconds, customer])
            return false
        }
        try db.execute(sql: "DELETE FROM customers WHERE id = ?", arguments: [customer])
        return true
    }
}

extension ArchiveIndex {
    /// Makes deleted content unreadable in the files: merges the full-text index into one segment
    /// (so deleted names leave it; `secure_delete` zeroes the freed pages) and checkpoints the
    /// WAL into the main file, truncating it.
    /// The checkpoint is tried again and again for up to `patience` seconds, each try waiting at
    /// most 50 ms for readers of older snapshots: a long reader (an export) delays the purge,
    /// never the writers.
    /// - Returns: false when a reader kept the WAL from being truncated all that time (retry later).
    @discardableResult
    public func purgeDeletedContent(patience: TimeInterval = 60) throws(IndexError) -> Bool {
        // In steps of a few hundred pages, each its own transaction, so that searches and
        // ingest get the write lock in between however large the index (one `optimize` holds it
        // for its whole rewrite).
        try wrap { while try pool.write({ db in try IndexWriter(db: db).mergeFullText(pages: 500) }) {} }
        let deadline = Date().addingTimeInterval(patience)
        var pause = 0.05
        while true {
            if (try? checkpointWholeLog(.truncate, waitingAtMost: 0.05)) != nil { return true }
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: pause)
            pause = min(1, pause * 2)
        }
    }
}
