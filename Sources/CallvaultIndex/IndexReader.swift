public import Foundation
public import CallvaultModel
public import CallvaultAudit
import GRDB

/// How a searched number matches stored numbers (reversed digits, so a suffix is a prefix).
public enum NumberMatch: Sendable, Equatable {
    /// The whole number, as reversed E.164 digits.
    case exact(String)
    /// The last digits of the number, reversed.
    case suffix(String)
}

/// A customer who owns a number, and when (UTC seconds: the first instant it is theirs, the
/// first instant it is not any more; nil open-ended).
public struct NumberOwner: Sendable, Equatable {
    public var customer: String
    public var validFrom: Int64?
    public var validTo: Int64?

    public init(customer: String, validFrom: Int64? = nil, validTo: Int64? = nil) {
        self.customer = customer
        self.validFrom = validFrom
        self.validTo = validTo
    }

    /// Whether the number was this customer's at `time` (an item's start).
    public func owns(at time: Date) -> Bool {
        let t = Int64(time.timeIntervalSince1970.rounded(.down))
        return (validFrom.map { t >= $0 } ?? true) && (validTo.map { t < $0 } ?? true)
    }
}

/// Reads within one snapshot of `ArchiveIndex.read` (or inside a write).
public struct IndexReader {
    let db: Database

    /// Creates a reader on the write transaction's connection (reads see its own writes).
    public init(_ writer: IndexWriter) { db = writer.db }

    init(db: Database) { self.db = db }

    /// Customers by E.164 number, with when each owns it: who an item with that number links to.
    public func numberOwners() throws -> [String: [NumberOwner]] {
        var owners: [String: [NumberOwner]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT e164, customer_id, valid_from, valid_to FROM customer_numbers ORDER BY customer_id") {
            owners[row[0], default: []].append(NumberOwner(customer: row[1], validFrom: row[2], validTo: row[3]))
        }
        return owners
    }

