public import Foundation
public import CallvaultModel
import CallvaultAudit
import GRDB

/// Where a walk over due items stands: the last (retain_until, id) seen.
public struct DueCursor: Sendable, Equatable {
    var retainUntil: Int64 = .min
    var id: Int64 = .min

    public init() {}
}

extension IndexReader {
    /// The next `limit` items after `cursor` whose retain-until date is at or before `now`
    /// (never one kept while a customer relationship lasts), each with what keeps it, in
    /// (retain_until, id) order; advances `cursor` past them.
    public func dueItems(now: Date, after cursor: inout DueCursor, limit: Int) throws -> [DueItem] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT i.id, i.kind, i.retain_until,
                   \(PolicyConditions.held) AS held, \(PolicyConditions.restricted) AS restricted, \(PolicyConditions.frozen) AS frozen
            FROM items i
            WHERE i.retain_until <= :now AND i.retain_until < :forever AND (i.retain_until, i.id) > (:ru, :id)
            ORDER BY i.retain_until, i.id LIMIT :limit
            """, arguments: ["now": now.unixSeconds, "forever": Schema.retainWhileRelationshipLasts,
                             "ru": cursor.retainUntil, "id": cursor.id, "limit": limit])
        if let last = rows.last {
            cursor.retainUntil = last[2]
            cursor.id = last[0]
        }
        return rows.map { row in
            let keeper: DueItem.Keeper? = row["held"] as Bool ? .hold : row["restricted"] as Bool ? .restriction
                : row["frozen"] as Bool ? .request : nil
            return DueItem(id: ItemID(kind: ItemKind(rawValue: row[1]) ?? .call, number: row[0]),
                           retainUntil: Date(unixSeconds: row[2]), keptBy: keeper)
        }
    }

    /// For due items kept by a restriction: the restricted customer (`customer:C001`), by item row id.
    public func restrictingCustomers(_ numbers: [Int64]) throws -> [Int64: String] {
        guard !numbers.isEmpty else { return [:] }
        var result: [Int64: String] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT ic.item_id, min(rs.customer_id) FROM item_customers ic
            JOIN restrictions rs ON rs.customer_id = ic.customer_id AND rs.lifted_at IS NULL
            WHERE ic.item_id IN (\(numbers.map(String.init).joined(separator: ","))) GROUP BY ic.item_id
            """) {
            result[row[0]] = "customer:\(row[1] as String)"
        }
        return result
    }

    /// For due items frozen by an access or portability request: the request (`req-N`), by item row id.
    public func freezingRequests(_ numbers: [Int64], now: Date) throws -> [Int64: String] {
        guard !numbers.isEmpty else { return [:] }
        var result: [Int64: String] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT ic.item_id, min(q.id) FROM item_customers ic JOIN requests q ON q.customer_id = ic.customer_id
            WHERE ic.item_id IN (\(numbers.map(String.init).joined(separator: ","))) AND q.type IN ('access', 'portability')
              AND (q.closed_at IS NULL OR coalesce(q.freeze_until, 0) > ?)
            GROUP BY ic.item_id
            """, arguments: [now.unixSeconds]) {
            result[row[0]] = "req-\(row[1] as Int64)"
        }
        return result
    }

    /// Audit entries a pruning at `cutoff` would remove: the oldest ones, in sequence order,
    /// up to the first entry at or after `cutoff`, and not past entry `ceiling`.
    public func prunableAuditEntries(before cutoff: Date, upTo ceiling: Int64) throws -> Int {
        let upto = try Int64.fetchOne(db, sql: "SELECT pruned_upto FROM audit_head WHERE id = 1") ?? 0
        let cut = Int64(AuditChain.timestamp(cutoff)) ?? 0
        let firstKept = try Int64.fetchOne(db, sql: "SELECT min(seq) FROM audit_log WHERE seq > ? AND time_ms >= ?", arguments: [upto, cut])
        let last = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM audit_log") ?? 0
        let end = min(ceiling, firstKept.map { $0 - 1 } ?? last)
        return Int(max(0, end - upto))
    }
}

extension IndexWriter {
    /// Prunes up to `limit` of the oldest audit entries written before `cutoff`, none after
    /// entry `ceiling` (R4): moves
    /// the head's pruning anchor (`pruned_upto`, `pruned_hash` = the last pruned entry's hash)
    /// and deletes those rows, which the log's delete trigger allows for them alone. The
    /// caller records the pruning in the log in the same transaction.
    /// - Returns: how many entries went, the new anchor's sequence number and hash.
    public func pruneAudit(before cutoff: Date, upTo ceiling: Int64, limit: Int) throws -> (count: Int, upto: Int64, anchor: String?) {
        let upto = try Int64.fetchOne(db, sql: "SELECT pruned_upto FROM audit_head WHERE id = 1") ?? 0
        let cut = Int64(AuditChain.timestamp(cutoff)) ?? 0
        // The oldest entries in sequence order, stopping at the first one still inside its retention.
        let rows = try Row.fetchAll(db, sql: "SELECT seq, time_ms, hash FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                                    arguments: [upto, ceiling, limit])
        var last: Row?
        for row in rows {
            guard (row[1] as Int64) < cut else { break }
            last = row
        }
        guard let last else { return (0, upto, nil) }
        let newUpto: Int64 = last[0]
        let anchor: String = last[2]
        try db.execute(sql: "UPDATE audit_head SET pruned_upto = ?, pruned_hash = ? WHERE id = 1", arguments: [newUpto, anchor])
        try db.execute(sql: "DELETE FROM audit_log WHERE seq > ? AND seq <= ?", arguments: [upto, newUpto])
        return (db.changesCount, newUpto, anchor)
    }

    /// Records a policy job's state (such as when expiry last ran).
    public func setPolicyState(_ name: String, _ value: String) throws {
        try db.execute(sql: "INSERT INTO policy_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                       arguments: [name, value])
    }
}
