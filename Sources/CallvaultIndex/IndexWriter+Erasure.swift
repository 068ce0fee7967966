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
    /// Makes deleted content unreadable in the files: merges the full-text index (so deleted
    /// names leave its segments; `secure_delete` zeroes the freed pages) and checkpoints the
    /// WAL into the main file, truncating it.
    /// The checkpoint is tried ten times over about 3 s, each try waiting at most 50 ms for
    /// readers of older snapshots, so writers are never held off long behind a long reader.
    /// - Returns: false when a reader kept the WAL from being truncated (retry later).
    @discardableResult
    public func purgeDeletedContent() throws(IndexError) -> Bool {
        try wrap { try pool.write { db in try IndexWriter(db: db).compactFullText() } }
        for attempt in 0..<10 {
            if (try? checkpointWholeLog(.truncate, waitingAtMost: 0.05)) != nil { return true }
            Thread.sleep(forTimeInterval: 0.05 * Double(attempt + 1))
        }
        return false
    }
}
