public import Foundation
public import CallvaultModel
import GRDB

/// An active restriction of a customer's processing (`restrictions` row).
public struct RestrictionRecord: Sendable, Equatable {
    public var id: Int64
    public var customer: String
    public var reason: String
    /// The request that opened it (`req-N`): such a restriction is lifted when the request closes.
    public var requestID: Int64?
    public var placedBy: String
    public var placedAt: Date
}

extension IndexWriter {
    /// Restricts a customer's processing by hand (no request behind it).
    /// - Returns: the restriction's number.
    public func placeRestriction(customer: String, reason: String, by actor: String, at time: Date) throws -> Int64 {
        try db.execute(sql: "INSERT INTO restrictions (customer_id, reason, placed_by, placed_at) VALUES (?, ?, ?, ?)",
                       arguments: [customer, reason, actor, time.unixSeconds])
        return db.lastInsertedRowID
    }

    /// Lifts a customer's active restrictions placed by hand (those of a request stay).
    /// - Returns: how many were lifted.
    public func liftManualRestrictions(customer: String, by actor: String, at time: Date) throws -> Int {
        try db.execute(sql: """
            UPDATE restrictions SET lifted_by = ?, lifted_at = ?
            WHERE customer_id = ? AND lifted_at IS NULL AND request_id IS NULL
            """, arguments: [actor, time.unixSeconds, customer])
        return db.changesCount
    }
}

extension IndexReader {
    /// A customer's active restrictions, oldest first.
    public func activeRestrictions(customer: String) throws -> [RestrictionRecord] {
        try Row.fetchAll(db, sql: """
            SELECT id, customer_id, reason, request_id, placed_by, placed_at FROM restrictions
            WHERE customer_id = ? AND lifted_at IS NULL ORDER BY id
            """, arguments: [customer]).map {
            RestrictionRecord(id: $0[0], customer: $0[1], reason: $0[2], requestID: $0[3], placedBy: $0[4],
                              placedAt: Date(unixSeconds: $0[5]))
        }
    }

    /// Whether the item links to a restricted customer (only compliance may see it).
    public func isRestricted(_ id: ItemID) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM items i WHERE i.id = :id AND \(PolicyConditions.restricted))",
                          arguments: ["id": id.number]) ?? false
    }

    /// Whether any customer's processing is restricted now.
    public func anyRestriction() throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM restrictions WHERE lifted_at IS NULL)")) ?? false
    }
}
