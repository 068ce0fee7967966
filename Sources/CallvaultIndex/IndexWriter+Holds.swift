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
        // From now on the hold covers what it matches; the v13 triggers add what comes to match later.
        let cover = try db.cachedStatement(sql: "INSERT OR IGNORE INTO hold_items (hold_id, item_id) VALUES (?, ?)")
        for item in try IndexReader(db: db).matchingItemNumbers(hold: id) {
            try cover.execute(arguments: [id, item])
        }
        return id
    }

    /// Releases an active hold: the items it covered are no longer protected by it.
    /// - Returns: false when the hold does not exist or was released already.
    public func releaseHold(_ number: Int64, by actor: String, at time: Date, reason: String) throws -> Bool {
        try db.execute(sql: """
            UPDATE holds SET released_by = ?, released_at = ?, release_reason = ? WHERE id = ? AND released_at IS NULL
            """, arguments: [actor, time.unixSeconds, reason, number])
        guard db.changesCount == 1 else { return false }
        // Its coverage ends with it (the schema allows deleting coverage of released holds only).
        try db.execute(sql: "DELETE FROM hold_items WHERE hold_id = ?", arguments: [number])
        return true
    }
}

extension IndexWriter {
    /// Replaces erased numbers in every hold's scopes (active or released) by their keyed
    /// hashes (`hash`, the archive's number hasher): the scope still matches later items from
    /// the number (`coverByHashedNumberScopes`), yet no hold table keeps the number itself.
    /// - Returns: how many scope entries were replaced.
    public func hashNumberScopes(_ numbers: [String], hash: (String) -> String) throws -> Int {
        var replaced = 0
        let update = try db.cachedStatement(sql: "UPDATE OR IGNORE hold_scopes SET value = ? WHERE kind = 'number' AND value = ?")
        for number in numbers {
            try update.execute(arguments: [hash(number), number])
            replaced += db.changesCount
            // A scope whose hashed form was there already (UPDATE OR IGNORE skipped it) goes: the hash stays.
            try db.execute(sql: "DELETE FROM hold_scopes WHERE kind = 'number' AND value = ?", arguments: [number])
        }
        return replaced
    }

    /// Covers items inserted after row `after` by the active holds whose number scopes are
    /// keyed hashes (numbers of erased customers), which SQL cannot compare; a recording of a
    /// call so covered is covered too. Every other scope is kept by the v13 triggers.
    public func coverByHashedNumberScopes(insertedAfter after: Int64, hash: (String) -> String) throws {
        let scopes = try Row.fetchAll(db, sql: """
            SELECT s.hold_id, s.value, h.from_utc, h.to_utc FROM hold_scopes s JOIN holds h ON h.id = s.hold_id
            WHERE h.released_at IS NULL AND s.kind = 'number' AND s.value LIKE 'hmac:%'
            """)
        guard !scopes.isEmpty else { return }
        let cover = try db.cachedStatement(sql: "INSERT OR IGNORE INTO hold_items (hold_id, item_id) VALUES (?, ?)")
        let items = try Row.fetchCursor(db, sql: """
            SELECT id, start_utc, from_e164, to_e164 FROM items WHERE id > ? AND (from_e164 IS NOT NULL OR to_e164 IS NOT NULL)
            """, arguments: [after])
        while let item = try items.next() {
            let start: Int64 = item[1]
            let hashes = Set([item[2] as String?, item[3] as String?].compactMap { $0 }.map(hash))
            for scope in scopes where hashes.contains(scope[1]) {
                if let from = scope[2] as Int64?, start < from { continue }
                if let to = scope[3] as Int64?, start >= to { continue }
                try cover.execute(arguments: [scope[0] as Int64, item[0] as Int64])
            }
        }
        try db.execute(sql: """
            INSERT OR IGNORE INTO hold_items (hold_id, item_id)
            SELECT hi.hold_id, r.item_id FROM recordings r JOIN hold_items hi ON hi.item_id = r.call_item_id WHERE r.item_id > ? OR r.call_item_id > ?
            """, arguments: [after, after])
    }
}
