import Foundation
import CallvaultModel
import GRDB

extension IndexReader {
    /// The total of a search that nothing but a kind and a time window narrow (`Schema.v16KindTimeCounts`),
    /// exactly as the items would count it: conversations once, a call's recording not apart
    /// (without a kind), a restricted customer's items not at all when `hidesRestricted`.
    /// Whole hours (`start_utc / 3600`) are summed from `item_hour_counts`; the partial hours at
    /// the window's ends are read from the items (at most two hours' worth), and a conversation
    /// they share with the whole hours is counted once. Nil when it does not apply (another
    /// filter, a time before 1970, or a window without a whole hour, which the items count cheaply).
    func kindTimeTotal(_ query: SearchQuery, hidesRestricted: Bool) throws -> Int? {
        guard query.number == nil, query.customer == nil, query.agent == nil, query.direction == nil, query.text == nil else { return nil }
        let from = query.from?.unixSeconds, to = query.to?.unixSeconds
        if let from, from < 0 { return nil }
        if let to, to < 0 { return nil }
        if let from, let to, from >= to { return 0 }
        let hour: Int64 = 3_600
        // Whole hours `firstHour ..< endHour`; the window's partial hours lie outside them.
        let firstHour = from.map { ($0 + hour - 1) / hour } ?? Int64.min
        let endHour = to.map { $0 / hour } ?? Int64.max
        guard firstHour < endHour else { return nil }
        let kind = query.kind?.rawValue
        let countsCalls = kind == nil || kind == ItemKind.call.rawValue

        // A range of the primary key per kind (`kind IN` seeks each kind's hours).
        let kinds = kind.map { [$0] } ?? ItemKind.allCases.map(\.rawValue)
        let sums = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT coalesce(sum(items), 0), coalesce(sum(legs), 0), coalesce(sum(pairs), 0), coalesce(sum(attached), 0)
            FROM item_hour_counts WHERE kind IN (\(kinds.map { _ in "?" }.joined(separator: ", "))) AND hour >= ? AND hour < ?
            """), arguments: StatementArguments(kinds + [firstHour, endHour] as [any DatabaseValueConvertible]))
        let items: Int = sums?[0] ?? 0, legs: Int = sums?[1] ?? 0, pairs: Int = sums?[2] ?? 0, attached: Int = sums?[3] ?? 0
        // Without a kind, a recording that belongs to a call is shown with the call.
        var total = items - (kind == nil ? attached : 0)
        if countsCalls {
            // Legs of one conversation count once: each (conversation, hour) pair once, less the
            // pairs of a conversation that has legs in an earlier hour of the window.
            let repeated = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT count(*) FROM conversation_hours p INDEXED BY conversation_hours_later
                WHERE p.hour > p.first_hour AND p.hour >= ?1 AND p.hour < ?2
                  AND EXISTS (SELECT 1 FROM conversation_hours q WHERE q.linked_id = p.linked_id AND q.hour >= ?1 AND q.hour < p.hour)
                """), arguments: [firstHour, endHour]) ?? 0
            total += pairs - legs - repeated
        }

        // The partial hours: each item on its own, or its conversation once unless the whole
        // hours hold that conversation already. One statement over at most two hours of items.
        let matches = kind != nil ? " AND i.kind = ?" : " AND NOT EXISTS (SELECT 1 FROM recordings r WHERE r.item_id = i.id AND r.call_item_id IS NOT NULL)"
        var edges: [String] = []
        var edgeArguments: [any DatabaseValueConvertible] = []
        if let from, from < firstHour * hour { edges.append("(?, ?)"); edgeArguments += [from, firstHour * hour] }
        if let to, endHour * hour < to { edges.append("(?, ?)"); edgeArguments += [endHour * hour, to] }
        if !edges.isEmpty {
            let segments = edges.map { _ in
                "SELECT \(Self.conversationKey) AS k FROM items i INDEXED BY items_start WHERE i.start_utc >= ? AND i.start_utc < ?\(matches)"
            }
            // In the order of the statement's placeholders: the whole hours, then each segment's.
            var arguments: [any DatabaseValueConvertible] = [firstHour, endHour]
            for index in edges.indices {
                arguments += [edgeArguments[2 * index], edgeArguments[2 * index + 1]]
                if let kind { arguments.append(kind) }
            }
            let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT count(*) FILTER (WHERE k IS NULL),
                       count(DISTINCT k) FILTER (WHERE k IS NOT NULL AND NOT EXISTS (
                           SELECT 1 FROM conversation_hours c WHERE c.linked_id = k AND c.hour >= ? AND c.hour < ?))
                FROM (\(segments.joined(separator: " UNION ALL ")))
                """), arguments: StatementArguments(arguments))
            let singles: Int = row?[0] ?? 0, conversations: Int = row?[1] ?? 0
            total += singles + conversations
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
