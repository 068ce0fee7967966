public import Foundation
public import CallvaultModel
import GRDB

extension IndexReader {
    /// Holds, newest first: only active ones unless `includeReleased`, each with the number of
    /// items it covers (none once released).
    public func holds(includeReleased: Bool) throws -> [Hold] {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM holds \(includeReleased ? "" : "WHERE released_at IS NULL") ORDER BY id DESC")
        return try rows.map { row in
            var hold = try self.hold(row)
            hold.coveredItems = try coveredItemCount(hold: hold.number)
            return hold
        }
    }

    /// One hold with the number of items it covers (none once released), or nil.
    public func hold(_ number: Int64) throws -> Hold? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM holds WHERE id = ?", arguments: [number]) else { return nil }
        var hold = try self.hold(row)
        hold.coveredItems = try coveredItemCount(hold: number)
        return hold
    }

    /// The items hold `number` covers (none once released), in id order: every item it has
    /// matched since it was placed (`hold_items`).
    public func itemsCovered(byHold number: Int64) throws -> [ItemID] {
        try Row.fetchAll(db, sql: """
            SELECT i.id, i.kind FROM hold_items hi JOIN items i ON i.id = hi.item_id WHERE hi.hold_id = ? ORDER BY i.id
            """, arguments: [number]).map { row in ItemID(kind: ItemKind(rawValue: row[1]) ?? .call, number: row[0]) }
    }

    /// Whether item `id` exists (with that kind).
    public func itemExists(_ id: ItemID) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM items WHERE id = ? AND kind = ?)", arguments: [id.number, id.kind.rawValue]) ?? false
    }

    /// Active holds covering item rows `numbers`, by item row id.
    public func holdsCovering(_ numbers: [Int64]) throws -> [Int64: [String]] {
        guard !numbers.isEmpty else { return [:] }
        var result: [Int64: [String]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT item_id, hold_id FROM hold_items WHERE item_id IN (\(numbers.map(String.init).joined(separator: ","))) ORDER BY hold_id
            """) {
            result[row[0], default: []].append(Hold.id(row[1]))
        }
        return result
    }

    /// Which of item rows `numbers` an active hold covers: the one question every deletion path
    /// (expiry, erasure, repair, cleanup) asks before it deletes an item (Invariant 4).
    public func heldItems(among numbers: [Int64]) throws -> Set<Int64> {
        var held: Set<Int64> = []
        for chunk in stride(from: 0, to: numbers.count, by: 10_000) {
            let list = numbers[chunk..<min(numbers.count, chunk + 10_000)].map(String.init).joined(separator: ",")
            held.formUnion(try Int64.fetchAll(db, sql: "SELECT DISTINCT item_id FROM hold_items WHERE item_id IN (\(list))"))
        }
        return held
    }

    /// The active holds covering an item ingested in `[from, to)`: a day's raw copies in
    /// `spool/processed/` are the evidence of what was ingested that day, and stay while a hold
    /// covers any of it (asked through `heldItems(among:)`, as every deletion path asks).
    public func holdsOnItemsIngested(from: Date, to: Date) throws -> [String] {
        let ingested = try Int64.fetchAll(db, sql: """
            SELECT DISTINCT hi.item_id FROM hold_items hi CROSS JOIN items i ON i.id = hi.item_id
            WHERE i.ingested_at >= ? AND i.ingested_at < ?
            """, arguments: [from.unixSeconds, to.unixSeconds])
        let held = try heldItems(among: ingested)
        return Set(try holdsCovering(Array(held)).values.joined()).sorted()
    }

    func coveredItemCount(hold number: Int64) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM hold_items WHERE hold_id = ?", arguments: [number]) ?? 0
    }

    /// The items active hold `number` matches by its scope now (what it starts to cover when placed).
    ///
    /// Candidates come from the scopes' indexes (or the time index for a hold without scopes);
    /// `PolicyConditions.holdMatches` decides.
    func matchingItemNumbers(hold number: Int64) throws -> [Int64] {
        guard let hold = try Row.fetchOne(db, sql: "SELECT from_utc, to_utc, released_at FROM holds WHERE id = ?", arguments: [number]),
              (hold[2] as Int64?) == nil else { return [] }
        let scopes = try Row.fetchAll(db, sql: "SELECT kind, value FROM hold_scopes WHERE hold_id = ?", arguments: [number])
        var candidates: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if scopes.isEmpty {
            candidates.append("SELECT id FROM items WHERE start_utc >= ? AND start_utc < ?")
            arguments += [(hold[0] as Int64?) ?? Int64.min, (hold[1] as Int64?) ?? Int64.max]
        }
        for scope in scopes {
            let value: String = scope[1]
            switch scope[0] as String {
            case "item":
                candidates.append("SELECT CAST(? AS INTEGER) UNION SELECT item_id FROM recordings WHERE call_item_id = CAST(? AS INTEGER)")
                arguments += [value, value]
            case "customer":
                candidates.append("SELECT item_id FROM item_customers WHERE customer_id = ?")
                arguments.append(value)
            default:
                let rev = String(value.drop(while: { $0 == "+" }).reversed())
                candidates.append("SELECT id FROM items WHERE from_rev = ? UNION SELECT id FROM items WHERE to_rev = ?")
                arguments += [rev, rev]
            }
        }
        return try Int64.fetchAll(db, sql: """
            SELECT i.id FROM items i JOIN holds h ON h.id = ?
            WHERE i.id IN (\(candidates.joined(separator: " UNION "))) AND \(PolicyConditions.holdMatches)
            ORDER BY i.id
            """, arguments: StatementArguments([number] + arguments))
    }

    func hold(_ row: Row) throws -> Hold {
        let number: Int64 = row["id"]
        var scopes: [Hold.Scope] = []
        for scope in try Row.fetchAll(db, sql: """
            SELECT s.kind, s.value, i.kind AS item_kind FROM hold_scopes s
            LEFT JOIN items i ON s.kind = 'item' AND i.id = CAST(s.value AS INTEGER)
            WHERE s.hold_id = ? ORDER BY s.kind, s.value
            """, arguments: [number]) {
            let kind = Hold.ScopeKind(rawValue: scope["kind"]) ?? .item
            var value: String = scope["value"]
            if kind == .item {
                // An item gone since (expired after the hold's release) keeps its number.
                let itemKind = (scope["item_kind"] as String?).flatMap(ItemKind.init(rawValue:))
                value = itemKind.map { ItemID(kind: $0, number: Int64(value) ?? 0).description } ?? "item-\(value)"
            }
            scopes.append(Hold.Scope(kind: kind, value: value))
        }
        return Hold(
            number: number, caseName: row["case_name"], reason: row["reason"], scopes: scopes,
            from: (row["from_utc"] as Int64?).map(Date.init(unixSeconds:)), to: (row["to_utc"] as Int64?).map(Date.init(unixSeconds:)),
            placedBy: row["placed_by"], placedAt: Date(unixSeconds: row["placed_at"]), releasedBy: row["released_by"],
            releasedAt: (row["released_at"] as Int64?).map(Date.init(unixSeconds:)), releaseReason: row["release_reason"])
    }
}
