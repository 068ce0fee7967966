public import Foundation
public import CallvaultModel
import GRDB

/// A pending or finished erasure job (`erasures` row).
public struct ErasureRecord: Sendable, Equatable {
    public var id: Int64
    public var customer: String
    public var reason: String
    public var requestedBy: String
    public var requestedAt: Date
    public var completedAt: Date?
    /// The stored report (JSON).
    public var report: String
}

extension IndexReader {
    /// Every item linked to `customer`, with its retention, covering holds and other customers.
    public func erasureCandidates(customer: String) throws -> [ErasureCandidate] {
        let anyHold = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM holds WHERE released_at IS NULL)") ?? false
        var holds: [Int64: [String]] = [:]
        if anyHold {
            for row in try Row.fetchAll(db, sql: """
                SELECT c.item_id, hi.hold_id FROM item_customers c JOIN hold_items hi ON hi.item_id = c.item_id
                WHERE c.customer_id = ? ORDER BY hi.hold_id
                """, arguments: [customer]) {
                holds[row[0], default: []].append("hold-\(row[1] as Int64)")
            }
        }
        return try Row.fetchAll(db, sql: """
            SELECT i.id, i.kind, i.retention_class, i.retain_until, r.bytes,
                   (SELECT group_concat(o.customer_id, char(31)) FROM item_customers o WHERE o.item_id = i.id AND o.customer_id <> ?1) AS others
            FROM item_customers c JOIN items i ON i.id = c.item_id LEFT JOIN recordings r ON r.item_id = i.id
            WHERE c.customer_id = ?1 ORDER BY i.id
            """, arguments: [customer]).map { row in
            let id: Int64 = row[0]
            return ErasureCandidate(
                id: ItemID(kind: ItemKind(rawValue: row[1]) ?? .call, number: id), retentionClass: row[2],
                retainUntil: Schema.retainUntil(stored: row[3]), holds: holds[id] ?? [],
                otherCustomers: (row[5] as String?)?.split(separator: "\u{1F}").map(String.init).sorted() ?? [],
                recordingBytes: row[4])
        }
    }

    /// A customer's numbers: E.164 and the form written in the customers file.
    public func customerNumbers(_ customer: String) throws -> [(e164: String, raw: String)] {
        try Row.fetchAll(db, sql: "SELECT e164, raw FROM customer_numbers WHERE customer_id = ? ORDER BY e164", arguments: [customer])
            .map { ($0[0], $0[1]) }
    }

    /// Which of `numbers` (E.164) another customer than `customer` also owns.
    public func numbersOwnedByOthers(_ numbers: [String], except customer: String) throws -> Set<String> {
        guard !numbers.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: numbers.count).joined(separator: ",")
        return Set(try String.fetchAll(db, sql: "SELECT DISTINCT e164 FROM customer_numbers WHERE customer_id <> ? AND e164 IN (\(marks))",
                                       arguments: StatementArguments([customer] + numbers)))
    }

    /// Every raw form (as the sources wrote it) of items from or to `e164`.
    public func rawForms(of e164: String) throws -> Set<String> {
        let rev = String(e164.dropFirst().reversed())
        return Set(try String.fetchAll(db, sql: """
            SELECT from_raw FROM items WHERE from_rev = ?1 AND from_raw IS NOT NULL
            UNION SELECT to_raw FROM items WHERE to_rev = ?1 AND to_raw IS NOT NULL
            """, arguments: [rev]))
    }

    /// A customer's name, or nil when there is no such customer.
    public func customerName(_ customer: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT name FROM customers WHERE id = ?", arguments: [customer])
    }

    /// How many items link to `customer`.
    public func linkCount(customer: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM item_customers WHERE customer_id = ?", arguments: [customer]) ?? 0
    }

    /// Erasures waiting for a hold's release, oldest first.
    public func pendingErasures() throws -> [ErasureRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM erasures WHERE completed_at IS NULL ORDER BY id").map(Self.erasure)
    }

    /// The latest erasure (pending or completed) of each of `customers` that has one.
    public func latestErasures(of customers: [String]) throws -> [String: ErasureRecord] {
        var found: [String: ErasureRecord] = [:]
        for batch in stride(from: 0, to: customers.count, by: 500).map({ customers[$0..<min($0 + 500, customers.count)] }) {
            let marks = Array(repeating: "?", count: batch.count).joined(separator: ",")
            for row in try Row.fetchAll(db, sql: "SELECT * FROM erasures WHERE customer_id IN (\(marks)) ORDER BY id",
                                        arguments: StatementArguments(Array(batch))) {
                let record = Self.erasure(row)
                found[record.customer] = record
            }
        }
        return found
    }

    /// Completed erasures whose report says the index's files still await their purge.
    public func erasuresAwaitingPurge() throws -> [ErasureRecord] {
        try Row.fetchAll(db, sql: """
            SELECT * FROM erasures WHERE completed_at IS NOT NULL AND json_extract(report, '$.index_purged') = 0 ORDER BY id
            """).map(Self.erasure)
    }

    /// One erasure job, or nil.
    public func erasure(_ id: Int64) throws -> ErasureRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM erasures WHERE id = ?", arguments: [id]).map(Self.erasure)
    }

    /// Customers blanked by a completed erasure that no item links to any more (their last kept item has gone).
    public func erasedCustomersWithoutItems() throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT c.id FROM customers c
            WHERE c.name = '(erased)' AND EXISTS (SELECT 1 FROM erasures e WHERE e.customer_id = c.id AND e.completed_at IS NOT NULL)
              AND NOT EXISTS (SELECT 1 FROM item_customers ic WHERE ic.customer_id = c.id)
              AND NOT EXISTS (SELECT 1 FROM erasures e WHERE e.customer_id = c.id AND e.completed_at IS NULL)
            """)
    }

    /// Whether this connection overwrites deleted content with zeros (`PRAGMA secure_delete`).
    public func secureDeleteEnabled() throws -> Bool {
        (try Int.fetchOne(db, sql: "PRAGMA secure_delete") ?? 0) == 1
    }

    static func erasure(_ row: Row) -> ErasureRecord {
        ErasureRecord(id: row["id"], customer: row["customer_id"], reason: row["reason"], requestedBy: row["requested_by"],
                      requestedAt: Date(unixSeconds: row["requested_at"]),
                      completedAt: (row["completed_at"] as Int64?).map(Date.init(unixSeconds:)), report: row["report"])
    }
}

extension IndexReader {
    /// Free-text notes an erasure of `customer` keeps, which a person may have written the
    /// customer's name or number into: holds scoped to the customer or covering their items
    /// (case name and reason), and the customer's requests with a note. Ids only (`hold-3`, `req-2`).
    public func freeTextNotes(customer: String) throws -> [String] {
        let holds = try Int64.fetchAll(db, sql: """
            SELECT hold_id FROM hold_scopes WHERE kind = 'customer' AND value = ?1
            UNION SELECT hi.hold_id FROM item_customers c JOIN hold_items hi ON hi.item_id = c.item_id WHERE c.customer_id = ?1
            ORDER BY 1
            """, arguments: [customer])
        let requests = try Int64.fetchAll(db, sql: """
            SELECT id FROM requests WHERE customer_id = ? AND coalesce(note, '') <> '' ORDER BY id
            """, arguments: [customer])
        return holds.map { "hold-\($0)" } + requests.map { "req-\($0)" }
    }
}
