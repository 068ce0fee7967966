import Foundation
import CallvaultModel
import GRDB

extension IndexReader {
    /// The total of a search that nothing but a kind and a time window narrow (`Schema.v16KindTimeCounts`),
    /// exactly as the items would count it: conversations once, a call's recording not apart
    /// (without a kind), a restricted customer's items not at all when `hidesRestricted`.
    /// Whole UTC days are summed from `item_day_counts`; the partial days at the window's ends
    /// are read from the items (at most two days' worth), and a conversation they share with
    /// the whole days is counted once. Nil when it does not apply (another filter, a time before
    /// 1970, or a window without a whole day, which the items count cheaply).
    func kindTimeTotal(_ query: SearchQuery, hidesRestricted: Bool) throws -> Int? {
        guard query.number == nil, query.customer == nil, query.agent == nil, query.direction == nil, query.text == nil else { return nil }
        let from = query.from?.unixSeconds, to = query.to?.unixSeconds
        if let from, from < 0 { return nil }
        if let to, to < 0 { return nil }
        if let from, let to, from >= to { return 0 }
        let day: Int64 = 86_400
        // Whole days `firstDay ..< endDay`; the window's partial days lie outside them.
        let firstDay = from.map { ($0 + day - 1) / day } ?? Int64.min
        let endDay = to.map { $0 / day } ?? Int64.max
        guard firstDay < endDay else { return nil }
        let kind = query.kind?.rawValue
        let countsCalls = kind == nil || kind == ItemKind.call.rawValue

        let sums = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT coalesce(sum(items), 0), coalesce(sum(legs), 0), coalesce(sum(pairs), 0), coalesce(sum(attached), 0)
            FROM item_day_counts WHERE day >= ?1 AND day < ?2 AND (?3 IS NULL OR kind = ?3)
            """), arguments: [firstDay, endDay, kind])
        let items: Int = sums?[0] ?? 0, legs: Int = sums?[1] ?? 0, pairs: Int = sums?[2] ?? 0, attached: Int = sums?[3] ?? 0
        // Without a kind, a recording that belongs to a call is shown with the call.
        var total = items - (kind == nil ? attached : 0)
        if countsCalls {
            // Legs of one conversation count once: each (conversation, day) pair once, less the
            // pairs of a conversation that has legs on an earlier day of the window.
            let repeated = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT count(*) FROM conversation_days p INDEXED BY conversation_days_later
                WHERE p.day > p.first_day AND p.day >= ?1 AND p.day < ?2
                  AND EXISTS (SELECT 1 FROM conversation_days q WHERE q.linked_id = p.linked_id AND q.day >= ?1 AND q.day < p.day)
                """), arguments: [firstDay, endDay]) ?? 0
            total += pairs - legs - repeated
        }

        // The partial days: each item on its own, or its conversation once (unless the whole
        // days hold that conversation already).
        let matches = kind != nil ? " AND i.kind = ?" : " AND NOT EXISTS (SELECT 1 FROM recordings r WHERE r.item_id = i.id AND r.call_item_id IS NOT NULL)"
        var edges: [(Int64, Int64)] = []
        if let from, from < firstDay * day { edges.append((from, firstDay * day)) }
        if let to, endDay * day < to { edges.append((endDay * day, to)) }
        var edgeConversations: Set<String> = []
        for (start, end) in edges {
            var arguments: [any DatabaseValueConvertible] = [start, end]
            if let kind { arguments.append(kind) }
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Self.conversationKey) FROM items i INDEXED BY items_start WHERE i.start_utc >= ? AND i.start_utc < ?\(matches)
                """), arguments: StatementArguments(arguments))
            for row in rows {
                if let key = row[0] as String? { edgeConversations.insert(key) } else { total += 1 }
            }
        }
        let onWholeDays = try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM conversation_days WHERE linked_id = ? AND day >= ? AND day < ?)")
        for key in edgeConversations {
            if try Bool.fetchOne(onWholeDays, arguments: [key, firstDay, endDay]) != true { total += 1 }
        }

        if hidesRestricted {
            total -= try hiddenConversations(kind: kind, from: from, to: to)
        }
        return total
    }

    /// How many of the conversations (and single items) matching `kind` within `from ..< to` have
    /// only restricted customers' items among their matches: the ones a role other than
    /// compliance does not see. Reads the restricted customers' items and, for their
    /// conversations, the other legs.
    func hiddenConversations(kind: String?, from: Int64?, to: Int64?) throws -> Int {
        var window = ""
        var windowArguments: [any DatabaseValueConvertible] = []
        if let from { window += " AND i.start_utc >= ?"; windowArguments.append(from) }
        if let to { window += " AND i.start_utc < ?"; windowArguments.append(to) }
        let matches = kind != nil ? " AND i.kind = ?" : " AND NOT EXISTS (SELECT 1 FROM recordings r WHERE r.item_id = i.id AND r.call_item_id IS NOT NULL)"
        var matchArguments = windowArguments
        if let kind { matchArguments.append(kind) }
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT DISTINCT i.id, \(Self.conversationKey) FROM restrictions rs
            JOIN item_customers ic ON ic.customer_id = rs.customer_id CROSS JOIN items i ON i.id = ic.item_id
            WHERE rs.lifted_at IS NULL\(window)\(matches)
            """), arguments: StatementArguments(matchArguments))
        var hidden = 0
        var conversations: Set<String> = []
        for row in rows {
            if let key = row[1] as String? { conversations.insert(key) } else { hidden += 1 }
        }
        let visibleLeg = try db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM conversation_legs l CROSS JOIN items i ON i.id = l.id
                           WHERE l.linked_id = ?\(window)\(matches) AND NOT \(PolicyConditions.restricted))
            """)
        for key in conversations {
            let arguments: [any DatabaseValueConvertible] = [key] + matchArguments
            if try Bool.fetchOne(visibleLeg, arguments: StatementArguments(arguments)) != true { hidden += 1 }
        }
        return hidden
    }
}
