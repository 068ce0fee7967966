public import Foundation
public import CallvaultModel
import GRDB

extension IndexWriter {
    /// Stores a legal hold and its scopes; item scopes are given as item ids (`call-5`) and
    /// stored as the item's row id, numbers as E.164, customers as their ids.
    /// - Returns: the hold's number (`hold-N`).
    public func insertHold(caseName: String, reason: String, scopes: [Hold.Scope], from: Date?, to: Date?,
                           placedBy: String, placedAt: Date) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO holds (case_name, reason, from_utc, to_utc, placed_by, placed_at) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [caseName, reason, from?.unixSeconds, to?.unixSeconds, placedBy, placedAt.unixSeconds])
        let id = db.lastInsertedRowID
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO hold_scopes (hold_id, kind, value) VALUES (?, ?, ?)")
        for scope in scopes {
            var value = scope.value
            if scope.kind == .item {
                guard let item = ItemID(scope.value) else { throw IndexError.database("hold scope '\(scope.value.prefix(40))' is not an item id") }
                value = String(item.number)
            }
            try insert.execute(arguments: [id, scope.kind.rawValue, value])
        }
        return id
    }

    /// Releases an active hold.
    /// - Returns: false when the hold does not exist or was released already.
    public func releaseHold(_ number: Int64, by actor: String, at time: Date, reason: String) throws -> Bool {
        try db.execute(sql: """
            UPDATE holds SET released_by = ?, released_at = ?, release_reason = ? WHERE id = ? AND released_at IS NULL
            """, arguments: [actor, time.unixSeconds, reason, number])
        return db.changesCount == 1
    }
}
