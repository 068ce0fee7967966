public import Foundation
public import CallvaultModel
import GRDB

extension IndexWriter {
    /// Links (or unlinks) an item and the recordings of a call to a customer by hand, and
    /// records the correction in `link_overrides` so a later `customers import` keeps it.
    /// - Returns: the items whose links changed (the item and its call's recordings).
    public func setLink(_ item: ItemID, customer: String, linked: Bool, reason: String, by actor: String, at time: Date) throws -> [ItemID] {
        var targets = [item]
        if item.kind == .call {
            targets += try Int64.fetchAll(db, sql: "SELECT item_id FROM recordings WHERE call_item_id = ? ORDER BY item_id", arguments: [item.number])
                .map { ItemID(kind: .recording, number: $0) }
        }
        var changed: [ItemID] = []
        for target in targets {
            try db.execute(sql: """
                INSERT INTO link_overrides (item_id, customer_id, linked, set_by, set_at, reason) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (item_id, customer_id) DO UPDATE SET linked = excluded.linked, set_by = excluded.set_by,
                    set_at = excluded.set_at, reason = excluded.reason
                """, arguments: [target.number, customer, linked ? 1 : 0, actor, time.unixSeconds, reason])
            if linked {
                try db.execute(sql: "INSERT OR IGNORE INTO item_customers (customer_id, item_id) VALUES (?, ?)", arguments: [customer, target.number])
            } else {
                try db.execute(sql: "DELETE FROM item_customers WHERE customer_id = ? AND item_id = ?", arguments: [customer, target.number])
            }
            if db.changesCount > 0 { changed.append(target) }
        }
        return changed
    }

    /// Removes one customer's link to items without recording an override (erasure of a shared item).
    public func removeLinks(customer: String, items: [ItemID]) throws {
        let statement = try db.cachedStatement(sql: "DELETE FROM item_customers WHERE customer_id = ? AND item_id = ?")
        for item in items { try statement.execute(arguments: [customer, item.number]) }
        let overrides = try db.cachedStatement(sql: "DELETE FROM link_overrides WHERE customer_id = ? AND item_id = ?")
        for item in items { try overrides.execute(arguments: [customer, item.number]) }
    }
}

extension IndexReader {
    /// The customers an item links to, sorted.
    public func customers(of item: ItemID) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT customer_id FROM item_customers WHERE item_id = ? ORDER BY customer_id", arguments: [item.number])
    }
}