    /// Whether a customer with this id exists.
    public func customerExists(_ id: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?)", arguments: [id]) ?? false
    }

    // MARK: search

    /// Finds items matching `query` (and `number`), newest first.
    /// - Parameter hourCounts: whether a search narrowed by kind and time alone is counted from
    ///   `item_hour_counts` (tests compare it with the count read from the items).
    public func search(_ query: SearchQuery, number: NumberMatch?, hourCounts: Bool = true) throws -> SearchResult {
        let statement = try searchStatement(query, number: number, hourCounts: hourCounts)
        // The page is the `limit` conversations after the newest `offset` (an "older" link).
        let offset = max(0, query.offset)
        let wanted = query.limit > 0 ? offset + query.limit : 0
        var total = statement.total
        var page: [(id: Int64, start: Int64)] = []
        var conversations: [String: Conversation] = [:]
        if number != nil || query.customer != nil {
            (page, total) = try pageOfFewMatches(statement, wanted: wanted, offset: offset, conversations: &conversations)
        } else if wanted > 0, let onlyName = statement.onlyName, try nameKeysAreTimes() {
            page = try pageFromNameIndex(onlyName, wanted: wanted, offset: offset, conversations: &conversations)
        } else if wanted > 0 {
            page = try pageWalkingTime(statement, wanted: wanted, offset: offset, conversations: &conversations)
        }
        let key = Self.conversationKey
        let counted = try total ?? Int.fetchOne(
            db.cachedStatement(sql: "SELECT count(DISTINCT \(key)) + count(*) FILTER (WHERE \(key) IS NULL)\(statement.matched)"),
            arguments: statement.arguments) ?? 0
        guard !page.isEmpty else { return SearchResult(total: counted, items: []) }
        let byID = Dictionary(try fetchRows(page.map(\.id)) { "SELECT \(Self.hydratedColumns) FROM items WHERE id IN (\($0))" }.map { ($0[0] as Int64, $0) },
                              uniquingKeysWith: { first, _ in first })
        return SearchResult(total: counted, items: try hydrate(page.compactMap { byID[$0.id] }, conversations: conversations))
    }

    /// A search as SQL: what it reads from, its joins and conditions (arguments in SQL order),
    /// and what is known of its total before a page is read.
    struct SearchStatement {
        var joins: String
        var whereClause: String
        /// `FROM … JOIN … WHERE …` of the matched items.
        var matched: String
        var arguments: StatementArguments
        /// How many items the names matched (a name search), which picks the walk.
        var nameMatches: Int?
        /// The total, when counted without reading the matches (hour counts, full-text indexes).
        var total: Int?
        /// The full-text query, when nothing but a name narrows the search.
        var onlyName: String?
    }

    func searchStatement(_ query: SearchQuery, number: NumberMatch?, hourCounts: Bool) throws -> SearchStatement {
        // Each part of the statement keeps its own arguments, joined in the order the parts
        // appear in the SQL (source, joins, conditions), whichever conditions a query has.
        var conditions: [(sql: String, arguments: [any DatabaseValueConvertible])] = []
        var sourceArguments: [any DatabaseValueConvertible] = []
        // A number search reads its matches' ids and starts from the number indexes (the window,
        // if any, applied there); the `items` rows are read only when a condition needs them.
        var source = "items i"
        if let number {
            let matches = Self.numberMatches(number, from: query.from, to: query.to)
            if query.kind == nil && query.agent == nil && query.direction == nil {
                source = "(\(matches.sql)) i"
                sourceArguments = matches.arguments
            } else {
                conditions.append(("i.id IN (SELECT id FROM (\(matches.sql)))", matches.arguments))
            }
        }
        var joins = ""
        var joinArguments: [any DatabaseValueConvertible] = []
        if let customer = query.customer {
            joins += " JOIN item_customers ic ON ic.item_id = i.id AND ic.customer_id = ?"
            joinArguments.append(customer)
        }
        if number == nil, let from = query.from {
            conditions.append(("i.start_utc >= ?", [from.unixSeconds]))
        }
        if number == nil, let to = query.to {
            conditions.append(("i.start_utc < ?", [to.unixSeconds]))
        }
        if let kind = query.kind {
            conditions.append(("i.kind = ?", [kind.rawValue]))
        } else {
            // A recording that belongs to a call is shown as the call's `recording` (only
            // recording items have a `recordings` row: tested on the id alone, so that a walk of
            // the time index reads no `items` row for this).
            conditions.append(("NOT EXISTS (SELECT 1 FROM recordings r WHERE r.item_id = i.id AND r.call_item_id IS NOT NULL)", []))
        }
        if let agent = query.agent {
            conditions.append(("i.agent = ?", [agent]))
        }
        if let direction = query.direction {
            conditions.append(("i.direction = ?", [direction.rawValue]))
        }
        var hidesRestricted = false
        if !query.includesRestricted, try anyRestriction() {
            // A restricted customer's items are stored only: hidden from all but compliance (R25).
            conditions.append(("NOT \(PolicyConditions.restricted)", []))
            hidesRestricted = true
        }
        var nameMatches: Int?
        var total: Int?
        var onlyName: String?
        if let text = query.text, let match = try fullTextQuery(text) {
            // First: SQLite tests conditions in order, and this one needs only the id.
            conditions.insert(("i.id IN (SELECT \(Schema.nameKeyID("rowid")) FROM names_fts WHERE names_fts MATCH ?)", [match]), at: 0)
            if number == nil, query.customer == nil, query.from == nil, query.to == nil,
               query.kind == nil || query.kind == .call, query.agent == nil, query.direction == nil, !hidesRestricted {
                // Only a name narrows it (only calls have names): count from the full-text indexes and
                // `conversation_legs` instead of reading thousands of wide rows.
                let counted = try nameConversationCount(match)
                (nameMatches, total) = (counted.matches, counted.conversations)
                onlyName = match
            } else {
                nameMatches = try fullTextMatchCount(match)
            }
        }
        if total == nil, hourCounts, number == nil, query.text == nil {
            total = try kindTimeTotal(query, hidesRestricted: hidesRestricted)
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.map { $0.sql }.joined(separator: " AND ")
        return SearchStatement(joins: joins, whereClause: whereClause, matched: " FROM \(source)\(joins)\(whereClause)",
                               arguments: StatementArguments(sourceArguments + joinArguments + conditions.flatMap { $0.arguments }),
                               nameMatches: nameMatches, total: total, onlyName: onlyName)
    }

    /// Paging when a number or a customer narrows the search: they match few items, so all are
    /// read (which counts their conversations too), then walked newest first.
    func pageOfFewMatches(_ statement: SearchStatement, wanted: Int, offset: Int, conversations: inout [String: Conversation])
        throws -> (page: [(id: Int64, start: Int64)], total: Int) {
        var rows: [(id: Int64, start: Int64, key: String?)] = []
        var keys: Set<String> = []
        var singles = 0
        let sql = "SELECT i.id, i.start_utc, \(Self.conversationKey)\(statement.matched)"
        for row in try Row.fetchAll(db.cachedStatement(sql: sql), arguments: statement.arguments) {
            let k: String? = row[2]
            if let k { keys.insert(k) } else { singles += 1 }
            rows.append((row[0], row[1], k))
        }
        guard wanted > 0 else { return ([], keys.count + singles) }
        rows.sort { ($0.start, $0.id) > ($1.start, $1.id) }
        var next = rows.makeIterator()
        let page = try newestConversations(wanted: wanted, offset: offset, conversations: &conversations) { next.next() }
        return (page, keys.count + singles)
    }

    /// Paging when only a name narrows the search: `names_fts` is keyed by time, so its matches
    /// come newest first, read from it alone (only calls have names, so no other condition applies).
    func pageFromNameIndex(_ match: String, wanted: Int, offset: Int, conversations: inout [String: Conversation])
        throws -> [(id: Int64, start: Int64)] {
        let id = Schema.nameKeyID("names_fts.rowid")
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT \(id), rowid >> 31, (SELECT l.linked_id FROM conversation_legs l WHERE l.id = \(id))
            FROM names_fts WHERE names_fts MATCH ? ORDER BY rowid DESC
            """), arguments: [match])
        return try newestConversations(wanted: wanted, offset: offset, conversations: &conversations) {
            try cursor.next().map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// Paging of every other search: the matches newest first. A common name matches thousands
    /// of calls: walking the time index newest first beats sorting every match; a rare name is
    /// faster the other way.
    func pageWalkingTime(_ statement: SearchStatement, wanted: Int, offset: Int, conversations: inout [String: Conversation])
        throws -> [(id: Int64, start: Int64)] {
        let walkTime = (statement.nameMatches ?? 0) > 2_000
        let cursor = try Row.fetchCursor(db.cachedStatement(
            sql: "SELECT i.id, i.start_utc, \(Self.conversationKey) FROM items i\(walkTime ? " INDEXED BY items_start" : "")\(statement.joins)\(statement.whereClause) ORDER BY i.start_utc DESC, i.id DESC"),
            arguments: statement.arguments)
        return try newestConversations(wanted: wanted, offset: offset, conversations: &conversations) {
            try cursor.next().map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// The page of conversations `offset ..< wanted` (newest first) among matched items that
    /// `next` yields newest first as (id, start, conversation key). Reads the legs of each
    /// conversation it meets (into `conversations`) and stops once none further down can make
    /// the page: a conversation starts no later than any of its legs.
    func newestConversations(wanted: Int, offset: Int, conversations: inout [String: Conversation],
                             next: () throws -> (id: Int64, start: Int64, key: String?)?) throws -> [(id: Int64, start: Int64)] {
        var found: [(id: Int64, start: Int64)] = []
        var seen: Set<Int64> = []
        var cutoff: Int64?  // the start of the page's last conversation, once the page is full
        while let row = try next() {
            if let cutoff, row.start < cutoff { break }
            var candidate = (id: row.id, start: row.start)
            if let k = row.key {
                guard conversations[k] == nil else { continue }
                guard let conversation = try self.conversation(k, around: row.start) else { continue }
                conversations[k] = conversation
                candidate = (conversation.primary, conversation.start)
            }
            guard seen.insert(candidate.id).inserted else { continue }
            found.append(candidate)
            if found.count >= wanted {
                found.sort { ($0.start, $0.id) > ($1.start, $1.id) }
                found.removeLast(found.count - wanted)
                cutoff = found[wanted - 1].start
            }
        }
        return Array(found.sorted { ($0.start, $0.id) > ($1.start, $1.id) }.dropFirst(offset))
    }

    /// SQL for the conversation a matched item `i` belongs to: the linked id of a call that has
    /// other legs (`conversation_legs` holds every leg of every such conversation); NULL makes
    /// the item a conversation of its own. Needs only the item's id, not its `items` row.
    static let conversationKey = "(SELECT l.linked_id FROM conversation_legs l WHERE l.id = i.id)"

    /// SQL (and its arguments) for the ids and starts of the items from or to a number, within
    /// `from ..< to` when given: read from `items_from_rev_start` and `items_to_rev_start` alone.
    static func numberMatches(_ number: NumberMatch, from: Date?, to: Date?) -> (sql: String, arguments: [any DatabaseValueConvertible]) {
        var window = ""
        var windowArguments: [any DatabaseValueConvertible] = []
        if let from { window += " AND start_utc >= ?"; windowArguments.append(from.unixSeconds) }
        if let to { window += " AND start_utc < ?"; windowArguments.append(to.unixSeconds) }
        switch number {
        case .exact(let rev):
            return ("SELECT id, start_utc FROM items WHERE from_rev = ?\(window) UNION SELECT id, start_utc FROM items WHERE to_rev = ?\(window)",
                    [rev] + windowArguments + [rev] + windowArguments)
        case .suffix(let rev):
            return ("""
                SELECT id, start_utc FROM items WHERE from_rev >= ? AND from_rev < ?\(window)
                UNION SELECT id, start_utc FROM items WHERE to_rev >= ? AND to_rev < ?\(window)
                """, [rev, rev + ":"] + windowArguments + [rev, rev + ":"] + windowArguments)
        }
    }

    /// The call legs sharing one linked id.
    struct Conversation {
        /// The leg shown for the conversation: the one whose unique id is the linked id, else the earliest.
        var primary: Int64
        /// When the conversation began: its earliest leg's start.
        var start: Int64
        /// Every leg, oldest first.
        var legs: [Int64]
    }

    /// The conversations with these linked ids, each looked for around the start (unix seconds)
    /// of one of its legs: on that hour and the days either side (`Schema.conversationDays`).
    func conversations(_ seeds: [String: Int64]) throws -> [String: Conversation] {
        let statement = try db.cachedStatement(sql: """
            SELECT id, start_utc, pbx_unique_id FROM items INDEXED BY items_conversation_day
            WHERE kind = 'call' AND \(Schema.callDay) IN \(Schema.conversationDays(ofStart: "?1")) AND linked_id = ?2
            ORDER BY start_utc, id
            """)
        var result: [String: Conversation] = [:]
        for (k, start) in seeds {
            var primaryFound = false
            for row in try Row.fetchAll(statement, arguments: [start, k]) {
                let id: Int64 = row[0]
                if result[k] == nil { result[k] = Conversation(primary: id, start: row[1], legs: []) }
                result[k]!.legs.append(id)
                if !primaryFound, row[2] as String? == k { (result[k]!.primary, primaryFound) = (id, true) }
            }
        }
        return result
    }

    /// The conversation with linked id `key` that a leg starting at `start` belongs to, or nil when no call has it.
    func conversation(_ key: String, around start: Int64) throws -> Conversation? {
        try conversations([key: start])[key]
    }

    /// Turns user text into an FTS5 query, each word a quoted term that matches it as a whole
    /// word or the start of one: a prefix term (`"word"*`), or the word alone (`"word"`) when
    /// no longer indexed word starts with it (`names_vocabulary`). Both match the same names,
    /// but for the word alone FTS5 reads that word's entries in order instead of first merging
    /// those of every word with the prefix: for 'Sanna' in 1M calls the page 1.2 → 0.1 ms and
    /// the count 1.6 → 0.85 ms. Words `NameWords.folded` cannot fold stay prefix terms.
    func fullTextQuery(_ text: String) throws -> String? {
        let words = text.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        guard !words.isEmpty else { return nil }
        let nextWord = try db.cachedStatement(sql: "SELECT term FROM names_vocabulary WHERE term >= ? LIMIT 1")
        return try words.map { word in
            if let folded = NameWords.folded(word) {
                // The first indexed word after `folded` itself (no word holds a character below U+0002).
                let next = try String.fetchOne(nextWord, arguments: [folded + "\u{1}"])
                if !(next?.utf8.starts(with: folded.utf8) ?? false) { return "\"\(word)\"" }
            }
            return "\"\(word)\"*"
        }.joined(separator: " ")
    }

    /// The `items` columns `hydrate` reads (a search reads no more: the wide ones, such as the
    /// source fields, are for `show`).
    static let hydratedColumns = """
        id, kind, start_utc, direction, from_e164, from_raw, to_e164, to_raw, duration_s, disposition, agent,
        retain_until, retention_class, linked_id
        """

    /// Items for `rows` (holding at least `hydratedColumns`), with their customers, recording, and
    /// their conversation's legs and recordings (`conversations` holds those already read; the
    /// others are read here).
    func hydrate(_ rows: [Row], conversations known: [String: Conversation] = [:]) throws -> [ArchivedItem] {
        guard let first = rows.first else { return [] }
        let column = ItemColumns(first)
        let ids: [Int64] = rows.map { $0[column["id"]] }
        var customers: [Int64: [String]] = [:]
        for row in try fetchRows(ids, { "SELECT item_id, customer_id FROM item_customers WHERE item_id IN (\($0)) ORDER BY item_id, customer_id" }) {
            customers[row[0], default: []].append(row[1])
        }
        var holds: [Int64: [String]] = [:]
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM holds WHERE released_at IS NULL)")) == true {
            for row in try fetchRows(ids, { "SELECT item_id, hold_id FROM hold_items WHERE item_id IN (\($0)) ORDER BY item_id, hold_id" }) {
                holds[row[0], default: []].append("hold-\(row[1] as Int64)")
            }
        }
        var restricted: Set<Int64> = []
        if try anyRestriction() {
            restricted = Set(try fetchRows(ids) { "SELECT i.id FROM items i WHERE i.id IN (\($0)) AND \(PolicyConditions.restricted)" }.map { $0[0] as Int64 })
        }
        // Legs: a call's conversation (itself alone without a linked id); none for SMS and recordings.
        var conversations = known
        var unknown: [Int64: (key: String, start: Int64)] = [:]
        for row in rows where row[column["kind"]] as String == "call" {
            if let k = row[column["linked_id"]] as String?, known[k] == nil { unknown[row[column["id"]]] = (k, row[column["start_utc"]]) }
        }
        if !unknown.isEmpty {
            // A call not in `conversation_legs` is its conversation's only leg: nothing to look up.
            var missing: [String: Int64] = [:]
            for row in try fetchRows(Array(unknown.keys), { "SELECT id FROM conversation_legs WHERE id IN (\($0))" }) {
                if let leg = unknown[row[0]] { missing[leg.key] = leg.start }
            }
            if !missing.isEmpty { conversations.merge(try self.conversations(missing)) { old, _ in old } }
        }
        var legsOf: [Int64: [Int64]] = [:]
        for row in rows where row[column["kind"]] as String == "call" {
            let id: Int64 = row[column["id"]]
            legsOf[id] = (row[column["linked_id"]] as String?).flatMap { conversations[$0]?.legs } ?? [id]
        }
        let allLegs = Array(Set(ids + legsOf.values.joined()))
        var recordingsOfLeg: [Int64: [Int64]] = [:]
        for row in try fetchRows(allLegs, { "SELECT call_item_id, item_id FROM recordings WHERE call_item_id IN (\($0)) ORDER BY call_item_id, item_id" }) {
            recordingsOfLeg[row[0], default: []].append(row[1])
        }
        return rows.map { row in
            let id: Int64 = row[column["id"]]
            let kind = ItemKind(rawValue: row[column["kind"]]) ?? .call
            let legs = legsOf[id] ?? []
            return ArchivedItem(
                id: ItemID(kind: kind, number: id), start: Date(unixSeconds: row[column["start_utc"]]),
                direction: (row[column["direction"]] as String?).flatMap(Direction.init(rawValue:)),
                from: row[column["from_e164"]] ?? row[column["from_raw"]], to: row[column["to_e164"]] ?? row[column["to_raw"]],
                durationSeconds: row[column["duration_s"]], disposition: row[column["disposition"]], agent: row[column["agent"]],
                customers: customers[id] ?? [], recording: recordingsOfLeg[id]?.first.map { ItemID(kind: .recording, number: $0) },
                retainUntil: Schema.retainUntil(stored: row[column["retain_until"]]), retentionClass: row[column["retention_class"]],
                holds: holds[id] ?? [], restricted: restricted.contains(id),
                legs: legs.map { ItemID(kind: .call, number: $0) },
                recordings: legs.flatMap { recordingsOfLeg[$0] ?? [] }.sorted().map { ItemID(kind: .recording, number: $0) })
        }
    }

    /// One item with everything `show` prints, or nil.
    public func item(_ id: ItemID) throws -> ArchivedItem? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM items WHERE id = ? AND kind = ?", arguments: [id.number, id.kind.rawValue]) else {
            return nil
        }
        var item = try hydrate([row])[0]
        let sourceFields = (row["details"] as String?).flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        var detail = ItemDetail(
            format: row["format"], callerName: row["caller_name"], context: row["context"], uniqueID: row["pbx_unique_id"],
            linkedID: row["linked_id"], answer: (row["answer_utc"] as Int64?).map(Date.init(unixSeconds:)),
            end: (row["end_utc"] as Int64?).map(Date.init(unixSeconds:)), billableSeconds: row["billsec"],
            fromRaw: row["from_raw"], toRaw: row["to_raw"], sourceFields: sourceFields,
            ingestedAt: Date(unixSeconds: row["ingested_at"]), call: nil, blob: nil)
        if id.kind == .recording, let r = try Row.fetchOne(db, sql: "SELECT * FROM recordings WHERE item_id = ?", arguments: [id.number]) {
            detail.call = (r["call_item_id"] as Int64?).map { ItemID(kind: .call, number: $0) }
            detail.blob = BlobDetail(
                sha256: r["sha256"], bytes: r["bytes"], storedBytes: r["stored_bytes"],
                audio: AudioInfo(codec: r["codec"], sampleRate: r["sample_rate"], channels: r["channels"],
                                 bitsPerSample: r["bits"], durationSeconds: r["audio_duration_s"], warning: r["warning"]),
                fileName: r["file_name"])
        }
        item.detail = detail
        return item
    }

    /// The blob of a recording item, or nil when there is no such recording.
    public func blob(of recording: ItemID) throws -> BlobDetail? {
        guard recording.kind == .recording else { return nil }
        return try item(recording)?.detail?.blob
    }

    /// Every recording's item id and blob name.
    public func recordingBlobs() throws -> [(ItemID, String)] {
        try Row.fetchAll(db, sql: "SELECT item_id, sha256 FROM recordings ORDER BY item_id").map {
            (ItemID(kind: .recording, number: $0[0]), $0[1])
        }
    }

    /// Whether any recording row refers to blob `sha256`.
    public func isBlobReferenced(_ sha256: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM recordings WHERE sha256 = ?)", arguments: [sha256]) ?? false
    }

    // MARK: audit

    /// Verifies the whole log against its hash chain and head, from the pruning anchor when
    /// entries past their retention were pruned; with `keying`, against the chain key and the
    /// anchors kept outside the archive (its switch point is read here, from this snapshot).
    public func verifyAudit(keying: AuditKeying? = nil) throws -> AuditVerification {
        var keying = keying
        keying?.storedKeyedFrom = try auditKeyedFrom()
        let anchor = try Row.fetchOne(db, sql: "SELECT pruned_upto, pruned_hash FROM audit_head WHERE id = 1")
        var verifier = AuditVerifier(prunedUpTo: anchor?["pruned_upto"] ?? 0, prunedHash: anchor?["pruned_hash"], keying: keying)
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY rowid")
        while let row = try cursor.next() {
            verifier.check(Self.auditEntry(row))
        }
        let head = try Row.fetchOne(db, sql: "SELECT count, last_hash FROM audit_head WHERE id = 1")
        return verifier.finish(headCount: head?["count"] ?? -1, headHash: head?["last_hash"] ?? "")
    }

    /// Log entries in order, from `after` (exclusive), at most `limit`.
    public func auditEntries(after: Int64 = 0, limit: Int = 1000) throws -> [AuditEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [after, limit]).map(Self.auditEntry)
    }

    /// From which entry the log is keyed (nil: not recorded).
    public func auditKeyedFrom() throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT keyed_from FROM audit_head WHERE id = 1")
    }

    /// The head: entry count and last hash (the digest to keep elsewhere).
    public func auditHead() throws -> (count: Int64, lastHash: String) {
        let row = try Row.fetchOne(db, sql: "SELECT count, last_hash FROM audit_head WHERE id = 1")
        return (row?["count"] ?? 0, row?["last_hash"] ?? AuditChain.genesis)
    }

    static func auditEntry(_ row: Row) -> AuditEntry {
        let items = (row["items"] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        return AuditEntry(
            sequence: row["seq"], time: Date(timeIntervalSince1970: Double(row["time_ms"] as Int64) / 1000),
            actor: row["actor"], role: row["role"], action: row["action"], items: items, purpose: row["purpose"],
            details: row["details"], outcome: AuditEntry.Outcome(rawValue: row["outcome"]) ?? .failed,
            reason: row["reason"], durationMs: row["duration_ms"], origin: row["origin"],
            previousHash: row["prev_hash"], hash: row["hash"])
    }
}

extension IndexReader {
    /// When each customer's relationship ended (nil: it lasts).
    public func relationshipEnds() throws -> [String: Date?] {
        var ends: [String: Date?] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, relationship_ended FROM customers") {
            ends[row[0]] = (row[1] as Int64?).map(Date.init(unixSeconds:))
        }
        return ends
    }

    /// When each of `customers`' relationships ended (nil: it lasts; unknown ids are left out).
    public func relationshipEnds(of customers: [String]) throws -> [String: Date?] {
        var ends: [String: Date?] = [:]
        for start in stride(from: 0, to: customers.count, by: 500) {
            let chunk = Array(customers[start..<min(customers.count, start + 500)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            for row in try Row.fetchAll(db, sql: "SELECT id, relationship_ended FROM customers WHERE id IN (\(marks))",
                                        arguments: StatementArguments(chunk)) {
                ends[row[0]] = (row[1] as Int64?).map(Date.init(unixSeconds:))
            }
        }
        return ends
    }

    /// Whether a one-time policy task (such as `retention-apply-needed`) is pending.
    public func policyState(_ name: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM policy_state WHERE name = ?", arguments: [name])
    }

    static let storedRetentionSQL = """
        SELECT i.id, i.kind, i.direction, i.context, i.format, json_extract(i.details, '$.tags') AS tags, i.start_utc,
               i.retention_class, i.retain_until,
               (SELECT group_concat(customer_id, char(31)) FROM item_customers ic WHERE ic.item_id = i.id) AS customers
        FROM items i
        """

    /// Items with id above `after` (by id), at most `limit`, with what their retention is computed from.
    public func storedRetention(after: Int64, limit: Int) throws -> [StoredRetention] {
        try Row.fetchAll(db, sql: Self.storedRetentionSQL + " WHERE i.id > ? ORDER BY i.id LIMIT ?", arguments: [after, limit])
            .map(Self.storedRetention)
    }

    /// The items linked to any of `customers`, with what their retention is computed from.
    public func storedRetention(ofCustomers customers: [String]) throws -> [StoredRetention] {
        guard !customers.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: customers.count).joined(separator: ",")
        return try Row.fetchAll(db, sql: Self.storedRetentionSQL + " WHERE i.id IN (SELECT item_id FROM item_customers WHERE customer_id IN (\(marks))) ORDER BY i.id",
                                arguments: StatementArguments(customers)).map(Self.storedRetention)
    }

    /// One item's retention and facts, or nil.
    public func storedRetention(of id: ItemID) throws -> StoredRetention? {
        try Row.fetchOne(db, sql: Self.storedRetentionSQL + " WHERE i.id = ? AND i.kind = ?", arguments: [id.number, id.kind.rawValue])
            .map(Self.storedRetention)
    }

    static func storedRetention(_ row: Row) -> StoredRetention {
        let kind = ItemKind(rawValue: row["kind"]) ?? .call
        let tags = (row["tags"] as String?)?.split(separator: ",").map(String.init) ?? []
        let facts = RetentionFacts(kind: kind, direction: (row["direction"] as String?).flatMap(Direction.init(rawValue:)),
                                   context: row["context"], format: row["format"], tags: tags,
                                   start: Date(unixSeconds: row["start_utc"]))
        let customers = (row["customers"] as String?)?.split(separator: "\u{1F}").map(String.init) ?? []
        let tag = (row["retention_class"] as String?).map {
            RetentionTag(className: $0, until: Schema.retainUntil(stored: row["retain_until"]))
        }
        return StoredRetention(id: ItemID(kind: kind, number: row["id"]), facts: facts, customers: customers.sorted(), tag: tag)
    }

    /// Whether an item with this source key is already stored.
    public func itemExists(sourceKey: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM items WHERE source_key = ?)", arguments: [sourceKey]) ?? false
    }
}
